import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse, ApiExtension } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../common/actor.js';
import { ProblemResponse } from '../common/problem.dto.js';
import type { Role } from './user.entity.js';
import './principal.js';

export const PUBLIC_KEY = 'switchboard:public';
export const ROLES_KEY = 'switchboard:roles';

/** Opts a route out of authentication; every other route needs `@Roles`. */
export const Public = () => applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiExtension('x-public', true));

/** The roles allowed on a route (or every route of a controller), documented in the OpenAPI document. */
export const Roles = (...roles: Role[]) =>
  applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiBearerAuth(),
    ApiExtension('x-roles', roles),
    ApiUnauthorizedResponse({ description: 'No or invalid credentials', type: ProblemResponse }),
    ApiForbiddenResponse({ description: `Requires role: ${roles.join(' or ')}`, type: ProblemResponse }),
  );

export const ALL_ROLES: Role[] = ['admin', 'member', 'auditor'];

/** The caller as an audit actor, with the request's id, IP and user agent. */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  return actorOf(ctx.switchToHttp().getRequest<FastifyRequest>());
});

export function actorOf(request: FastifyRequest): Actor {
  const p = request.principal;
  return {
    type: p ? p.kind : 'anonymous',
    id: p?.id ?? null,
    userId: p?.userId ?? null,
    email: p?.email ?? null,
    role: p?.role ?? null,
    ...(p?.models && { models: p.models }),
    requestId: String(request.id),
    ip: request.ip ?? null,
    userAgent: (request.headers['user-agent'] ?? '').slice(0, 500) || null,
  };
}
