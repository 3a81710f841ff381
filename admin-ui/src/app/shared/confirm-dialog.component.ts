import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { problemMessage } from '../core/http/problem';
import { AlertComponent } from './alert.component';
import { LoadingBarComponent } from './loading-bar.component';

export interface ConfirmDialogData {
  title: string;
  message: string;
  confirmLabel: string;
  /** Red confirm button for destructive actions. */
  destructive?: boolean;
  /** Runs on confirm; the dialog stays open, with the problem shown, when it throws. */
  action: () => Promise<unknown>;
  testId?: string;
}

/** "Are you sure?" for one action; performs it and closes with `true` when it succeeded. */
@Component({
  selector: 'sb-confirm-dialog',
  imports: [MatDialogModule, MatButtonModule, AlertComponent, LoadingBarComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[attr.data-testid]': 'data.testId ?? "confirm-modal"' },
  template: `
    <sb-loading-bar [active]="busy()" />
    <h2 mat-dialog-title>{{ data.title }}</h2>
    <mat-dialog-content>
      <p class="message">{{ data.message }}</p>
      @if (error(); as message) {
        <sb-alert data-testid="confirm-error">{{ message }}</sb-alert>
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" mat-dialog-close>Cancel</button>
      <button
        mat-flat-button
        type="button"
        [class.destructive]="data.destructive"
        [disabled]="busy()"
        data-testid="confirm-button"
        (click)="confirm()"
      >
        {{ data.confirmLabel }}
      </button>
    </mat-dialog-actions>
  `,
  styles: `
    .message {
      margin: 0 0 12px;
    }
  `,
})
export class ConfirmDialogComponent {
  protected readonly data = inject<ConfirmDialogData>(MAT_DIALOG_DATA);
  private readonly ref = inject(MatDialogRef<ConfirmDialogComponent, boolean>);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected async confirm(): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    try {
      await this.data.action();
      this.ref.close(true);
    } catch (error) {
      this.error.set(problemMessage(error));
    } finally {
      this.busy.set(false);
    }
  }
}
