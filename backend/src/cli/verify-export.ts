/**
 * Verifies an NDJSON audit export offline, with nothing but Node.js (no app code, no packages, no
 * database): `node backend/src/cli/verify-export.ts audit-events.ndjson [--allow-gaps]`.
 * Node 24 runs this file as it is (types stripped); docs/audit-verification.md explains the rules,
 * so the same check can be written in any language.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';

/** The previous hash of the first event ever recorded. */
export const GENESIS_HASH = '0'.repeat(64);

/** What each event's hash covers: every exported field except `hash` itself. */
export const HASHED_FIELDS = [
  'seq',
  'id',
  'occurred_at',
  'actor_type',
  'actor_id',
  'actor_email',
  'actor_role',
  'action',
  'outcome',
  'entity_type',
  'entity_id',
  'changes',
  'request_id',
  'ip',
  'user_agent',
  'prev_hash',
] as const;

export interface ExportVerification {
  valid: boolean;
  /** Events whose hash (and link, where checkable) verified before the first failure. */
  checked: number;
  /** seq of the first and last event read, and the last hash: compare it with a head you trust. */
  first_seq: string | null;
  last_seq: string | null;
  last_hash: string | null;
  /** Places where seq jumps (allowed only with allowGaps, for filtered exports). */
  gaps: number;
  first_broken: { line: number; seq: string | null; reason: BreakReason; detail: string } | null;
}

export type BreakReason = 'malformed_line' | 'hash_mismatch' | 'broken_link' | 'sequence_gap' | 'out_of_order' | 'not_genesis';

/**
 * RFC 8785 (JSON Canonicalization Scheme) for JSON-parsed values: object keys sorted by UTF-16
 * code units, no whitespace, strings and numbers as ECMAScript's JSON.stringify writes them.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 (hex) of the canonical JSON of the hashed fields of one exported event. */
export function eventHash(event: Record<string, unknown>): string {
  const content = Object.fromEntries(HASHED_FIELDS.map((field) => [field, event[field]]));
  return createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex');
}

/** Reads the export line by line (constant memory) and stops at the first event that does not check out. */
export async function verifyExport(input: Readable, options: { allowGaps?: boolean } = {}): Promise<ExportVerification> {
  const result: ExportVerification = {
    valid: true,
    checked: 0,
    first_seq: null,
    last_seq: null,
    last_hash: null,
    gaps: 0,
    first_broken: null,
  };
  const fail = (line: number, seq: string | null, reason: BreakReason, detail: string) => {
    result.valid = false;
    result.first_broken = { line, seq, reason, detail };
    return result;
  };
  let previous: { seq: bigint; hash: string } | null = null;
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return fail(line, null, 'malformed_line', 'not valid JSON');
    }
    const seqText = typeof event.seq === 'string' && /^\d+$/.test(event.seq) ? event.seq : null;
    if (!seqText || typeof event.hash !== 'string' || typeof event.prev_hash !== 'string') {
      return fail(line, seqText, 'malformed_line', 'seq (a decimal string), hash and prev_hash are required');
    }
    const seq = BigInt(seqText);
    if (previous === null) {
      result.first_seq = seqText;
      if (seq === 1n && event.prev_hash !== GENESIS_HASH)
        return fail(line, seqText, 'not_genesis', 'the first event must have prev_hash 000…0');
    } else if (seq <= previous.seq) {
      return fail(line, seqText, 'out_of_order', `seq ${seq} after ${previous.seq}`);
    } else if (seq === previous.seq + 1n) {
      if (event.prev_hash !== previous.hash) return fail(line, seqText, 'broken_link', 'prev_hash is not the previous event’s hash');
    } else if (options.allowGaps) {
      result.gaps++;
    } else {
      return fail(line, seqText, 'sequence_gap', `expected seq ${previous.seq + 1n}, found ${seq}`);
    }
    if (eventHash(event) !== event.hash) return fail(line, seqText, 'hash_mismatch', 'the event’s content does not match its hash');
    previous = { seq, hash: event.hash };
    result.checked++;
    result.last_seq = seqText;
    result.last_hash = event.hash;
  }
  return result;
}

const USAGE = `usage: node backend/src/cli/verify-export.ts <export.ndjson> [--allow-gaps]

Recomputes every event's hash and checks each prev_hash links to the event before it.
--allow-gaps: the export was filtered, so seq may jump; links across a jump are not checked.
Exit status: 0 valid, 1 broken (the first broken event is printed), 2 usage or read error.`;

async function main(args: string[]): Promise<number> {
  const files = args.filter((a) => !a.startsWith('--'));
  if (files.length !== 1 || args.includes('--help')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const result = await verifyExport(createReadStream(files[0]), { allowGaps: args.includes('--allow-gaps') });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return result.valid ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`verify-export: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
