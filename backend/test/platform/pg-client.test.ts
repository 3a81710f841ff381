import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import QueryStream from 'pg-query-stream';
import { CallbackQueryClient } from '../../src/database/pg-client.js';
import { createDatabase, dropDatabase } from '../support/database.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options: { type: 'minor' | 'major'; execution: 'sync' }) => void;
const oldSpaceUsed = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_used_size;

describe('the pg client the pool hands out', () => {
  let database: { name: string; url: string };
  let client: CallbackQueryClient;

  beforeAll(async () => {
    database = await createDatabase();
    client = new CallbackQueryClient({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    if (database) await dropDatabase(database.name);
  });

  it('answers every form of query() as pg does: text, text with values, a config, a callback, a stream', async () => {
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect((await client.query('SELECT $1::int + 1 AS two', [1])).rows).toEqual([{ two: 2 }]);
    expect((await client.query({ text: 'SELECT $1::text AS t', values: ['x'], rowMode: 'array' })).rows).toEqual([['x']]);
    const viaCallback = await new Promise((resolve, reject) =>
      client.query('SELECT 3 AS three', (err: Error | null, res: pg.QueryResult) => (err ? reject(err) : resolve(res.rows))),
    );
    expect(viaCallback).toEqual([{ three: 3 }]);
    const stream = client.query(new QueryStream('SELECT g FROM generate_series(1, 3) g'));
    expect(stream).toBeInstanceOf(QueryStream);
    const streamed: unknown[] = [];
    for await (const row of stream) streamed.push(row);
    expect(streamed).toEqual([{ g: 1 }, { g: 2 }, { g: 3 }]);
  });

  it("rejects with PostgreSQL's error, and the connection goes on working", async () => {
    await expect(client.query('SELECT * FROM no_such_table')).rejects.toMatchObject({ code: '42P01' });
    expect((await client.query('SELECT 4 AS four')).rows).toEqual([{ four: 4 }]);
  });

  it('does not keep a finished query’s rows alive into the old generation', async () => {
    // 40 results of ~200 KB each, with a young-generation collection after each: rows that
    // outlived their query would be promoted, growing the old space by several megabytes.
    const sql = `SELECT repeat(md5(g::text), 30) AS content FROM generate_series(1, 200) g`;
    const rowCount = async () => (await client.query(sql)).rows.length;
    await rowCount();
    gc({ type: 'major', execution: 'sync' });
    const before = oldSpaceUsed();
    for (let i = 0; i < 40; i++) {
      expect(await rowCount()).toBe(200);
      gc({ type: 'minor', execution: 'sync' });
      gc({ type: 'minor', execution: 'sync' });
    }
    expect(oldSpaceUsed() - before).toBeLessThan(2_000_000);
  });
});
