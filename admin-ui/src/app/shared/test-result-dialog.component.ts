import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import type { TestResultDto } from '../api/models';
import { problemMessage } from '../core/http/problem';
import { AlertComponent } from './alert.component';
import { LoadingBarComponent } from './loading-bar.component';
import { TestResultComponent } from './test-result.component';

export interface TestResultDialogData {
  /** "Test OpenAI production" */
  title: string;
  /** Runs the test (and refreshes whatever lists its last result). */
  run: () => Promise<TestResultDto>;
}

/** Runs a saved provider's or model's connection test as it opens and shows the result. */
@Component({
  selector: 'sb-test-result-dialog',
  imports: [MatButtonModule, MatDialogModule, MatIconModule, AlertComponent, LoadingBarComponent, TestResultComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { 'data-testid': 'test-result-modal' },
  template: `
    <sb-loading-bar [active]="running()" label="Testing" />
    <h2 mat-dialog-title>{{ data.title }}</h2>
    <mat-dialog-content>
      <div role="status" class="status">
        @if (running()) {
          <p class="running" data-testid="test-running">Testing DNS, connection, authentication, model and a probe call…</p>
        }
      </div>
      @if (error(); as problem) {
        <sb-alert data-testid="test-error">{{ problem }}</sb-alert>
      }
      @if (result(); as r) {
        <sb-test-result [result]="r" [class.stale]="running()" />
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" [disabled]="running()" data-testid="test-again-button" (click)="run()">
        <mat-icon>refresh</mat-icon>Test again
      </button>
      <button mat-flat-button type="button" mat-dialog-close cdkFocusInitial>Close</button>
    </mat-dialog-actions>
  `,
  styles: `
    .running {
      margin: 0 0 12px;
      color: var(--mat-sys-on-surface-variant);
    }
    .stale {
      opacity: 0.55;
    }
  `,
})
export class TestResultDialogComponent {
  protected readonly data = inject<TestResultDialogData>(MAT_DIALOG_DATA);
  protected readonly running = signal(false);
  protected readonly result = signal<TestResultDto | null>(null);
  protected readonly error = signal<string | null>(null);

  constructor() {
    void this.run();
  }

  protected async run(): Promise<void> {
    this.running.set(true);
    this.error.set(null);
    try {
      this.result.set(await this.data.run());
    } catch (error) {
      this.error.set(problemMessage(error));
    } finally {
      this.running.set(false);
    }
  }
}
