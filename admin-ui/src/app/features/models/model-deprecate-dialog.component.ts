import { ChangeDetectionStrategy, Component, computed, effect, inject, resource, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { map } from 'rxjs';
import type { DependentsResponse, ModelResponse } from '../../api/models';
import { problemDependents, problemItems, problemMessage } from '../../core/http/problem';
import { AlertComponent } from '../../shared/alert.component';
import { noDependents } from '../../shared/dependents';
import { DependentsSummaryComponent } from '../../shared/dependents-summary.component';
import { applyServerErrors, validationMessage } from '../../shared/forms';
import { loadError } from '../../shared/latest';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import { ModelsService, refusalLines, TYPE_LABELS } from './models.service';

interface DeprecationCheck {
  /** What uses each model, merged. */
  dependents: DependentsResponse;
  /** Active models of the same type outside the selection: successor candidates. */
  candidates: ModelResponse[];
}

const NONE = noDependents();

/** Deprecating one or more models: a successor of the same type, a sunset date, and what will happen. */
@Component({
  selector: 'sb-model-deprecate-dialog',
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    AlertComponent,
    DependentsSummaryComponent,
    LoadingBarComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { 'data-testid': 'deprecate-model-modal' },
  templateUrl: './model-deprecate-dialog.component.html',
  styles: `
    .lead {
      margin: 0 0 16px;
    }
    .consequences {
      margin: 0 0 12px;
      padding-left: 20px;
    }
    .consequences li {
      margin-bottom: 6px;
    }
    .refused {
      color: var(--mat-sys-error);
    }
  `,
})
export class ModelDeprecateDialogComponent {
  private readonly service = inject(ModelsService);
  private readonly ref = inject(MatDialogRef<ModelDeprecateDialogComponent, boolean>);
  protected readonly models = inject<ModelResponse[]>(MAT_DIALOG_DATA);

  /** A successor must be of the same type, so only a selection of one type can name one. */
  protected readonly type = new Set(this.models.map((m) => m.type)).size === 1 ? this.models[0].type : null;
  protected readonly typeLabel = this.type ? TYPE_LABELS[this.type].toLowerCase() : '';
  protected readonly title =
    this.models.length === 1 ? `Deprecate ${this.models[0].display_name}?` : `Deprecate ${this.models.length} models?`;
  protected readonly defaults = this.models.filter((m) => m.is_default);

  // Named after the request's fields so a 422 lands on them; sunset_at holds the day, sent as an instant.
  protected readonly form = inject(NonNullableFormBuilder).group({ successor_id: { value: '', disabled: true }, sunset_at: '' });
  private readonly value = toSignal(this.form.valueChanges.pipe(map(() => this.form.getRawValue())), {
    initialValue: this.form.getRawValue(),
  });
  protected readonly successorId = computed(() => this.value().successor_id);
  protected readonly sunsetDate = computed(() => this.value().sunset_at);
  protected readonly message = validationMessage;
  protected readonly saving = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly refusals = signal<string[]>([]);
  /** A 409: what the API found in the way (`dependents` of the problem). */
  protected readonly refusedBy = signal<DependentsResponse | null>(null);

  protected readonly check = resource({
    loader: async (): Promise<DeprecationCheck> => {
      const ids = new Set(this.models.map((m) => m.id));
      const [all, active] = await Promise.all([
        Promise.all(this.models.map((m) => this.service.dependents(m.id))),
        this.type ? this.service.activeOfType(this.type) : Promise.resolve(null),
      ]);
      const dependents = all.reduce<DependentsResponse>(
        (merged, d) => ({
          ...merged,
          knowledge_bases: unique([...merged.knowledge_bases, ...d.knowledge_bases]),
          conversations: unique([...merged.conversations, ...d.conversations]),
          successor_of: unique([...merged.successor_of, ...d.successor_of]).filter((ref) => !ids.has(ref.id)),
          settings: [...new Set([...merged.settings, ...d.settings])],
        }),
        NONE,
      );
      return { dependents, candidates: (active?.items ?? []).filter((m) => !ids.has(m.id)) };
    },
  });
  protected readonly loadProblem = loadError(this.check);
  protected readonly candidates = computed(() => (this.check.hasValue() ? this.check.value()!.candidates : []));
  protected readonly successorName = computed(() => this.candidates().find((m) => m.id === this.successorId())?.display_name ?? null);
  /** The server refuses to deprecate a default that another active model could replace, unless a successor takes over. */
  protected readonly defaultNeedsSuccessor = computed(
    () => this.defaults.length > 0 && !this.successorId() && this.candidates().length > 0,
  );

  /** The API refuses to deprecate a model a knowledge base is bound to (409 `model.in_use`). */
  protected readonly kbBlocks = computed(() => this.check.hasValue() && this.check.value()!.dependents.knowledge_bases.length > 0);
  protected readonly blocked = computed(() => this.saving() || !this.check.hasValue() || this.defaultNeedsSuccessor() || this.kbBlocks());

  constructor() {
    // Only a selection of one type, with candidates loaded, can name a successor.
    effect(() => {
      const successor = this.form.controls.successor_id;
      if (this.type && this.candidates().length > 0) successor.enable({ emitEvent: false });
      else successor.disable({ emitEvent: false });
    });
  }

  protected kbOnly(d: DependentsResponse): DependentsResponse {
    return { ...NONE, knowledge_bases: d.knowledge_bases, blocks_delete: true };
  }

  protected withoutKbs(d: DependentsResponse): DependentsResponse {
    return { ...d, knowledge_bases: [] };
  }

  protected async confirm(): Promise<void> {
    if (this.blocked()) return;
    this.saving.set(true);
    this.error.set(null);
    this.refusals.set([]);
    this.refusedBy.set(null);
    try {
      await this.service.bulk({
        action: 'deprecate',
        ids: this.models.map((m) => m.id),
        ...(this.successorId() ? { successor_id: this.successorId() } : {}),
        // The date picked is the first day calls stop, from midnight UTC.
        ...(this.sunsetDate() ? { sunset_at: new Date(`${this.sunsetDate()}T00:00:00Z`).toISOString() } : {}),
      });
      this.ref.close(true);
    } catch (error) {
      this.error.set(problemMessage(error));
      const names = new Map([...this.models, ...this.candidates()].map((m) => [m.id, m.display_name]));
      this.refusals.set(refusalLines(problemItems(error), names));
      this.refusedBy.set(problemDependents(error));
      applyServerErrors(this.form, error);
    } finally {
      this.saving.set(false);
    }
  }
}

function unique<T extends { id: string }>(refs: T[]): T[] {
  return [...new Map(refs.map((ref) => [ref.id, ref])).values()];
}
