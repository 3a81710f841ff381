import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An API key may be limited to some models (their ids; NULL: every model). Ids, not names, so a
 * rename keeps the grant; an id whose model was deleted grants nothing.
 */
export class ApiKeyModels1764950400000 implements MigrationInterface {
  name = 'ApiKeyModels1764950400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys ADD COLUMN models uuid[]`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP COLUMN models`);
  }
}
