import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { ActivatedRoute } from '@angular/router';
import { KnowledgeBaseDetailComponent } from './knowledge-base-detail.component';
import { KnowledgeBaseListComponent } from './knowledge-base-list.component';
import { KnowledgeBasesService } from './knowledge-bases.service';

/**
 * The knowledge bases area: the list, or one knowledge base when `?kb=<id>` names it. The
 * playground's source links add `&document=<id>#<anchor>`, which highlight that document.
 */
@Component({
  selector: 'sb-knowledge-bases-page',
  imports: [KnowledgeBaseDetailComponent, KnowledgeBaseListComponent],
  providers: [KnowledgeBasesService],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (kb(); as id) {
      <sb-knowledge-base-detail [id]="id" [documentId]="document() ?? null" [anchor]="fragment() ?? null" />
    } @else {
      <sb-knowledge-base-list />
    }
  `,
})
export class KnowledgeBasesPage {
  /** Query parameters (router input binding). */
  readonly kb = input<string>();
  readonly document = input<string>();
  protected readonly fragment = toSignal(inject(ActivatedRoute).fragment);
}
