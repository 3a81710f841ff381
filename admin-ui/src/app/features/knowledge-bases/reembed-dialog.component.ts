import { ChangeDetectionStrategy, Component, computed, inject, resource, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormControl, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatSelectModule } from '@angular/material/select';
import { startWith } from 'rxjs';
import type { KnowledgeBaseResponse, ModelResponse } from '../../api/models';
import { problemMessage } from '../../core/http/problem';
import { AlertComponent } from '../../shared/alert.component';
import { applyServerErrors, validationMessage } from '../../shared/forms';
import { loadError } from '../../shared/latest';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import { dimensionsOf, plural } from './knowledge-base-state';
import { KnowledgeBasesService } from './knowledge-bases.service';

export interface ReembedDialogData {
  kb: KnowledgeBaseResponse;
  /** Preselected target (from the edit form's offer). */
  model?: ModelResponse;
}

/** Moves a knowledge base to another embedding model, of any dimensions, by building a new index. */
@Component({
  selector: 'sb-reembed-dialog',
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatIconModule,
    MatSelectModule,
    AlertComponent,
    LoadingBarComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { 'data-testid': 'reembed-modal' },
  template: `
    <sb-loading-bar [active]="models.isLoading() || starting()" />
    <h2 mat-dialog-title>Re-embed {{ kb.name }}</h2>
    <mat-dialog-content>
      @if (error(); as problem) {
        <sb-alert data-testid="reembed-error">{{ problem }}</sb-alert>
      }
      @if (modelsProblem(); as problem) {
        <sb-alert>The models could not be loaded: {{ problem }}</sb-alert>
      }
      <p class="lead">
        Embeds every chunk again with another model, into a new index beside the current one. Use it to move to a model of other dimensions.
      </p>
      <mat-form-field appearance="outline" class="target">
        <mat-label>New embedding model</mat-label>
        <mat-select [formControl]="target" data-testid="reembed-model-select">
          @for (model of candidates(); track model.id) {
            <mat-option [value]="model.id" [disabled]="dims(model) === null">
              {{ model.display_name }} <span class="muted">· {{ dims(model) === null ? 'no dimensions' : dims(model) + ' dims' }}</span>
            </mat-option>
          }
        </mat-select>
        <mat-error data-testid="reembed-model-error">{{ message(target, { required: 'Choose the model to move to' }) }}</mat-error>
      </mat-form-field>
      <dl class="compare" data-testid="reembed-comparison">
        <dt>Now</dt>
        <dd>{{ kb.embedding_model.name }} · {{ kb.dimensions }} dimensions</dd>
        <dt>After the cut-over</dt>
        <dd>{{ chosen()?.display_name ?? '—' }}{{ chosen() ? ' · ' + (dims(chosen()!) ?? '?') + ' dimensions' : '' }}</dd>
      </dl>
      <sb-alert kind="info" data-testid="reembed-explanation">
        Searches and conversations keep using the current index ({{ kb.embedding_model.name }}) while the new one is built
        {{ kb.chunk_count ? '— ' + chunks + ' to embed' : '' }}. When the last chunk is embedded they switch to it at once, and the old
        vectors are dropped. You can cancel before then.
      </sb-alert>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" mat-dialog-close>Cancel</button>
      <button mat-flat-button type="button" [disabled]="starting()" data-testid="start-reembed-button" (click)="start()">
        <mat-icon>sync_alt</mat-icon>{{ starting() ? 'Starting…' : 'Start re-embed' }}
      </button>
    </mat-dialog-actions>
  `,
  styles: `
    .lead {
      margin: 0 0 16px;
    }
    .target {
      width: 100%;
    }
    .compare {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 6px 16px;
      margin: 4px 0 16px;
    }
    dt {
      font: var(--mat-sys-label-large);
      color: var(--mat-sys-on-surface-variant);
    }
    dd {
      margin: 0;
    }
  `,
})
export class ReembedDialogComponent {
  private readonly ref = inject(MatDialogRef<ReembedDialogComponent, KnowledgeBaseResponse>);
  private readonly service = inject(KnowledgeBasesService);
  private readonly data = inject<ReembedDialogData>(MAT_DIALOG_DATA);
  protected readonly kb = this.data.kb;
  protected readonly chunks = plural(this.kb.chunk_count, 'chunk');
  protected readonly dims = dimensionsOf;
  protected readonly message = validationMessage;

  protected readonly target = new FormControl(this.data.model?.id ?? '', { nonNullable: true, validators: Validators.required });
  private readonly targetId = toSignal(this.target.valueChanges.pipe(startWith(this.target.value)), { requireSync: true });

  protected readonly models = resource({ loader: () => this.service.activeModels('embedding') });
  protected readonly modelsProblem = loadError(this.models);
  /** Every active embedding model but the current one (the preselected one even while the list loads). */
  protected readonly candidates = computed(() => {
    const loaded = this.models.hasValue() ? this.models.value() : this.data.model ? [this.data.model] : [];
    return loaded.filter((m) => m.id !== this.kb.embedding_model.id);
  });
  protected readonly chosen = computed(() => this.candidates().find((m) => m.id === this.targetId()) ?? null);

  protected readonly starting = signal(false);
  protected readonly error = signal<string | null>(null);

  protected async start(): Promise<void> {
    if (this.target.invalid) {
      this.target.markAsTouched();
      return;
    }
    this.starting.set(true);
    this.error.set(null);
    try {
      this.ref.close(await this.service.reembed(this.kb.id, this.target.value));
    } catch (error) {
      this.error.set(problemMessage(error));
      // The request's one field: a 422 on it (already the current model, no longer active) belongs under the select.
      applyServerErrors(this.target, error, (field) => (field === 'embedding_model_id' ? this.target : null));
    } finally {
      this.starting.set(false);
    }
  }
}
