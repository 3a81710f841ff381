import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { DomainError, notFound } from '../common/domain-error.js';
import type { ChangePasswordRequest, LoginRequest, TokenResponse } from './dto/auth.dto.js';
import { toUserResponse, type UserResponse } from './dto/user.dto.js';
import { LoginThrottle } from './login-throttle.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords.js';
import { invalidRefresh, TokensService } from './tokens.service.js';
import { User } from './user.entity.js';

const badCredentials = () => new DomainError('unauthenticated', 'auth.invalid_credentials', 'The email or password is incorrect');

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: TokensService,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditService,
  ) {}

  async login(anonymous: Actor, body: LoginRequest): Promise<TokenResponse> {
    const ip = anonymous.ip ?? 'unknown';
    await this.throttle.takeAttempt(ip, body.email);
    const user = await this.dataSource.getRepository(User).findOne({ where: { email: body.email } });
    const ok = user ? await verifyPassword(user.passwordHash, body.password) : (await burnPasswordCheck(body.password), false);
    if (!user || !ok || !user.isActive) {
      await this.audit.recordAlone(
        { ...anonymous, email: body.email },
        {
          action: 'auth.login_failed',
          outcome: 'failed',
          entityType: 'user',
          entityId: user?.id ?? null,
          changes: { reason: { after: !user ? 'unknown_email' : !ok ? 'wrong_password' : 'inactive_user' } },
        },
      );
      throw badCredentials();
    }
    await this.throttle.recordSuccess(ip, body.email);
    return this.dataSource.transaction(async (manager) => {
      user.lastLoginAt = new Date();
      await manager.update(User, { id: user.id }, { lastLoginAt: user.lastLoginAt });
      const tokens = await this.tokens.issue(manager, user);
      await this.audit.record(manager, actorFor(user, anonymous), { action: 'auth.login', entityType: 'user', entityId: user.id });
      return { ...tokens, user: toUserResponse(user) };
    });
  }

  async refresh(anonymous: Actor, refreshToken: string): Promise<TokenResponse> {
    const result = await this.dataSource.transaction(async (manager) => {
      const rotated = await this.tokens.rotate(manager, refreshToken);
      if (!rotated) {
        await this.audit.record(manager, anonymous, { action: 'auth.refresh_reused', outcome: 'denied', entityType: 'session' });
      } else {
        await this.audit.record(manager, actorFor(rotated.user, anonymous), {
          action: 'auth.refreshed',
          entityType: 'user',
          entityId: rotated.user.id,
        });
      }
      return rotated;
    });
    if (!result) throw invalidRefresh();
    return { ...result.tokens, user: toUserResponse(result.user) };
  }

  async logout(actor: Actor, refreshToken: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const row = await this.tokens.revoke(manager, refreshToken);
      if (row && row.userId === actor.userId) {
        await this.audit.record(manager, actor, { action: 'auth.logout', entityType: 'user', entityId: row.userId });
      }
    });
  }

  async me(actor: Actor): Promise<UserResponse> {
    const user = await this.dataSource.getRepository(User).findOne({ where: { id: actor.userId ?? undefined } });
    if (!user) throw notFound('user', actor.userId ?? undefined);
    return toUserResponse(user);
  }

  async changePassword(actor: Actor, body: ChangePasswordRequest): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const user = await manager.findOne(User, { where: { id: actor.userId ?? undefined }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw notFound('user', actor.userId ?? undefined);
      if (!(await verifyPassword(user.passwordHash, body.current_password))) {
        throw new DomainError('validation', 'auth.wrong_password', 'The current password is incorrect', {
          errors: [{ field: 'current_password', message: 'current_password is incorrect' }],
        });
      }
      await manager.update(User, { id: user.id }, { passwordHash: await hashPassword(body.new_password), updatedAt: new Date() });
      await this.tokens.revokeAllFor(manager, user.id);
      await this.audit.record(manager, actor, {
        action: 'user.password_changed',
        entityType: 'user',
        entityId: user.id,
        changes: { password: { before: '********', after: '********' } },
      });
    });
  }
}

function actorFor(user: User, request: Actor): Actor {
  return { ...request, type: 'user', id: user.id, userId: user.id, email: user.email, role: user.role };
}
