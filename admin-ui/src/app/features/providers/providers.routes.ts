import { Routes } from '@angular/router';
import { ProvidersPage } from './providers.page';

export const PROVIDERS_ROUTES: Routes = [{ path: '', title: 'Providers', component: ProvidersPage }];
