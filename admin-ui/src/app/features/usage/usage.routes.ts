import { Routes } from '@angular/router';
import { UsagePage } from './usage.page';

export const USAGE_ROUTES: Routes = [{ path: '', title: 'Usage', component: UsagePage }];
