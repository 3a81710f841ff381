import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Appending to the audit chain in one round trip. The app sends the event and its canonical JSON
 * cut around the two values only the chain's head decides (`prev_hash` and `seq`); the function
 * takes the chain lock, reads the head, completes and hashes the JSON and inserts the event. The
 * lock is held until the caller commits, so the fewer round trips it spans, the less appenders
 * queue behind each other.
 */
export class AuditAppend1764432000000 implements MigrationInterface {
  name = 'AuditAppend1764432000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_append(p_lock bigint, p_event jsonb, p_head text, p_middle text, p_tail text)
      RETURNS TABLE (appended_seq bigint, appended_prev_hash text, appended_hash text)
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_seq bigint;
        v_prev text;
        v_hash text;
      BEGIN
        PERFORM pg_advisory_xact_lock(p_lock);
        -- A volatile function's statements each take a new snapshot: this one sees every event
        -- committed before the lock was granted.
        SELECT a.seq, a.hash INTO v_seq, v_prev FROM audit_events a ORDER BY a.seq DESC LIMIT 1;
        v_seq := coalesce(v_seq, 0) + 1;
        v_prev := coalesce(v_prev, repeat('0', 64));
        v_hash := encode(sha256(convert_to(
          p_head || '"' || v_prev || '"' || p_middle || '"' || v_seq::text || '"' || p_tail, 'UTF8')), 'hex');
        INSERT INTO audit_events
          SELECT * FROM jsonb_populate_record(NULL::audit_events,
            p_event || jsonb_build_object('seq', v_seq, 'prev_hash', v_prev, 'hash', v_hash));
        RETURN QUERY SELECT v_seq, v_prev, v_hash;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION audit_append(bigint, jsonb, text, text, text)`);
  }
}
