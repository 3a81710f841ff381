import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AuditService } from '../audit/audit.service.js';
import { DomainError } from '../common/domain-error.js';
import { ApiKeysService } from './api-keys.service.js';
import type { Principal } from './principal.js';
import { actorOf, PUBLIC_KEY, ROLES_KEY } from './roles.decorator.js';
import { TokensService } from './tokens.service.js';
import type { Role } from './user.entity.js';

const unauthenticated = (message: string) => new DomainError('unauthenticated', 'unauthenticated', message);

/**
 * Deny by default: a route is reachable only when marked `@Public()` or when the caller holds
 * one of its `@Roles()`. A route with neither is refused for everyone (and fails the route test).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
    private readonly apiKeys: ApiKeysService,
    private readonly audit: AuditService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [];
    await this.admit(context.switchToHttp().getRequest<FastifyRequest>(), roles);
    return true;
  }

  /** Authenticates the caller onto the request and checks they hold one of `roles`; a refusal is audited. */
  async admit(request: FastifyRequest, roles: readonly Role[]): Promise<void> {
    request.principal = await this.authenticate(request);
    if (roles.includes(request.principal.role)) return;
    await this.audit.recordAlone(actorOf(request), {
      action: 'auth.access_denied',
      outcome: 'denied',
      entityType: 'route',
      entityId: `${request.method} ${request.routeOptions.url ?? request.url}`,
    });
    throw new DomainError(
      'forbidden',
      'forbidden',
      roles.length === 0 ? 'This route is not open to any role' : `This requires the ${roles.join(' or ')} role`,
    );
  }

  async authenticate(request: FastifyRequest): Promise<Principal> {
    const header = request.headers.authorization;
    if (!header) throw unauthenticated('Sign in or send an API key as "Authorization: Bearer <token>"');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>"');
    const token = match[1];
    const principal = ApiKeysService.looksLikeKey(token)
      ? await this.apiKeys.authenticate(token)
      : await this.tokens.verifyAccessToken(token);
    if (!principal) throw unauthenticated('The token or API key is invalid, expired or revoked');
    return principal;
  }
}
