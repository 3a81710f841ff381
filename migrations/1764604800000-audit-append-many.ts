import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `audit_append` for many events in one call, for statements that change many entities at once
 * (a batch of conversation turns): one turn at the chain lock, one read of the chain's head and
 * one INSERT for the lot, instead of each per event. `p_items` is a JSON array of
 * `{event, head, middle, tail}` — `audit_append`'s arguments after the lock; the events join the
 * chain in the array's order, hashed exactly as `audit_append` hashes one. Returns how many it
 * appended; a null or empty array appends nothing and takes no lock.
 */
export class AuditAppendMany1764604800000 implements MigrationInterface {
  name = 'AuditAppendMany1764604800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_append_many(p_lock bigint, p_items jsonb)
      RETURNS integer
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_seq bigint;
        v_prev text;
        v_hash text;
        v_item jsonb;
        v_rows jsonb[] := '{}';
      BEGIN
        IF p_items IS NULL OR jsonb_array_length(p_items) = 0 THEN
          RETURN 0;
        END IF;
        PERFORM pg_advisory_xact_lock(p_lock);
        -- As in audit_append: this statement's snapshot sees every event committed before the lock was granted.
        SELECT a.seq, a.hash INTO v_seq, v_prev FROM audit_events a ORDER BY a.seq DESC LIMIT 1;
        v_seq := coalesce(v_seq, 0);
        v_prev := coalesce(v_prev, repeat('0', 64));
        FOR v_item IN SELECT value FROM jsonb_array_elements(p_items) WITH ORDINALITY ORDER BY ordinality LOOP
          v_seq := v_seq + 1;
          v_hash := encode(sha256(convert_to(
            (v_item->>'head') || '"' || v_prev || '"' || (v_item->>'middle') || '"' || v_seq::text || '"' || (v_item->>'tail'), 'UTF8')), 'hex');
          v_rows := v_rows || ((v_item->'event') || jsonb_build_object('seq', v_seq, 'prev_hash', v_prev, 'hash', v_hash));
          v_prev := v_hash;
        END LOOP;
        INSERT INTO audit_events
          SELECT r.* FROM unnest(v_rows) AS e(doc) CROSS JOIN LATERAL jsonb_populate_record(NULL::audit_events, e.doc) AS r;
        RETURN cardinality(v_rows);
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION audit_append_many(bigint, jsonb)`);
  }
}
