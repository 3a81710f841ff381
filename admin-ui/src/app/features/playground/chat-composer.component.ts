import { TextFieldModule } from '@angular/cdk/text-field';
import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { FormControl, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';

/** Where a message is written: Enter sends, Shift+Enter starts a new line; Stop ends a streaming reply. */
@Component({
  selector: 'sb-chat-composer',
  imports: [ReactiveFormsModule, TextFieldModule, MatButtonModule, MatFormFieldModule, MatIconModule, MatInputModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-form-field appearance="outline" subscriptSizing="dynamic" class="field">
      <mat-label>Message</mat-label>
      <textarea
        matInput
        cdkTextareaAutosize
        cdkAutosizeMinRows="1"
        cdkAutosizeMaxRows="8"
        maxlength="32000"
        [formControl]="control()"
        [placeholder]="placeholder()"
        aria-describedby="composer-hint"
        data-testid="chat-input"
        (keydown.enter)="onEnter($any($event))"
      ></textarea>
    </mat-form-field>
    @if (streaming()) {
      <button mat-stroked-button type="button" class="action" data-testid="stop-stream-button" (click)="stop.emit()">
        <mat-icon>stop_circle</mat-icon>Stop
      </button>
    } @else {
      <button
        mat-flat-button
        type="button"
        class="action"
        [disabled]="disabled() || !control().value.trim()"
        data-testid="send-message-button"
        (click)="send.emit()"
      >
        <mat-icon>send</mat-icon>Send
      </button>
    }
    <p id="composer-hint" class="hint">Enter sends · Shift+Enter adds a line</p>
  `,
  styles: `
    :host {
      display: grid;
      grid-template-columns: 1fr auto;
      align-items: end;
      column-gap: 12px;
    }
    .field {
      width: 100%;
    }
    textarea {
      resize: none;
      line-height: 1.5;
    }
    .action {
      height: 48px;
      margin-bottom: 4px;
    }
    .hint {
      grid-column: 1 / -1;
      margin: 4px 4px 0;
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class ChatComposerComponent {
  readonly control = input.required<FormControl<string>>();
  readonly streaming = input(false);
  readonly disabled = input(false);
  readonly placeholder = input('Ask something…');
  readonly send = output<void>();
  readonly stop = output<void>();

  protected onEnter(event: KeyboardEvent): void {
    // Shift+Enter is a new line; Enter while an IME composes a word belongs to the IME.
    if (event.shiftKey || event.isComposing) return;
    event.preventDefault();
    if (!this.streaming() && !this.disabled() && this.control().value.trim()) this.send.emit();
  }
}
