import { inject } from '@angular/core';
import { Routes } from '@angular/router';
import { SessionService } from '../../core/auth/session.service';
import { area, areaLabel } from '../../core/navigation/console-areas';
import { AccessPage } from './access.page';

export const ACCESS_ROUTES: Routes = [
  { path: '', title: () => areaLabel(area('access'), inject(SessionService).role()), component: AccessPage },
];
