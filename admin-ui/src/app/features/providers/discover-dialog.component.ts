import { ChangeDetectionStrategy, Component, computed, inject, linkedSignal, resource, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import type { DiscoveredModelDto, ModelResponse, ProviderResponse } from '../../api/models';
import { problemMessage } from '../../core/http/problem';
import { AlertComponent } from '../../shared/alert.component';
import { loadError } from '../../shared/latest';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import { RelativeTimePipe } from '../../shared/relative-time.pipe';
import {
  chosen,
  Choices,
  DiscoveredType,
  importErrors,
  initialChoices,
  limitsText,
  matching,
  selectAll,
  selectionProblem,
  selectionState,
  toImportRequest,
  update,
} from './discover-selection';
import { ProvidersService } from './providers.service';

/**
 * What a provider's upstream serves, to register some of it: a checkbox per model (those already
 * registered are marked and cannot be chosen), an editable display name and the suggested type.
 * Closes with the imported models.
 */
@Component({
  selector: 'sb-discover-dialog',
  imports: [
    MatButtonModule,
    MatCheckboxModule,
    MatDialogModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatSelectModule,
    AlertComponent,
    LoadingBarComponent,
    RelativeTimePipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { 'data-testid': 'discover-models-modal' },
  templateUrl: './discover-dialog.component.html',
  styleUrl: './discover-dialog.component.scss',
})
export class DiscoverDialogComponent {
  private readonly service = inject(ProvidersService);
  private readonly ref = inject(MatDialogRef<DiscoverDialogComponent, ModelResponse[]>);
  protected readonly provider = inject<ProviderResponse>(MAT_DIALOG_DATA);

  protected readonly discovery = resource({ loader: () => this.service.discover(this.provider.id) });
  protected readonly loadProblem = loadError(this.discovery);
  protected readonly models = computed<DiscoveredModelDto[]>(() => (this.discovery.hasValue() ? this.discovery.value().models : []));

  protected readonly search = signal('');
  /** Starts afresh with each answer (the first load, "Try again"). */
  protected readonly choices = linkedSignal<DiscoveredModelDto[], Choices>({ source: this.models, computation: initialChoices });
  protected readonly shown = computed(() => matching(this.models(), this.search()));
  protected readonly state = computed(() => selectionState(this.choices(), this.shown()));
  protected readonly count = computed(() => chosen(this.choices(), this.models()).length);
  protected readonly registeredCount = computed(() => this.models().filter((m) => m.registered).length);
  protected readonly problem = computed(() => selectionProblem(this.choices(), this.models()));

  protected readonly importing = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly rowErrors = signal<Record<string, string>>({});
  protected readonly limits = limitsText;
  protected readonly types: { value: DiscoveredType; label: string }[] = [
    { value: 'generation', label: 'Generation' },
    { value: 'embedding', label: 'Embedding' },
    { value: 'ner', label: 'NER' },
  ];

  protected choice(model: DiscoveredModelDto) {
    return this.choices()[model.model_id];
  }

  protected toggle(model: DiscoveredModelDto, selected: boolean): void {
    this.choices.update((current) => update(current, model.model_id, { selected }));
  }

  protected toggleAll(selected: boolean): void {
    this.choices.update((current) => selectAll(current, this.shown(), selected));
  }

  protected rename(model: DiscoveredModelDto, name: string): void {
    this.choices.update((current) => update(current, model.model_id, { name }));
    this.rowErrors.update(({ [model.model_id]: _cleared, ...rest }) => rest);
  }

  protected retype(model: DiscoveredModelDto, type: DiscoveredType): void {
    this.choices.update((current) => update(current, model.model_id, { type }));
  }

  protected async import(): Promise<void> {
    if (this.importing() || this.problem()) return;
    const request = toImportRequest(this.choices(), this.models());
    this.importing.set(true);
    this.error.set(null);
    this.rowErrors.set({});
    try {
      this.ref.close(await this.service.importModels(this.provider.id, request));
    } catch (error) {
      this.error.set(problemMessage(error));
      this.rowErrors.set(importErrors(error, request));
    } finally {
      this.importing.set(false);
    }
  }
}
