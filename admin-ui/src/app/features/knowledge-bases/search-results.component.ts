import { DecimalPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';
import { RouterLink } from '@angular/router';
import type { SearchHitDto, SearchResponse } from '../../api/models';
import { plural } from './knowledge-base-state';

/** What a test search found: each chunk with its document, anchor, scores and text, best first. */
@Component({
  selector: 'sb-search-results',
  imports: [DecimalPipe, MatIconModule, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let r = response();
    <p class="summary" data-testid="search-summary" role="status">
      {{ summary() }}
    </p>
    @if (r.items.length) {
      <ol class="hits" data-testid="search-results">
        @for (hit of r.items; track hit.chunk_id; let i = $index) {
          <li class="hit" [attr.data-testid]="'search-hit-' + i">
            <div class="head">
              <span class="rank" aria-hidden="true">{{ i + 1 }}</span>
              <div class="where">
                <a
                  class="title"
                  [routerLink]="[]"
                  [queryParams]="{ kb: knowledgeBaseId(), document: hit.document_id }"
                  [fragment]="hit.anchor ?? undefined"
                  data-testid="search-hit-title"
                  >{{ hit.title }}</a
                >
                @if (hit.heading || hit.anchor) {
                  <span class="section" data-testid="search-hit-anchor">
                    @if (hit.heading) {
                      {{ hit.heading }}
                    }
                    @if (hit.anchor) {
                      <span class="mono anchor">#{{ hit.anchor }}</span>
                    }
                  </span>
                }
              </div>
              <span class="score" data-testid="search-hit-score" [title]="'Reciprocal-rank-fusion score: ' + hit.score">
                <span class="cdk-visually-hidden">Score</span>{{ hit.score | number: '1.4-4' }}
              </span>
            </div>
            <p class="content" data-testid="search-hit-content">{{ hit.content }}</p>
            <div class="ranks">{{ ranks(hit) }}</div>
          </li>
        }
      </ol>
    }
  `,
  styles: `
    :host {
      display: block;
    }
    .summary {
      margin: 0 0 8px;
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
    .hits {
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .hit {
      padding: 12px 16px;
      border: 1px solid var(--mat-sys-outline-variant);
      border-radius: 12px;
      background: var(--mat-sys-surface);
    }
    .hit + .hit {
      margin-top: 8px;
    }
    .head {
      display: flex;
      align-items: flex-start;
      gap: 12px;
    }
    .rank {
      display: grid;
      place-items: center;
      flex: none;
      width: 24px;
      height: 24px;
      border-radius: 50%;
      font: var(--mat-sys-label-medium);
      background: var(--mat-sys-secondary-container);
      color: var(--mat-sys-on-secondary-container);
    }
    .where {
      display: flex;
      flex: 1;
      flex-direction: column;
      min-width: 0;
    }
    .title {
      font: var(--mat-sys-title-small);
      color: var(--mat-sys-primary);
    }
    .section {
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
    .anchor {
      margin-left: 4px;
    }
    .score {
      font: var(--mat-sys-label-large);
      font-variant-numeric: tabular-nums;
    }
    .content {
      margin: 8px 0 4px 36px;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
      max-height: 12em;
      overflow: auto;
    }
    .ranks {
      margin-left: 36px;
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class SearchResultsComponent {
  readonly response = input.required<SearchResponse>();
  /** The knowledge base the hits link into. */
  readonly knowledgeBaseId = input.required<string>();
  /** The embedding model's name, when known, for the summary. */
  readonly modelName = input<string | null>(null);

  protected readonly summary = computed(() => {
    const r = this.response();
    if (r.items.length === 0) return 'No chunk matches. Documents still indexing are not searched yet; try other words.';
    const how = r.vector_search === 'pgvector' ? 'pgvector' : 'exact vector scan';
    const model = this.modelName() ? ` · queries embedded with ${this.modelName()}` : '';
    return `${plural(r.items.length, 'chunk')} in ${r.took_ms} ms · full text and ${how}, fused by rank${model}`;
  });

  /** How the chunk ranked in each list: "vector #1 (0.83) · text #2", or "text only". */
  protected ranks(hit: SearchHitDto): string {
    const parts: string[] = [];
    if (hit.vector_rank !== null) {
      parts.push(`vector #${hit.vector_rank}${hit.similarity !== null ? ` (similarity ${hit.similarity.toFixed(2)})` : ''}`);
    }
    if (hit.text_rank !== null) parts.push(`full text #${hit.text_rank}`);
    return parts.length ? parts.join(' · ') : '';
  }
}
