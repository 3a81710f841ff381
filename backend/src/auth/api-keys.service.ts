import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { sha256Hex } from '../common/digest.js';
import { AuditService } from '../audit/audit.service.js';
import { diffChanges } from '../audit/audit-changes.js';
import type { Actor } from '../common/actor.js';
import { DomainError, fieldError, notFound } from '../common/domain-error.js';
import { ApiKey } from './api-key.entity.js';
import {
  type ApiKeyListQuery,
  type ApiKeyResponse,
  type CreateApiKeyRequest,
  type CreatedApiKeyResponse,
  toApiKeyResponse,
} from './dto/api-key.dto.js';
import { PrincipalCache } from './principal-cache.js';
import type { Principal } from './principal.js';
import { User, type Role } from './user.entity.js';

const KEY_PREFIX = 'sbk_';
const LAST_USED_RESOLUTION_MS = 60_000;
const RANK: Record<Role, number> = { member: 1, auditor: 1, admin: 2 };

interface KeyLookup {
  principal: Principal | null;
  expiresAt: number | null;
}

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly principals: PrincipalCache,
  ) {}

  static looksLikeKey(token: string): boolean {
    return token.startsWith(KEY_PREFIX);
  }

  async authenticate(secret: string): Promise<Principal | undefined> {
    const hash = sha256Hex(secret);
    const now = Date.now();
    const entry = await this.principals.get(`key:${hash}`, () => this.load(hash));
    if (!entry.principal || (entry.expiresAt !== null && entry.expiresAt <= now)) return undefined;
    this.touch(entry.principal.id, now);
    return entry.principal;
  }

  async create(actor: Actor, body: CreateApiKeyRequest): Promise<CreatedApiKeyResponse> {
    const ownerId = body.owner_id ?? actor.userId;
    if (!ownerId) throw new DomainError('forbidden', 'forbidden', 'Only users can own API keys');
    if (ownerId !== actor.userId && actor.role !== 'admin') {
      throw new DomainError('forbidden', 'api_key.owner_forbidden', 'Only admins can create keys for other users');
    }
    if (body.expires_at && Date.parse(body.expires_at) <= Date.now()) {
      throw fieldError('expires_at', 'expires_at must be in the future');
    }
    const secret = KEY_PREFIX + randomBytes(30).toString('base64url');
    return this.dataSource.transaction(async (manager) => {
      const owner = await manager.findOne(User, { where: { id: ownerId } });
      if (!owner || !owner.isActive) throw fieldError('owner_id', 'owner_id must name an active user');
      const role = body.role ?? owner.role;
      if (RANK[role] > RANK[owner.role] || (owner.role !== 'admin' && role !== owner.role)) {
        throw fieldError('role', `a key cannot have more rights than its owner (${owner.role})`);
      }
      const models = body.models ? await existingModels(manager, body.models) : null;
      const key = manager.create(ApiKey, {
        ownerId,
        name: body.name.trim(),
        role,
        prefix: secret.slice(0, 12),
        secretHash: sha256Hex(secret),
        expiresAt: body.expires_at ? new Date(body.expires_at) : null,
        models,
      });
      await manager.save(key);
      const response = toApiKeyResponse(key);
      await this.audit.record(manager, actor, {
        action: 'api_key.created',
        entityType: 'api_key',
        entityId: key.id,
        changes: diffChanges(undefined, { ...response, owner_email: owner.email }),
      });
      return { ...response, secret };
    });
  }

  async list(actor: Actor, query: ApiKeyListQuery): Promise<ApiKeyResponse[]> {
    const ownerId = actor.role === 'admin' ? query.owner_id : actor.userId;
    if (query.owner_id && actor.role !== 'admin' && query.owner_id !== actor.userId) return [];
    const keys = await this.dataSource.getRepository(ApiKey).find({
      where: ownerId ? { ownerId } : {},
      order: { createdAt: 'DESC' },
    });
    return keys.map(toApiKeyResponse);
  }

  async revoke(actor: Actor, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const key = await manager.findOne(ApiKey, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!key || (actor.role !== 'admin' && key.ownerId !== actor.userId)) throw notFound('API key', id);
      if (key.revokedAt) return;
      const before = toApiKeyResponse(key);
      key.revokedAt = new Date();
      await manager.update(ApiKey, { id }, { revokedAt: key.revokedAt });
      await this.principals.changed(manager);
      await this.audit.record(manager, actor, {
        action: 'api_key.revoked',
        entityType: 'api_key',
        entityId: id,
        changes: diffChanges(before, toApiKeyResponse(key)),
      });
    });
    this.principals.clearLocal();
  }

  private async load(hash: string): Promise<KeyLookup> {
    const [row] = (await this.dataSource.query(
      `SELECT k.id, k.role, k.expires_at, k.models, u.id AS user_id, u.email
         FROM api_keys k JOIN users u ON u.id = k.owner_id
        WHERE k.secret_hash = $1 AND k.revoked_at IS NULL AND u.is_active`,
      [hash],
    )) as { id: string; role: Role; expires_at: Date | null; models: string[] | null; user_id: string; email: string }[];
    return {
      expiresAt: row?.expires_at ? row.expires_at.getTime() : null,
      principal: row
        ? {
            kind: 'api_key',
            id: row.id,
            userId: row.user_id,
            email: row.email,
            role: row.role,
            ...(row.models && { models: new Set(row.models) }),
          }
        : null,
    };
  }

  /** `last_used_at` is a hint, written at most once a minute per key and off the request path. */
  private touch(keyId: string, now: number): void {
    const last = this.lastUsedWritten.get(keyId) ?? 0;
    if (now - last < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(keyId, now);
    this.dataSource
      .query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [keyId])
      .catch((err: unknown) => this.logger.warn(`could not record API key use: ${String(err)}`));
  }
}

/** The ids, each once, in the order given; a field error names the first that is not a model. */
async function existingModels(manager: EntityManager, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const rows = (await manager.query(`SELECT id FROM models WHERE id = ANY($1::uuid[])`, [unique])) as { id: string }[];
  const found = new Set(rows.map((r) => r.id));
  const missing = ids.findIndex((id) => !found.has(id));
  if (missing >= 0) throw fieldError(`models[${missing}]`, `models[${missing}] does not name a model`);
  return unique;
}
