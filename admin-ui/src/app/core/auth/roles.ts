import type { UserResponse } from '../../api/models';

/** Roles as the API names them; derived from the generated DTO so a new role breaks the build here. */
export type Role = UserResponse['role'];

export const ALL_ROLES: readonly Role[] = ['admin', 'member', 'auditor'];

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Administrator',
  member: 'Member',
  auditor: 'Auditor',
};
