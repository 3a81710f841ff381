import { ChangeDetectionStrategy, Component, computed, inject, input, output } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatSelectModule } from '@angular/material/select';
import type { TestResultDto } from '../../api/models';
import { AlertComponent } from '../../shared/alert.component';
import { TestResultComponent, verdict } from '../../shared/test-result.component';
import type { ProbeChoice } from './provider-form';

/** Where the dialog's connection stands: never tested, testing, passed or failed, or changed since. */
export type ConnectionState = 'untested' | 'unchanged' | 'running' | 'passed' | 'failed' | 'stale';

const ICONS: Record<ConnectionState, string> = {
  untested: 'help_outline',
  unchanged: 'check',
  running: 'sync',
  passed: 'check_circle',
  failed: 'error',
  stale: 'update',
};

/**
 * "Test connection" for the provider being edited, with an optional model to probe, the state of
 * the connection in one line and the last result stage by stage.
 */
@Component({
  selector: 'sb-connection-test',
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatProgressSpinnerModule,
    MatSelectModule,
    AlertComponent,
    TestResultComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="bar" [formGroup]="probe">
      <mat-form-field appearance="outline" subscriptSizing="dynamic" class="model">
        <mat-label>Model to probe (optional)</mat-label>
        <input
          matInput
          formControlName="model_id"
          class="mono"
          autocomplete="off"
          placeholder="gpt-4o-mini"
          data-testid="probe-model-input"
        />
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic" class="type">
        <mat-label>Probe as</mat-label>
        <mat-select formControlName="model_type" data-testid="probe-type-select">
          <mat-option value="generation">Generation</mat-option>
          <mat-option value="embedding">Embedding</mat-option>
          <mat-option value="ner">NER</mat-option>
        </mat-select>
      </mat-form-field>
      <button
        mat-stroked-button
        type="button"
        class="test"
        [disabled]="state() === 'running' || disabled()"
        data-testid="test-connection-button"
        (click)="test.emit(probe.getRawValue())"
      >
        @if (state() === 'running') {
          <mat-progress-spinner mode="indeterminate" diameter="18" aria-hidden="true" />
        } @else {
          <mat-icon>network_check</mat-icon>
        }
        {{ state() === 'running' ? 'Testing…' : 'Test connection' }}
      </button>
    </div>
    <span
      class="indicator"
      [class]="'indicator ' + state()"
      role="status"
      data-testid="connection-status-indicator"
      [attr.data-state]="state()"
    >
      <mat-icon aria-hidden="true">{{ icons[state()] }}</mat-icon>{{ label() }}
    </span>
    @if (error(); as problem) {
      <sb-alert data-testid="connection-test-error">{{ problem }}</sb-alert>
    }
    @if (result(); as r) {
      <sb-test-result [result]="r" [showVerdict]="false" [class.stale]="state() === 'stale' || state() === 'running'" />
    }
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      gap: 10px;
      margin: 4px 0 12px;
      padding: 12px 14px;
      border-radius: 12px;
      background: var(--mat-sys-surface-container-low);
    }
    .bar {
      display: grid;
      grid-template-columns: 1fr 150px auto;
      align-items: center;
      gap: 12px;
      --mat-form-field-container-height: 44px;
      --mat-form-field-container-vertical-padding: 10px;
    }
    .test {
      height: 44px;
    }
    mat-progress-spinner {
      display: inline-block;
      margin-right: 8px;
    }
    .indicator {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      font: var(--mat-sys-label-large);
      color: var(--mat-sys-on-surface-variant);
    }
    .indicator mat-icon {
      width: 20px;
      height: 20px;
      font-size: 20px;
    }
    .indicator.passed {
      color: #1b6b34;
    }
    .indicator.failed {
      color: var(--mat-sys-error);
    }
    .indicator.stale {
      color: #7a4b00;
    }
    @media (max-width: 599.98px) {
      .bar {
        grid-template-columns: 1fr;
      }
    }
    .stale {
      opacity: 0.55;
    }
  `,
})
export class ConnectionTestComponent {
  readonly state = input.required<ConnectionState>();
  readonly result = input<TestResultDto | null>(null);
  readonly error = input<string | null>(null);
  readonly disabled = input(false);
  readonly test = output<ProbeChoice>();

  protected readonly probe = inject(NonNullableFormBuilder).group({
    model_id: [''],
    model_type: ['generation' as ProbeChoice['model_type']],
  });
  protected readonly icons = ICONS;
  protected readonly label = computed(() => {
    const result = this.result();
    switch (this.state()) {
      case 'running':
        return 'Testing the connection…';
      case 'passed':
        return `${result ? verdict(result) : 'Connection OK'} · ${result?.latency_ms ?? 0} ms`;
      case 'failed':
        return result ? `${verdict(result)} · ${result.latency_ms} ms` : 'The test could not run';
      case 'stale':
        return 'Connection settings changed since the last test';
      case 'unchanged':
        return 'Connection settings unchanged';
      default:
        return 'Not tested yet';
    }
  });
}
