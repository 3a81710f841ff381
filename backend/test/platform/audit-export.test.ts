import { get } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ownerClient } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const EVENTS = 100_000;

interface Download {
  status: number;
  contentType: string;
  firstByteMs: number;
  totalMs: number;
  bytes: number;
  lines: number;
  firstLines: string[];
  peakHeapGrowth: number;
}

// Live memory, not garbage waiting for a collection: sample the heap right after a full GC.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const liveHeap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

/**
 * The live heap is sampled per 4 MB received, not per second: each sample is a full GC of this
 * process (which also runs the server), and late in an in-band run, when the heap is large, a
 * sample a second left the export no time to run (523 s instead of 13).
 */
const SAMPLE_EVERY_BYTES = 4 * 1024 * 1024;

/** Reads the response as it arrives, keeping only counts, while sampling this process's live heap. */
function download(url: string, token: string): Promise<Download> {
  return new Promise((resolve, reject) => {
    const baseHeap = liveHeap();
    const started = performance.now();
    let peak = 0;
    let nextSample = 0;
    get(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      let firstByteMs = -1;
      let bytes = 0;
      let lines = 0;
      let head = '';
      res.on('data', (chunk: Buffer) => {
        if (firstByteMs < 0) firstByteMs = performance.now() - started;
        if (bytes >= nextSample) {
          peak = Math.max(peak, liveHeap() - baseHeap);
          nextSample += SAMPLE_EVERY_BYTES;
        }
        bytes += chunk.length;
        for (const b of chunk) if (b === 10) lines++;
        if (head.length < 4000) head += chunk.toString('utf8');
      });
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type']),
          firstByteMs,
          totalMs: performance.now() - started,
          bytes,
          lines,
          firstLines: head.split('\n').slice(0, 3),
          peakHeapGrowth: peak,
        });
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('audit export of 100,000 events', () => {
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { LOG_LEVEL: 'warn' } });
    const owner = await ownerClient(t.databaseUrl);
    await owner.query(
      `INSERT INTO audit_events (seq, occurred_at, actor_type, action, outcome, entity_type, entity_id, changes, prev_hash, hash)
       SELECT (SELECT coalesce(max(seq), 0) FROM audit_events) + s, now(), 'system', 'bulk.event', 'success', 'thing', s::text,
              jsonb_build_object('n', jsonb_build_object('before', s - 1, 'after', s), 'label', jsonb_build_object('after', repeat('x', 120))),
              md5(s::text) || md5(s::text), md5((s + 1)::text) || md5((s + 1)::text)
         FROM generate_series(1, ${EVENTS}) s`,
    );
    await owner.end();
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['ndjson', 'csv'] as const)(
    'streams %s: the response starts long before it ends, and memory stays flat',
    async (format) => {
      const result = await download(
        `${base.replace('[::1]', '127.0.0.1')}/api/v1/audit-events/export?format=${format}&action=bulk.event`,
        t.adminToken,
      );
      expect(result.status).toBe(200);
      expect(result.contentType).toContain(format === 'csv' ? 'text/csv' : 'application/x-ndjson');
      expect(result.lines).toBe(format === 'csv' ? EVENTS + 1 : EVENTS);
      expect(result.bytes).toBeGreaterThan(30 * 1024 * 1024);
      expect(result.firstByteMs).toBeLessThan(result.totalMs / 4);
      // Holding the export in memory would need at least its size; streaming needs a small, fixed amount.
      expect(result.peakHeapGrowth).toBeLessThan(16 * 1024 * 1024);
      if (format === 'csv') {
        expect(result.firstLines[0]).toBe(
          'seq,id,occurred_at,actor_type,actor_id,actor_email,actor_role,action,outcome,entity_type,entity_id,changes,request_id,ip,user_agent,prev_hash,hash',
        );
      } else {
        expect(JSON.parse(result.firstLines[0])).toMatchObject({
          action: 'bulk.event',
          prev_hash: expect.any(String),
          hash: expect.any(String),
        });
      }
    },
    300_000,
  );
});
