import { ChangeDetectionStrategy, Component, computed, inject, input, output, resource } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import type { DocumentResponse, SearchHitDto } from '../../api/models';
import { AlertComponent } from '../../shared/alert.component';
import { loadError } from '../../shared/latest';
import { DocumentStatusComponent } from './document-status.component';
import { KnowledgeBasesService } from './knowledge-bases.service';

/** "vacation-policy" → "vacation policy": the words of a heading slug, to search for its chunk. */
export function anchorWords(anchor: string): string {
  return anchor.replace(/[-_#]+/g, ' ').trim();
}

/** The chunks of one document under one anchor, in document order. */
export function chunksAt(hits: SearchHitDto[], documentId: string, anchor: string): SearchHitDto[] {
  return hits.filter((hit) => hit.document_id === documentId && hit.anchor === anchor).sort((a, b) => a.ordinal - b.ordinal);
}

/**
 * The document a source link points at (`?document=<id>#<anchor>`), and the passage under that
 * anchor when a search for the anchor's words finds it: the API has no call that reads a chunk.
 */
@Component({
  selector: 'sb-linked-source',
  imports: [MatButtonModule, MatIconModule, AlertComponent, DocumentStatusComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { 'data-testid': 'linked-source', role: 'region', 'aria-label': 'Linked source' },
  template: `
    <div class="head">
      <mat-icon aria-hidden="true">link</mat-icon>
      <span class="label">Opened from a source</span>
      <span class="spacer"></span>
      <button mat-button type="button" data-testid="clear-linked-source" (click)="clear.emit()">Clear</button>
    </div>
    @if (documentProblem(); as problem) {
      <sb-alert kind="warning">This document is no longer here: {{ problem }}</sb-alert>
    } @else if (doc(); as d) {
      <div class="doc">
        <div>
          <span class="title" data-testid="linked-document-title">{{ d.title }}</span>
          @if (anchor()) {
            <span class="mono anchor" data-testid="linked-anchor">#{{ anchor() }}</span>
          }
        </div>
        <sb-document-status [document]="d" />
      </div>
      @if (passage().length) {
        <blockquote data-testid="linked-passage">
          @for (chunk of passage(); track chunk.chunk_id) {
            @if (chunk.heading) {
              <span class="heading">{{ chunk.heading }}</span>
            }
            <p>{{ chunk.content }}</p>
          }
        </blockquote>
      } @else if (anchor() && !lookup.isLoading()) {
        <p class="muted">The passage under #{{ anchor() }} could not be shown here.</p>
      }
    } @else {
      <p class="muted">Loading the document…</p>
    }
  `,
  styles: `
    :host {
      display: block;
      padding: 12px 16px 16px;
      border: 1px solid color-mix(in srgb, var(--mat-sys-tertiary) 40%, transparent);
      border-left: 4px solid var(--mat-sys-tertiary);
      border-radius: 12px;
      background: color-mix(in srgb, var(--mat-sys-tertiary) 6%, var(--mat-sys-surface));
    }
    .head {
      display: flex;
      align-items: center;
      gap: 8px;
      color: var(--mat-sys-tertiary);
    }
    .label {
      font: var(--mat-sys-label-large);
    }
    .spacer {
      flex: 1;
    }
    .doc {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      justify-content: space-between;
      gap: 4px 16px;
    }
    .title {
      font: var(--mat-sys-title-medium);
    }
    .anchor {
      margin-left: 8px;
      color: var(--mat-sys-on-surface-variant);
    }
    blockquote {
      margin: 8px 0 0;
      padding: 8px 16px;
      border-radius: 8px;
      background: var(--mat-sys-surface);
      max-height: 16em;
      overflow: auto;
    }
    .heading {
      font: var(--mat-sys-label-large);
      color: var(--mat-sys-on-surface-variant);
    }
    p {
      margin: 4px 0 8px;
      white-space: pre-wrap;
    }
  `,
})
export class LinkedSourceComponent {
  private readonly service = inject(KnowledgeBasesService);
  readonly knowledgeBaseId = input.required<string>();
  readonly documentId = input.required<string>();
  readonly anchor = input<string | null>(null);
  readonly clear = output<void>();

  private readonly documentResource = resource({
    params: () => ({ kb: this.knowledgeBaseId(), document: this.documentId() }),
    loader: ({ params }) => this.service.document(params.kb, params.document),
  });
  protected readonly doc = computed<DocumentResponse | null>(() =>
    this.documentResource.hasValue() ? this.documentResource.value() : null,
  );
  protected readonly documentProblem = loadError(this.documentResource);

  protected readonly lookup = resource({
    params: () => {
      const anchor = this.anchor();
      return anchor && this.doc()?.status === 'indexed' ? { kb: this.knowledgeBaseId(), document: this.documentId(), anchor } : undefined;
    },
    loader: async ({ params }) => {
      const { items } = await this.service.search(params.kb, { query: anchorWords(params.anchor), top_k: 50 });
      return chunksAt(items, params.document, params.anchor);
    },
  });
  protected readonly passage = computed(() => (this.lookup.hasValue() ? this.lookup.value() : []));
}
