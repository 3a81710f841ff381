import type { AccountRole } from './accounts.js';

/** What each role should find in the side nav, in order, with each page's heading (the brief's table). */
export const AREAS_BY_ROLE: Record<AccountRole, { id: string; path: string; heading: string }[]> = {
  admin: [
    { id: 'providers', path: '/providers', heading: 'Providers' },
    { id: 'models', path: '/models', heading: 'Models' },
    { id: 'knowledge-bases', path: '/knowledge-bases', heading: 'Knowledge bases' },
    { id: 'playground', path: '/playground', heading: 'Playground' },
    { id: 'usage', path: '/usage', heading: 'Usage' },
    { id: 'audit', path: '/audit', heading: 'Audit log' },
    { id: 'access', path: '/access', heading: 'Users & API keys' },
    { id: 'settings', path: '/settings', heading: 'Settings' },
  ],
  auditor: [
    { id: 'providers', path: '/providers', heading: 'Providers' },
    { id: 'models', path: '/models', heading: 'Models' },
    { id: 'audit', path: '/audit', heading: 'Audit log' },
    { id: 'settings', path: '/settings', heading: 'Settings' },
  ],
  member: [
    { id: 'models', path: '/models', heading: 'Models' },
    { id: 'knowledge-bases', path: '/knowledge-bases', heading: 'Knowledge bases' },
    { id: 'playground', path: '/playground', heading: 'Playground' },
    { id: 'access', path: '/access', heading: 'API keys' },
  ],
};
