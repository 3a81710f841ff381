import { Routes } from '@angular/router';
import { PlaygroundPage } from './playground.page';

export const PLAYGROUND_ROUTES: Routes = [{ path: '', title: 'Playground', component: PlaygroundPage }];
