import { inject } from '@angular/core';
import { Routes } from '@angular/router';
import { redirectSignedIn, requireArea, requireSession } from './core/auth/auth.guards';
import { SessionService } from './core/auth/session.service';
import { homePath } from './core/navigation/console-areas';

export const routes: Routes = [
  {
    path: 'sign-in',
    title: 'Sign in',
    canActivate: [redirectSignedIn],
    loadComponent: () => import('./features/auth/sign-in.page').then((m) => m.SignInPage),
  },
  {
    path: '',
    canMatch: [requireSession],
    loadComponent: () => import('./core/layout/shell.component').then((m) => m.ShellComponent),
    children: [
      { path: '', pathMatch: 'full', redirectTo: () => homePath(inject(SessionService).role()) },
      {
        path: 'providers',
        canMatch: [requireArea('providers')],
        loadChildren: () => import('./features/providers/providers.routes').then((m) => m.PROVIDERS_ROUTES),
      },
      {
        path: 'models',
        canMatch: [requireArea('models')],
        loadChildren: () => import('./features/models/models.routes').then((m) => m.MODELS_ROUTES),
      },
      {
        path: 'knowledge-bases',
        canMatch: [requireArea('knowledge-bases')],
        loadChildren: () => import('./features/knowledge-bases/knowledge-bases.routes').then((m) => m.KNOWLEDGE_BASES_ROUTES),
      },
      {
        path: 'playground',
        canMatch: [requireArea('playground')],
        loadChildren: () => import('./features/playground/playground.routes').then((m) => m.PLAYGROUND_ROUTES),
      },
      {
        path: 'usage',
        canMatch: [requireArea('usage')],
        loadChildren: () => import('./features/usage/usage.routes').then((m) => m.USAGE_ROUTES),
      },
      {
        path: 'audit',
        canMatch: [requireArea('audit')],
        loadChildren: () => import('./features/audit/audit.routes').then((m) => m.AUDIT_ROUTES),
      },
      {
        path: 'access',
        canMatch: [requireArea('access')],
        loadChildren: () => import('./features/access/access.routes').then((m) => m.ACCESS_ROUTES),
      },
      {
        path: 'settings',
        canMatch: [requireArea('settings')],
        loadChildren: () => import('./features/settings/settings.routes').then((m) => m.SETTINGS_ROUTES),
      },
    ],
  },
  // Unknown paths and areas the role may not open land on the role's first area.
  { path: '**', redirectTo: '' },
];
