import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage also records the embedding calls knowledge bases make: a document's chunks embedded for
 * its index (`indexing`) and a query embedded for a search or a conversation's retrieval
 * (`retrieval`). They are paid for at the provider like any other call.
 */
export class UsageSources1764691200000 implements MigrationInterface {
  name = 'UsageSources1764691200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE usage_events DROP CONSTRAINT ck_usage_events_source`);
    await q.query(
      `ALTER TABLE usage_events ADD CONSTRAINT ck_usage_events_source CHECK (source IN ('gateway', 'conversation', 'indexing', 'retrieval'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM usage_events WHERE source IN ('indexing', 'retrieval')`);
    await q.query(`ALTER TABLE usage_events DROP CONSTRAINT ck_usage_events_source`);
    await q.query(`ALTER TABLE usage_events ADD CONSTRAINT ck_usage_events_source CHECK (source IN ('gateway', 'conversation'))`);
  }
}
