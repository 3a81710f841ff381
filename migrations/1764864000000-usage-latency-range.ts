import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The daily rollup keeps its fastest and slowest call, so that a percentile interpolated inside a
 * histogram bucket stays within what was measured (one call of 119 ms read as a p50 of 175 ms).
 * Rows written before have no range (NULL): their percentiles are interpolated as before.
 */
export class UsageLatencyRange1764864000000 implements MigrationInterface {
  name = 'UsageLatencyRange1764864000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE usage_daily ADD COLUMN latency_ms_min int, ADD COLUMN latency_ms_max int`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE usage_daily DROP COLUMN latency_ms_min, DROP COLUMN latency_ms_max`);
  }
}
