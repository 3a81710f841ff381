/** One account per role: the admin is seeded from ADMIN_EMAIL/ADMIN_PASSWORD, global-setup adds the others. */
export const ACCOUNTS = {
  admin: { email: 'admin@e2e.example.com', password: 'admin-password-e2e-1', displayName: 'Administrator' },
  member: { email: 'member@e2e.example.com', password: 'member-password-e2e-1', displayName: 'Max Member' },
  auditor: { email: 'auditor@e2e.example.com', password: 'auditor-password-e2e-1', displayName: 'Audrey Auditor' },
} as const;

export type AccountRole = keyof typeof ACCOUNTS;

export const BASE_URL_VARIABLE = 'SWITCHBOARD_E2E_BASE_URL';
