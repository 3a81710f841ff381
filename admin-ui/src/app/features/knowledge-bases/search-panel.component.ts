import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import type { KnowledgeBaseResponse, SearchResponse } from '../../api/models';
import { problemMessage } from '../../core/http/problem';
import { AlertComponent } from '../../shared/alert.component';
import { integer, validationMessage } from '../../shared/forms';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import { KnowledgeBasesService } from './knowledge-bases.service';
import { SearchResultsComponent } from './search-results.component';

/** A query box to try retrieval as conversations use it (hybrid search, top k chunks). */
@Component({
  selector: 'sb-search-panel',
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    AlertComponent,
    LoadingBarComponent,
    SearchResultsComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="sb-card panel" aria-labelledby="search-heading">
      <sb-loading-bar [active]="searching()" label="Searching" />
      <h2 id="search-heading">Try retrieval</h2>
      <p class="intro">The chunks a conversation on this knowledge base would be given for a question, best first.</p>
      <form [formGroup]="form" (ngSubmit)="search()" novalidate class="search-form" aria-label="Search the knowledge base">
        <mat-form-field appearance="outline" class="query">
          <mat-icon matPrefix>search</mat-icon>
          <mat-label>Question or keywords</mat-label>
          <input matInput formControlName="query" autocomplete="off" data-testid="kb-query-input" />
          <mat-error>{{ message(form.controls.query, { required: 'Type what to look for' }) }}</mat-error>
        </mat-form-field>
        <mat-form-field appearance="outline" class="top-k">
          <mat-label>Chunks</mat-label>
          <input matInput type="number" min="1" max="50" formControlName="top_k" data-testid="kb-top-k-input" />
          <mat-error>{{ message(form.controls.top_k, { min: '1–50', max: '1–50' }) }}</mat-error>
        </mat-form-field>
        <button mat-flat-button type="submit" [disabled]="searching()" data-testid="kb-search-button">Search</button>
      </form>
      @if (error(); as problem) {
        <sb-alert data-testid="kb-search-error">{{ problem }}</sb-alert>
      }
      @if (response(); as r) {
        <sb-search-results [response]="r" [knowledgeBaseId]="kb().id" [modelName]="kb().embedding_model.name" />
      }
    </section>
  `,
  styles: `
    .panel {
      padding: 16px;
    }
    h2 {
      margin: 0;
      font: var(--mat-sys-title-medium);
    }
    .intro {
      margin: 4px 0 16px;
      color: var(--mat-sys-on-surface-variant);
    }
    .search-form {
      display: flex;
      flex-wrap: wrap;
      align-items: flex-start;
      gap: 12px;
    }
    .query {
      flex: 1 1 320px;
    }
    .top-k {
      width: 110px;
    }
    .search-form button {
      height: 56px;
    }
    sb-alert {
      margin-bottom: 12px;
    }
  `,
})
export class SearchPanelComponent {
  private readonly service = inject(KnowledgeBasesService);
  readonly kb = input.required<KnowledgeBaseResponse>();

  protected readonly form = inject(NonNullableFormBuilder).group({
    query: ['', [Validators.required, Validators.maxLength(2000)]],
    top_k: [5, [Validators.required, Validators.min(1), Validators.max(50), integer]],
  });
  protected readonly message = validationMessage;
  protected readonly searching = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly response = signal<SearchResponse | null>(null);

  protected async search(): Promise<void> {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { query, top_k } = this.form.getRawValue();
    this.searching.set(true);
    this.error.set(null);
    try {
      this.response.set(await this.service.search(this.kb().id, { query: query.trim(), top_k: Number(top_k) }));
    } catch (error) {
      this.error.set(problemMessage(error));
    } finally {
      this.searching.set(false);
    }
  }
}
