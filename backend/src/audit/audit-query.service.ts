import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import { Readable, Transform } from 'node:stream';
import { stringify } from 'csv-stringify';
import { DataSource } from 'typeorm';
import { decodeCursor, encodeCursor } from '../common/pagination.js';
import { fieldError, notFound } from '../common/domain-error.js';
import { AuditEvent } from './audit-event.entity.js';
import { HASHED_FIELDS } from '../cli/verify-export.js';
import { computeHash, GENESIS_HASH } from './audit-hash.js';
import { poolOf } from '../database/prepared-query.js';
import {
  type AuditEventPage,
  type AuditEventResponse,
  type AuditFilterQuery,
  type AuditListQuery,
  type ChainVerification,
  toAuditEventResponse,
} from './dto/audit-event.dto.js';

const MAX_LIMIT = 200;
const COLUMNS = `seq, id, occurred_at AS "occurredAt", actor_type AS "actorType", actor_id AS "actorId",
  actor_email AS "actorEmail", actor_role AS "actorRole", action, outcome, entity_type AS "entityType",
  entity_id AS "entityId", changes, request_id AS "requestId", ip, user_agent AS "userAgent",
  prev_hash AS "prevHash", hash`;
export const CSV_COLUMNS = [...HASHED_FIELDS, 'hash'] as const;

interface Where {
  sql: string;
  params: unknown[];
}

const isSeqCursor = (v: unknown): v is { seq: string } =>
  typeof v === 'object' && v !== null && typeof (v as { seq?: unknown }).seq === 'string' && /^\d+$/.test((v as { seq: string }).seq);

@Injectable()
export class AuditQueryService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(query: AuditListQuery): Promise<AuditEventPage> {
    const where = buildWhere(query);
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor, isSeqCursor);
      if (!cursor) throw fieldError('cursor', 'cursor is not one this server issued');
      where.params.push(cursor.seq);
      where.sql += ` AND seq < $${where.params.length}`;
    }
    const limit = Math.min(query.limit, MAX_LIMIT);
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM audit_events WHERE ${where.sql} ORDER BY seq DESC LIMIT ${limit + 1}`,
      where.params,
    )) as AuditEvent[];
    const items = rows.slice(0, limit).map(toAuditEventResponse);
    const last = items.at(-1);
    return { items, next_cursor: rows.length > limit && last ? encodeCursor({ seq: last.seq }) : null };
  }

  async get(id: string): Promise<AuditEventResponse> {
    const [row] = (await this.dataSource.query(`SELECT ${COLUMNS} FROM audit_events WHERE id = $1`, [id])) as AuditEvent[];
    if (!row) throw notFound('audit event', id);
    return toAuditEventResponse(row);
  }

  /**
   * Streams the filtered events oldest first through a server-side cursor, so memory stays flat
   * whatever the size of the log; both hashes are included for offline verification.
   */
  async export(filter: AuditFilterQuery, format: 'csv' | 'ndjson'): Promise<Readable> {
    const where = buildWhere(filter);
    const rows = await this.streamRows(`SELECT ${COLUMNS} FROM audit_events WHERE ${where.sql} ORDER BY seq`, where.params);
    const toResponse = new Transform({
      objectMode: true,
      transform(row: AuditEvent, _enc, done) {
        done(null, toAuditEventResponse(row));
      },
    });
    const encode =
      format === 'csv'
        ? stringify({
            header: true,
            columns: [...CSV_COLUMNS],
            cast: { object: (value) => JSON.stringify(value) },
          })
        : new Transform({
            writableObjectMode: true,
            transform(event: AuditEventResponse, _enc, done) {
              done(null, JSON.stringify(event) + '\n');
            },
          });
    return pipeAll(rows, toResponse, encode);
  }

  /** Re-walks the whole chain, oldest first, and reports the first event that does not check out. */
  async verify(): Promise<ChainVerification> {
    const rows = await this.streamRows(`SELECT ${COLUMNS} FROM audit_events ORDER BY seq`, []);
    let expectedPrev = GENESIS_HASH;
    let expectedSeq = 1n;
    let checked = 0;
    let head: string | null = null;
    for await (const row of rows as AsyncIterable<AuditEvent>) {
      const seq = BigInt(row.seq);
      const broken = (reason: string, detail: string): ChainVerification => {
        rows.destroy();
        return { valid: false, checked, head_hash: head, first_broken: { seq: String(row.seq), id: row.id, reason, detail } };
      };
      if (seq !== expectedSeq) return broken('sequence_gap', `expected event ${expectedSeq}, found ${seq}`);
      if (row.prevHash !== expectedPrev) return broken('broken_link', 'prev_hash does not match the previous event’s hash');
      if (computeHash(row) !== row.hash) return broken('hash_mismatch', 'the event’s content does not match its hash');
      expectedPrev = row.hash;
      expectedSeq = seq + 1n;
      head = row.hash;
      checked++;
    }
    return { valid: true, checked, head_hash: head, first_broken: null };
  }

  private async streamRows(sql: string, params: unknown[]): Promise<Readable> {
    const pool = poolOf(this.dataSource);
    const client: PoolClient = await pool.connect();
    const stream = client.query(new QueryStream(sql, params, { batchSize: 1000, highWaterMark: 1000 }));
    let released = false;
    const release = (err?: Error) => {
      if (released) return;
      released = true;
      client.release(err);
    };
    stream.on('end', () => release());
    stream.on('error', (err) => release(err));
    stream.on('close', () => release());
    return stream;
  }
}

function pipeAll(source: Readable, ...steps: Transform[]): Readable {
  let current: Readable = source;
  for (const step of steps) {
    current.on('error', (err) => step.destroy(err));
    current = current.pipe(step);
  }
  const last = current;
  last.on('close', () => source.destroy());
  return last;
}

function buildWhere(q: AuditFilterQuery): Where {
  const clauses: string[] = ['TRUE'];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replace('?', `$${params.length}`));
  };
  if (q.actor_id) add('actor_id = ?', q.actor_id);
  if (q.actor_type) add('actor_type = ?', q.actor_type);
  if (q.action?.endsWith('.*')) add("action LIKE ? || '.%'", q.action.slice(0, -2));
  else if (q.action) add('action = ?', q.action);
  if (q.outcome) add('outcome = ?', q.outcome);
  if (q.entity_type) add('entity_type = ?', q.entity_type);
  if (q.entity_id) add('entity_id = ?', q.entity_id);
  if (q.from) add('occurred_at >= ?', q.from);
  if (q.to) add('occurred_at < ?', q.to);
  return { sql: clauses.join(' AND '), params };
}
