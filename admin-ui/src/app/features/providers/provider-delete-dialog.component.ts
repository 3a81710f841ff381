import { ChangeDetectionStrategy, Component, computed, inject, resource, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import type { ProviderResponse } from '../../api/models';
import { problemMessage } from '../../core/http/problem';
import { AlertComponent } from '../../shared/alert.component';
import { DependentsSummaryComponent } from '../../shared/dependents-summary.component';
import { loadError } from '../../shared/latest';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import { ProvidersService } from './providers.service';

/**
 * Deleting a provider: first what depends on it. A provider with models is deleted only together
 * with them (`cascade=models`), and not at all while a knowledge base or conversation uses one.
 */
@Component({
  selector: 'sb-provider-delete-dialog',
  imports: [
    FormsModule,
    MatDialogModule,
    MatButtonModule,
    MatCheckboxModule,
    AlertComponent,
    DependentsSummaryComponent,
    LoadingBarComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { 'data-testid': 'delete-provider-modal' },
  template: `
    <sb-loading-bar [active]="dependents.isLoading() || deleting()" />
    <h2 mat-dialog-title>Delete {{ provider.name }}?</h2>
    <mat-dialog-content>
      @if (loadProblem(); as problem) {
        <sb-alert>{{ problem }}</sb-alert>
      } @else if (dependents.hasValue()) {
        @let d = dependents.value()!;
        @if (d.blocks_delete) {
          <sb-alert kind="warning" class="spaced" data-testid="provider-delete-blocked">
            Its models are in use, so it cannot be deleted. Move these to other models first:
            <sb-dependents-summary [dependents]="d" />
          </sb-alert>
        }
        @if (d.models.length) {
          <p>
            {{ provider.name }} has {{ d.models.length }} model{{ d.models.length === 1 ? '' : 's' }}. A provider is deleted together with
            its models:
          </p>
          <ul class="models" data-testid="provider-dependent-models">
            @for (model of d.models.slice(0, 10); track model.id) {
              <li>{{ model.name }}</li>
            }
            @if (d.models.length > 10) {
              <li class="muted">and {{ d.models.length - 10 }} more</li>
            }
          </ul>
          @if (d.default_for.length) {
            <p class="muted">
              One of them is the default {{ d.default_for.join(' and ') }} model. If other active models of that type remain, set one of
              them as the default first.
            </p>
          }
          <mat-checkbox [(ngModel)]="cascade" [disabled]="d.blocks_delete" data-testid="cascade-models-checkbox">
            Also delete its {{ d.models.length === 1 ? 'model' : d.models.length + ' models' }}
          </mat-checkbox>
        } @else {
          <p>It has no models. This cannot be undone.</p>
        }
      }
      @if (error(); as problem) {
        <sb-alert data-testid="delete-provider-error">{{ problem }}</sb-alert>
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" mat-dialog-close>Cancel</button>
      <button
        mat-flat-button
        type="button"
        class="destructive"
        [disabled]="!canDelete()"
        data-testid="confirm-delete-button"
        (click)="confirm()"
      >
        {{ deleting() ? 'Deleting…' : 'Delete' }}
      </button>
    </mat-dialog-actions>
  `,
  styles: `
    .models {
      margin: 0 0 12px;
      padding-left: 20px;
    }
  `,
})
export class ProviderDeleteDialogComponent {
  private readonly service = inject(ProvidersService);
  private readonly ref = inject(MatDialogRef<ProviderDeleteDialogComponent, boolean>);
  protected readonly provider = inject<ProviderResponse>(MAT_DIALOG_DATA);

  protected readonly dependents = resource({ loader: () => this.service.dependents(this.provider.id) });
  protected readonly loadProblem = loadError(this.dependents);
  protected readonly deleting = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly cascade = signal(false);

  protected readonly canDelete = computed(() => {
    if (this.deleting() || !this.dependents.hasValue()) return false;
    const d = this.dependents.value()!;
    return !d.blocks_delete && (d.models.length === 0 || this.cascade());
  });

  protected async confirm(): Promise<void> {
    this.deleting.set(true);
    this.error.set(null);
    try {
      await this.service.remove(this.provider.id, this.cascade());
      this.ref.close(true);
    } catch (error) {
      this.error.set(problemMessage(error));
    } finally {
      this.deleting.set(false);
    }
  }
}
