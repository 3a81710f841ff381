import { execFileSync } from 'node:child_process';
import pg from 'pg';

/**
 * Everything the database holds, as text: `pg_dump` when the machine's client matches the server's
 * major version, otherwise every row of every table read back as text (the same data a dump holds).
 */
export async function dumpDatabase(url: string): Promise<{ text: string; method: string }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const serverMajor = Math.floor(
      Number((await client.query<{ v: string }>('SELECT current_setting($$server_version_num$$) AS v')).rows[0].v) / 10000,
    );
    const clientMajor = pgDumpMajor();
    if (clientMajor === serverMajor) {
      return {
        text: execFileSync('pg_dump', ['--data-only', '--dbname', url], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 }),
        method: `pg_dump ${clientMajor}`,
      };
    }
    const tables = (
      await client.query<{ name: string }>(
        `SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
      )
    ).rows;
    const parts: string[] = [];
    for (const { name } of tables) {
      const rows = await client.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`);
      parts.push(`-- ${name}`, ...rows.rows.map((r) => r.row));
    }
    return {
      text: parts.join('\n'),
      method: `row-by-row text of ${tables.length} tables (pg_dump ${clientMajor ?? 'missing'} cannot dump server ${serverMajor})`,
    };
  } finally {
    await client.end();
  }
}

function pgDumpMajor(): number | null {
  try {
    return Number(/(\d+)\.\d+/.exec(execFileSync('pg_dump', ['--version'], { encoding: 'utf8' }))?.[1]);
  } catch {
    return null;
  }
}
