import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AuditService } from '../audit/audit.service.js';
import { diffChanges } from '../audit/audit-changes.js';
import { hashPassword } from '../auth/passwords.js';
import { User } from '../auth/user.entity.js';
import { systemActor } from '../common/actor.js';

const SEED_LOCK = 7_301_990_003;

export interface FirstAdmin {
  email: string;
  /** Set only when the password was generated here and must be shown to the operator once. */
  generatedPassword?: string;
}

/**
 * Creates the first admin when there are no users: from ADMIN_EMAIL/ADMIN_PASSWORD, or with a
 * generated password that the caller prints once. Never a fixed, well-known password.
 */
export async function ensureFirstAdmin(
  dataSource: DataSource,
  audit: AuditService,
  credentials: { email?: string; password?: string },
): Promise<FirstAdmin | undefined> {
  return dataSource.transaction(async (manager) => {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK]);
    if ((await manager.count(User)) > 0) return undefined;
    const email = (credentials.email ?? 'admin@switchboard.local').toLowerCase();
    const generatedPassword = credentials.password ? undefined : randomBytes(18).toString('base64url');
    const user = manager.create(User, {
      email,
      displayName: 'Administrator',
      role: 'admin',
      passwordHash: await hashPassword(credentials.password ?? generatedPassword!),
    });
    await manager.save(user);
    await audit.record(manager, systemActor(), {
      action: 'user.created',
      entityType: 'user',
      entityId: user.id,
      changes: diffChanges(undefined, { email, role: 'admin', source: credentials.password ? 'ADMIN_PASSWORD' : 'generated' }),
    });
    return { email, generatedPassword };
  });
}
