import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { PUBLIC_KEY, ROLES_KEY } from '../../src/auth/roles.decorator.js';
import type { Role } from '../../src/auth/user.entity.js';
import { API_PREFIX, ROOT_ROUTES } from '../../src/app.factory.js';

export interface RouteInfo {
  method: string;
  path: string;
  handler: string;
  isPublic: boolean;
  roles: Role[] | undefined;
}

/** Every controller route the app serves, with its auth metadata, read from Nest itself. */
export function listRoutes(app: INestApplication): RouteInfo[] {
  const discovery = app.get(DiscoveryService);
  const scanner = app.get(MetadataScanner);
  const reflector = app.get(Reflector);
  const routes: RouteInfo[] = [];
  for (const wrapper of discovery.getControllers()) {
    const { instance, metatype } = wrapper;
    if (!instance || !metatype) continue;
    const base = String(Reflect.getMetadata(PATH_METADATA, metatype) ?? '');
    const proto = Object.getPrototypeOf(instance) as object;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = (proto as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
      const sub = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (sub === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const raw = [base, sub]
        .filter((p) => p && p !== '/')
        .join('/')
        .replace(/\/+/g, '/')
        .replace(/^\//, '');
      const isRoot = ROOT_ROUTES.some((r) => r.path === raw);
      routes.push({
        method,
        path: isRoot ? `/${raw}` : `/${API_PREFIX}/${raw}`.replace(/\/$/, ''),
        handler: `${metatype.name}.${name}`,
        isPublic: Boolean(reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [handler, metatype])),
        roles: reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [handler, metatype]),
      });
    }
  }
  return routes;
}

/** A concrete URL for a route pattern: ids become random UUIDs, other params a plausible word. */
export function concretePath(path: string): string {
  return path.replace(/:(\w+)/g, (_m, name: string) => (name.endsWith('id') ? '00000000-0000-4000-8000-000000000000' : 'example'));
}
