import type { AccountRole } from './accounts.js';

/**
 * What each role should find in the side nav, in order, with each page's heading (the brief's
 * table) and the element that shows the page has loaded its content.
 */
export const AREAS_BY_ROLE: Record<AccountRole, { id: string; path: string; heading: string; content: string }[]> = {
  admin: [
    { id: 'providers', path: '/providers', heading: 'Providers', content: 'provider-list-table' },
    { id: 'models', path: '/models', heading: 'Models', content: 'model-list-table' },
    { id: 'knowledge-bases', path: '/knowledge-bases', heading: 'Knowledge bases', content: 'knowledge-base-list' },
    { id: 'playground', path: '/playground', heading: 'Playground', content: 'chat-panel' },
    { id: 'usage', path: '/usage', heading: 'Usage', content: 'usage-filters' },
    { id: 'audit', path: '/audit', heading: 'Audit log', content: 'audit-event-list' },
    { id: 'access', path: '/access', heading: 'Users & API keys', content: 'users-panel' },
    { id: 'settings', path: '/settings', heading: 'Settings', content: 'settings-list' },
  ],
  auditor: [
    { id: 'providers', path: '/providers', heading: 'Providers', content: 'provider-list-table' },
    { id: 'models', path: '/models', heading: 'Models', content: 'model-list-table' },
    { id: 'usage', path: '/usage', heading: 'Usage', content: 'usage-filters' },
    { id: 'audit', path: '/audit', heading: 'Audit log', content: 'audit-event-list' },
    { id: 'settings', path: '/settings', heading: 'Settings', content: 'settings-list' },
  ],
  member: [
    { id: 'models', path: '/models', heading: 'Models', content: 'model-list-table' },
    { id: 'knowledge-bases', path: '/knowledge-bases', heading: 'Knowledge bases', content: 'knowledge-base-list' },
    { id: 'playground', path: '/playground', heading: 'Playground', content: 'chat-panel' },
    { id: 'access', path: '/access', heading: 'API keys', content: 'api-keys-panel' },
  ],
};
