import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, type DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { diffChanges } from '../audit/audit-changes.js';
import type { Actor } from '../common/actor.js';
import { DomainError, notFound } from '../common/domain-error.js';
import { pageWindow } from '../common/pagination.js';
import {
  type CreateUserRequest,
  type UpdateUserRequest,
  type UserListQuery,
  type UserPage,
  type UserResponse,
  toUserResponse,
} from './dto/user.dto.js';
import { hashPassword } from './passwords.js';
import { PrincipalCache } from './principal-cache.js';
import { TokensService } from './tokens.service.js';
import { User } from './user.entity.js';

const emailTaken = (email: string) =>
  new DomainError('conflict', 'user.email_taken', `A user with email ${email} already exists`, {
    errors: [{ field: 'email', message: 'email is already in use' }],
  });

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly tokens: TokensService,
    private readonly principals: PrincipalCache,
  ) {}

  async list(query: UserListQuery): Promise<UserPage> {
    const { skip, take, page, pageSize } = pageWindow(query);
    const qb = this.dataSource.getRepository(User).createQueryBuilder('u');
    if (query.role) qb.andWhere('u.role = :role', { role: query.role });
    if (query.search) {
      const like = `%${query.search.replace(/[\\%_]/g, '\\$&')}%`;
      qb.andWhere(new Brackets((w) => w.where('u.email ILIKE :like', { like }).orWhere('u.display_name ILIKE :like', { like })));
    }
    const [users, total] = await qb.orderBy('u.email').skip(skip).take(take).getManyAndCount();
    return { items: users.map(toUserResponse), page, page_size: pageSize, total };
  }

  async get(id: string): Promise<UserResponse> {
    const user = await this.dataSource.getRepository(User).findOne({ where: { id } });
    if (!user) throw notFound('user', id);
    return toUserResponse(user);
  }

  async create(actor: Actor, body: CreateUserRequest): Promise<UserResponse> {
    const passwordHash = await hashPassword(body.password);
    return this.dataSource.transaction(async (manager) => {
      if (await manager.exists(User, { where: { email: body.email } })) throw emailTaken(body.email);
      const user = manager.create(User, { email: body.email, displayName: body.display_name, role: body.role, passwordHash });
      await manager.save(user);
      const response = toUserResponse(user);
      await this.audit.record(manager, actor, {
        action: 'user.created',
        entityType: 'user',
        entityId: user.id,
        changes: diffChanges(undefined, { ...response, password: body.password }),
      });
      return response;
    });
  }

  async update(actor: Actor, id: string, body: UpdateUserRequest): Promise<UserResponse> {
    const passwordHash = body.password ? await hashPassword(body.password) : undefined;
    const result = await this.dataSource.transaction(async (manager) => {
      const user = await manager.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw notFound('user', id);
      const before = toUserResponse(user);
      const losesAdmin =
        user.role === 'admin' && user.isActive && ((body.role !== undefined && body.role !== 'admin') || body.is_active === false);
      if (losesAdmin) await this.assertAnotherAdmin(manager, id);
      if (body.display_name !== undefined) user.displayName = body.display_name;
      if (body.role !== undefined) user.role = body.role;
      if (body.is_active !== undefined) user.isActive = body.is_active;
      if (passwordHash) user.passwordHash = passwordHash;
      user.updatedAt = new Date();
      await manager.save(user);
      if (passwordHash || body.is_active === false || body.role !== undefined) await this.tokens.revokeAllFor(manager, id);
      const after = toUserResponse(user);
      const changes = diffChanges(
        { ...before, updated_at: undefined },
        { ...after, updated_at: undefined, ...(body.password ? { password: body.password } : {}) },
      );
      await this.principals.changed(manager);
      await this.audit.record(manager, actor, { action: 'user.updated', entityType: 'user', entityId: id, changes });
      return after;
    });
    this.principals.clearLocal();
    return result;
  }

  async remove(actor: Actor, id: string): Promise<void> {
    if (id === actor.userId) throw new DomainError('bad_request', 'user.delete_self', 'You cannot delete your own account');
    await this.dataSource.transaction(async (manager) => {
      const user = await manager.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw notFound('user', id);
      if (user.role === 'admin' && user.isActive) await this.assertAnotherAdmin(manager, id);
      await manager.delete(User, { id });
      await this.principals.changed(manager);
      await this.audit.record(manager, actor, {
        action: 'user.deleted',
        entityType: 'user',
        entityId: id,
        changes: diffChanges(toUserResponse(user), undefined),
      });
    });
    this.principals.clearLocal();
  }

  /** Locks the active admins so two requests cannot each remove "the other" last admin. */
  private async assertAnotherAdmin(manager: EntityManager, leaving: string): Promise<void> {
    const admins = (await manager.query(`SELECT id FROM users WHERE role = 'admin' AND is_active ORDER BY id FOR UPDATE`)) as {
      id: string;
    }[];
    if (!admins.some((a) => a.id !== leaving)) {
      throw new DomainError('bad_request', 'user.last_admin', 'This is the last active admin; make another user admin first');
    }
  }
}
