import { DataSource } from 'typeorm';
import { AuditService, CHAIN_LOCK } from '../../src/audit/audit.service.js';
import { systemActor } from '../../src/common/actor.js';
import { SystemSetting } from '../../src/settings/system-setting.entity.js';
import { ownerClient } from '../support/database.js';
import { bearer, startTestApp, type TestApp } from '../support/test-app.js';

describe('audit trail', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let audit: AuditService;

  beforeAll(async () => {
    t = await startTestApp();
    dataSource = t.app.get(DataSource);
    audit = t.app.get(AuditService);
  });
  afterAll(async () => {
    await t.close();
  });

  const countEvents = async (action: string) =>
    Number((await dataSource.query('SELECT count(*)::int AS n FROM audit_events WHERE action = $1', [action]))[0].n);

  it('commits a change and its event together', async () => {
    const res = await t.http().put('/api/v1/settings/upstream.max_retries').set(bearer(t.adminToken)).send({ value: 4 });
    expect(res.status).toBe(200);
    const events = await t
      .http()
      .get('/api/v1/audit-events?action=setting.updated&entity_id=upstream.max_retries')
      .set(bearer(t.adminToken));
    expect(events.body.items).toHaveLength(1);
    expect(events.body.items[0]).toMatchObject({
      actor_type: 'user',
      actor_email: 'admin@test.local',
      actor_role: 'admin',
      outcome: 'success',
      entity_type: 'setting',
      changes: { value: { before: 2, after: 4 } },
    });
    expect(events.body.items[0].request_id).toBe(res.headers['x-request-id']);
  });

  it('leaves neither the change nor the event when the transaction fails after both were written', async () => {
    const before = await countEvents('test.forced_failure');
    await expect(
      dataSource.transaction(async (manager) => {
        await manager.insert(SystemSetting, { key: 'test.rolled_back', value: 1 });
        await audit.record(manager, systemActor(), { action: 'test.forced_failure', entityType: 'setting', entityId: 'test.rolled_back' });
        throw new Error('forced failure after the change');
      }),
    ).rejects.toThrow('forced failure');
    expect(await countEvents('test.forced_failure')).toBe(before);
    expect(await dataSource.getRepository(SystemSetting).findOneBy({ key: 'test.rolled_back' })).toBeNull();
  });

  it('refuses to record outside a transaction', async () => {
    await expect(audit.record(dataSource.manager, systemActor(), { action: 'test.no_tx' })).rejects.toThrow(/inside a transaction/);
  });

  it('runs the app as a role that cannot change audit events, and the table refuses changes even from its owner', async () => {
    const [{ current_user: role }] = await dataSource.query('SELECT current_user');
    expect(role).toBe('switchboard_app');
    await expect(dataSource.query(`UPDATE audit_events SET action = 'x'`)).rejects.toThrow(/permission denied|append-only/);
    await expect(dataSource.query(`DELETE FROM audit_events`)).rejects.toThrow(/permission denied|append-only/);
    await expect(dataSource.query(`TRUNCATE audit_events`)).rejects.toThrow(/permission denied|append-only/);
    const owner = await ownerClient(t.databaseUrl);
    try {
      await expect(owner.query(`UPDATE audit_events SET action = 'x'`)).rejects.toThrow(/append-only/);
      await expect(owner.query(`DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
      await expect(owner.query(`TRUNCATE audit_events`)).rejects.toThrow(/append-only/);
    } finally {
      await owner.end();
    }
  });

  it('keeps one unforked chain under 50 concurrent audited changes', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t
          .http()
          .put('/api/v1/settings/upstream.max_retries')
          .set(bearer(t.adminToken))
          .send({ value: i % 10 }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    const rows = await dataSource.query('SELECT seq, prev_hash, hash FROM audit_events ORDER BY seq');
    const hashes = new Set(rows.map((r: { hash: string }) => r.hash));
    expect(hashes.size).toBe(rows.length);
    for (let i = 1; i < rows.length; i++) expect(rows[i].prev_hash).toBe(rows[i - 1].hash);
    const verify = await t.http().get('/api/v1/audit-events/verify').set(bearer(t.adminToken));
    expect(verify.body).toMatchObject({ valid: true, checked: rows.length, first_broken: null });
  });

  it('appends many events in one call, in the order given, each hashed as one appended alone', async () => {
    const before = Number((await dataSource.query('SELECT coalesce(max(seq), 0)::int AS n FROM audit_events'))[0].n);
    const appends = ['first', 'second', 'third'].map((name) =>
      audit.append(
        systemActor(),
        { action: 'test.batched', entityType: 'test', entityId: name, changes: { name: { before: null, after: name } } },
        1,
      ),
    );
    const appended = await dataSource.transaction(async (manager) => {
      // An empty batch appends nothing (and the aggregate over no rows gives null).
      expect(await manager.query(`SELECT audit_append_many($1, '[]'::jsonb) AS n`, [CHAIN_LOCK])).toEqual([{ n: 0 }]);
      expect(await manager.query(`SELECT audit_append_many($1, NULL) AS n`, [CHAIN_LOCK])).toEqual([{ n: 0 }]);
      return manager.query(`SELECT audit_append_many($1, $2::jsonb) AS n`, [CHAIN_LOCK, JSON.stringify(appends.map((a) => a.args))]);
    });
    expect(appended).toEqual([{ n: 3 }]);
    // One appended alone after the batch continues the chain.
    await dataSource.transaction((manager) =>
      audit.record(manager, systemActor(), { action: 'test.batched', entityType: 'test', entityId: 'fourth' }),
    );

    const rows = await dataSource.query(`SELECT seq::int, entity_id, prev_hash, hash FROM audit_events WHERE seq > $1 ORDER BY seq`, [
      before,
    ]);
    expect(rows.map((r: { seq: number; entity_id: string }) => [r.seq, r.entity_id])).toEqual([
      [before + 1, 'first'],
      [before + 2, 'second'],
      [before + 3, 'third'],
      [before + 4, 'fourth'],
    ]);
    for (let i = 1; i < rows.length; i++) expect(rows[i].prev_hash).toBe(rows[i - 1].hash);
    const verify = await t.http().get('/api/v1/audit-events/verify').set(bearer(t.adminToken));
    expect(verify.body).toMatchObject({ valid: true, first_broken: null });
  });

  it('reports the first tampered event when a row is changed behind the app’s back', async () => {
    const [target] = await dataSource.query(`SELECT seq FROM audit_events ORDER BY seq OFFSET 3 LIMIT 1`);
    const owner = await ownerClient(t.databaseUrl);
    try {
      await owner.query('BEGIN');
      await owner.query('ALTER TABLE audit_events DISABLE TRIGGER tr_audit_events_no_update_delete');
      await owner.query(`UPDATE audit_events SET actor_email = 'someone-else@test.local' WHERE seq = $1`, [target.seq]);
      await owner.query('ALTER TABLE audit_events ENABLE TRIGGER tr_audit_events_no_update_delete');
      await owner.query('COMMIT');
      const verify = await t.http().get('/api/v1/audit-events/verify').set(bearer(t.adminToken));
      expect(verify.body.valid).toBe(false);
      expect(verify.body.first_broken).toMatchObject({ seq: String(target.seq), reason: 'hash_mismatch' });
      expect(verify.body.checked).toBe(Number(target.seq) - 1);
    } finally {
      await owner.end();
    }
  });
});
