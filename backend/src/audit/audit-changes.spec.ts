import { diffChanges, maskSecret, maskSecrets } from './audit-changes.js';
import { completeHash, computeHash, GENESIS_HASH, hashTemplate } from './audit-hash.js';
import type { AuditEvent } from './audit-event.entity.js';

describe('audit changes', () => {
  it('keeps only the fields that changed', () => {
    expect(diffChanges({ name: 'a', rpm: 10, config: { t: 1 } }, { name: 'b', rpm: 10, config: { t: 1 } })).toEqual({
      name: { before: 'a', after: 'b' },
    });
  });

  it('records creations and deletions one-sided', () => {
    expect(diffChanges(undefined, { name: 'a' })).toEqual({ name: { after: 'a' } });
    expect(diffChanges({ name: 'a' }, undefined)).toEqual({ name: { before: 'a' } });
  });

  it('masks secret-bearing fields as **** plus the last four, and passwords entirely', () => {
    expect(diffChanges({ api_key: 'sk-old-key-1111' }, { api_key: 'sk-new-key-2222' })).toEqual({
      api_key: { before: '****1111', after: '****2222' },
    });
    expect(diffChanges(undefined, { password: 'hunter2hunter2' })).toEqual({ password: { after: '********' } });
    expect(maskSecret('short')).toBe('****');
  });

  it('masks secrets nested anywhere but leaves non-secret look-alikes alone', () => {
    expect(
      maskSecrets({ config: { headers: { authorization: 'Bearer abcdefgh12345' } }, has_api_key: true, api_key_last4: '1234' }),
    ).toEqual({
      config: { headers: { authorization: '****2345' } },
      has_api_key: true,
      api_key_last4: '1234',
    });
  });
});

describe('audit hash', () => {
  const event = (over: Partial<AuditEvent> = {}): Omit<AuditEvent, 'hash'> => ({
    seq: '1',
    id: '6a1f2c3e-1111-4222-8333-444455556666',
    occurredAt: new Date('2026-11-25T10:00:00.123Z'),
    actorType: 'system',
    actorId: null,
    actorEmail: null,
    actorRole: null,
    action: 'provider.created',
    outcome: 'success',
    entityType: 'provider',
    entityId: 'p1',
    changes: { name: { after: 'x' } },
    requestId: null,
    ip: null,
    userAgent: null,
    prevHash: GENESIS_HASH,
    ...over,
  });

  it('does not depend on key order inside changes', () => {
    const a = event({ changes: { a: { after: 1 }, b: { after: 2 } } });
    const b = event({ changes: { b: { after: 2 }, a: { after: 1 } } });
    expect(computeHash(a)).toBe(computeHash(b));
  });

  it('changes with any covered field, the previous hash included', () => {
    const base = computeHash(event());
    expect(computeHash(event({ actorEmail: 'x@y.z' }))).not.toBe(base);
    expect(computeHash(event({ prevHash: 'f'.repeat(64) }))).not.toBe(base);
    expect(computeHash(event({ occurredAt: new Date('2026-11-25T10:00:00.124Z') }))).not.toBe(base);
  });

  it('a template completed with the head’s hash and seq hashes to the event’s own hash, whatever the content', () => {
    const tricky = event({
      seq: '41',
      prevHash: 'a'.repeat(64),
      userAgent: 'quote " backslash \\ prev_hash "seq" ünïcode 😀',
      changes: { seq: { before: 'prev_hash', after: '"seq"' } },
    });
    const { seq, prevHash, ...rest } = tricky;
    expect(completeHash(hashTemplate(rest), prevHash, seq)).toBe(computeHash(tricky));
  });
});
