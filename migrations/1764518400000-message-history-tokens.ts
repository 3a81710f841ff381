import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What each message takes in a prompt (its token count with the chat framing), stored when the
 * message is, so a turn's read can trim a long history to the context window in SQL instead of
 * loading and tokenizing every message. Null for messages stored before: they are counted when read.
 */
export class MessageHistoryTokens1764518400000 implements MigrationInterface {
  name = 'MessageHistoryTokens1764518400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages ADD COLUMN history_tokens integer`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages DROP COLUMN history_tokens`);
  }
}
