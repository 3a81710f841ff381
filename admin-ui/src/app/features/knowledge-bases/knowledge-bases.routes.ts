import { Routes } from '@angular/router';
import { KnowledgeBasesPage } from './knowledge-bases.page';

export const KNOWLEDGE_BASES_ROUTES: Routes = [{ path: '', title: 'Knowledge bases', component: KnowledgeBasesPage }];
