import type { Role } from '../auth/roles';

export type AreaId = 'providers' | 'models' | 'knowledge-bases' | 'playground' | 'usage' | 'audit' | 'access' | 'settings';

export interface ConsoleArea {
  id: AreaId;
  /** Route path; also names the feature folder and the nav item's test id (`nav-<id>`). */
  path: string;
  label: string;
  /** Material icon ligature. */
  icon: string;
  section: 'Registry' | 'Build' | 'Governance';
  roles: readonly Role[];
  /** A shorter label for roles that see only part of the area. */
  labelFor?: Partial<Record<Role, string>>;
}

/**
 * Every area of the console and who may open it. The router's guards and the side nav both read
 * this table, so a role never sees a link it cannot follow.
 */
export const CONSOLE_AREAS: readonly ConsoleArea[] = [
  { id: 'providers', path: 'providers', label: 'Providers', icon: 'hub', section: 'Registry', roles: ['admin', 'auditor'] },
  { id: 'models', path: 'models', label: 'Models', icon: 'view_in_ar', section: 'Registry', roles: ['admin', 'member', 'auditor'] },
  {
    id: 'knowledge-bases',
    path: 'knowledge-bases',
    label: 'Knowledge bases',
    icon: 'library_books',
    section: 'Registry',
    roles: ['admin', 'member'],
  },
  { id: 'playground', path: 'playground', label: 'Playground', icon: 'forum', section: 'Build', roles: ['admin', 'member'] },
  { id: 'usage', path: 'usage', label: 'Usage', icon: 'insights', section: 'Build', roles: ['admin', 'auditor'] },
  { id: 'audit', path: 'audit', label: 'Audit log', icon: 'fact_check', section: 'Governance', roles: ['admin', 'auditor'] },
  {
    id: 'access',
    path: 'access',
    label: 'Users & API keys',
    icon: 'manage_accounts',
    section: 'Governance',
    roles: ['admin', 'member'],
    // Members manage only their own API keys.
    labelFor: { member: 'API keys' },
  },
  { id: 'settings', path: 'settings', label: 'Settings', icon: 'settings', section: 'Governance', roles: ['admin', 'auditor'] },
];

export function area(id: AreaId): ConsoleArea {
  const found = CONSOLE_AREAS.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`Unknown console area: ${id}`);
  return found;
}

export function canOpen(role: Role | null, id: AreaId): boolean {
  return role !== null && area(id).roles.includes(role);
}

export function areasFor(role: Role | null): ConsoleArea[] {
  return role === null ? [] : CONSOLE_AREAS.filter((candidate) => candidate.roles.includes(role));
}

export function areaLabel(candidate: ConsoleArea, role: Role | null): string {
  return (role && candidate.labelFor?.[role]) ?? candidate.label;
}

/** Where "/" leads: the first area the role may open. */
export function homePath(role: Role | null): string {
  return areasFor(role)[0]?.path ?? 'sign-in';
}
