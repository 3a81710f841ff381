import { ChangeDetectionStrategy, Component, computed, inject, resource, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import type { DependentsResponse, ModelResponse } from '../../api/models';
import { problemDependents, problemMessage } from '../../core/http/problem';
import { AlertComponent } from '../../shared/alert.component';
import { DependentsSummaryComponent } from '../../shared/dependents-summary.component';
import { loadError } from '../../shared/latest';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import { ModelsService, TYPE_LABELS } from './models.service';

interface DeleteCheck {
  dependents: DependentsResponse;
  /** Other active models of its type: while there are some, the default cannot be deleted. */
  othersActive: number;
}

/** Deleting a model: what depends on it first, and why a refused delete would be refused. */
@Component({
  selector: 'sb-model-delete-dialog',
  imports: [MatDialogModule, MatButtonModule, AlertComponent, DependentsSummaryComponent, LoadingBarComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { 'data-testid': 'delete-model-modal' },
  template: `
    <sb-loading-bar [active]="check.isLoading() || deleting()" />
    <h2 mat-dialog-title>Delete {{ model.display_name }}?</h2>
    <mat-dialog-content>
      @if (loadProblem(); as problem) {
        <sb-alert>{{ problem }}</sb-alert>
      } @else if (check.hasValue()) {
        @let d = check.value()!.dependents;
        @if (d.blocks_delete) {
          <sb-alert kind="warning" class="spaced" data-testid="delete-blocked">
            It cannot be deleted while these use it. Move them to another model first.
            <sb-dependents-summary [dependents]="d" />
          </sb-alert>
        }
        @if (defaultBlocks()) {
          <sb-alert kind="warning" class="spaced" data-testid="default-delete-refused">
            {{ model.display_name }} is the default {{ typeLabel }} model. Set another default first, then delete it.
          </sb-alert>
        } @else if (model.is_default) {
          <sb-alert kind="info" class="spaced">It is the only active {{ typeLabel }} model: the type will have no default.</sb-alert>
        }
        @if (canDelete()) {
          <p data-testid="delete-consequence">
            The model is removed from the registry; callers using its name get an error. This cannot be undone.
          </p>
        }
      }
      @if (error(); as problem) {
        <sb-alert data-testid="delete-model-error">
          {{ problem }}
          @if (refusedBy(); as dependents) {
            <sb-dependents-summary [dependents]="dependents" />
          }
        </sb-alert>
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" mat-dialog-close>{{ canDelete() ? 'Cancel' : 'Close' }}</button>
      <button
        mat-flat-button
        type="button"
        class="destructive"
        [disabled]="!canDelete() || deleting()"
        data-testid="confirm-delete-button"
        (click)="confirm()"
      >
        {{ deleting() ? 'Deleting…' : 'Delete' }}
      </button>
    </mat-dialog-actions>
  `,
})
export class ModelDeleteDialogComponent {
  private readonly service = inject(ModelsService);
  private readonly ref = inject(MatDialogRef<ModelDeleteDialogComponent, boolean>);
  protected readonly model = inject<ModelResponse>(MAT_DIALOG_DATA);
  protected readonly typeLabel = TYPE_LABELS[this.model.type].toLowerCase();

  protected readonly check = resource({
    loader: async (): Promise<DeleteCheck> => {
      const [dependents, active] = await Promise.all([
        this.service.dependents(this.model.id),
        this.model.is_default ? this.service.activeOfType(this.model.type) : Promise.resolve(null),
      ]);
      return { dependents, othersActive: active ? active.items.filter((m) => m.id !== this.model.id).length : 0 };
    },
  });
  protected readonly loadProblem = loadError(this.check);
  protected readonly deleting = signal(false);
  protected readonly error = signal<string | null>(null);
  /** A refused delete (409): what the API found in the way, e.g. a knowledge base bound since the check. */
  protected readonly refusedBy = signal<DependentsResponse | null>(null);

  protected readonly defaultBlocks = computed(() => this.model.is_default && this.check.hasValue() && this.check.value()!.othersActive > 0);
  protected readonly canDelete = computed(
    () => this.check.hasValue() && !this.check.value()!.dependents.blocks_delete && !this.defaultBlocks(),
  );

  protected async confirm(): Promise<void> {
    this.deleting.set(true);
    this.error.set(null);
    this.refusedBy.set(null);
    try {
      await this.service.remove(this.model.id);
      this.ref.close(true);
    } catch (error) {
      this.error.set(problemMessage(error));
      this.refusedBy.set(problemDependents(error));
    } finally {
      this.deleting.set(false);
    }
  }
}
