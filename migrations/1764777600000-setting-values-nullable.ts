import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A setting may hold "none" (`conversations.title_model`: no model names conversations). The ORM
 * writes a JSON null as SQL NULL, which the column refused; NULL now stands for that none.
 */
export class SettingValuesNullable1764777600000 implements MigrationInterface {
  name = 'SettingValuesNullable1764777600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE system_settings ALTER COLUMN value DROP NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM system_settings WHERE value IS NULL`);
    await q.query(`ALTER TABLE system_settings ALTER COLUMN value SET NOT NULL`);
  }
}
