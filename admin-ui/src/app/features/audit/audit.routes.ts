import { Routes } from '@angular/router';
import { AuditPage } from './audit.page';

export const AUDIT_ROUTES: Routes = [{ path: '', title: 'Audit log', component: AuditPage }];
