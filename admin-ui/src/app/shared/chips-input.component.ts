import { COMMA, ENTER } from '@angular/cdk/keycodes';
import { ChangeDetectionStrategy, Component, computed, forwardRef, input, signal } from '@angular/core';
import { ControlValueAccessor, NG_VALUE_ACCESSOR } from '@angular/forms';
import { MatChipInputEvent, MatChipsModule } from '@angular/material/chips';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';

/** A list of short strings edited as chips (capabilities, entity types, host lists), with suggestions. */
@Component({
  selector: 'sb-chips-input',
  imports: [MatChipsModule, MatFormFieldModule, MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [{ provide: NG_VALUE_ACCESSOR, useExisting: forwardRef(() => ChipsInputComponent), multi: true }],
  template: `
    <mat-form-field appearance="outline" class="field">
      <mat-label>{{ label() }}</mat-label>
      <mat-chip-grid #grid [attr.aria-label]="label()" [disabled]="disabled()">
        @for (item of items(); track item) {
          <mat-chip-row (removed)="remove(item)" [attr.data-testid]="testId() + '-chip-' + item">
            {{ item }}
            <button matChipRemove type="button" [attr.aria-label]="'Remove ' + item"><mat-icon>cancel</mat-icon></button>
          </mat-chip-row>
        }
        <input
          [placeholder]="placeholder()"
          [matChipInputFor]="grid"
          [matChipInputSeparatorKeyCodes]="separators"
          [matChipInputAddOnBlur]="true"
          [attr.data-testid]="testId()"
          (matChipInputTokenEnd)="add($event)"
        />
      </mat-chip-grid>
      @if (error()) {
        <mat-hint class="error" role="alert">{{ error() }}</mat-hint>
      } @else if (hint()) {
        <mat-hint>{{ hint() }}</mat-hint>
      }
    </mat-form-field>
    @if (remainingSuggestions().length && !disabled()) {
      <div class="suggestions">
        <span class="muted">Add:</span>
        @for (suggestion of remainingSuggestions(); track suggestion) {
          <button type="button" class="suggestion" (click)="addValue(suggestion)">+ {{ suggestion }}</button>
        }
      </div>
    }
  `,
  styles: `
    :host {
      display: block;
    }
    .field {
      width: 100%;
    }
    .error {
      color: var(--mat-sys-error);
    }
    .suggestions {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 6px;
      margin: -4px 0 12px;
      font: var(--mat-sys-body-small);
    }
    .suggestion {
      padding: 2px 10px;
      border: 1px solid var(--mat-sys-outline-variant);
      border-radius: 999px;
      background: transparent;
      color: var(--mat-sys-primary);
      font: var(--mat-sys-label-medium);
      cursor: pointer;
    }
    .suggestion:hover,
    .suggestion:focus-visible {
      background: var(--mat-sys-primary-container);
    }
  `,
})
export class ChipsInputComponent implements ControlValueAccessor {
  readonly label = input.required<string>();
  readonly placeholder = input('Type and press Enter');
  readonly hint = input('');
  readonly error = input<string | null>(null);
  readonly suggestions = input<readonly string[]>([]);
  readonly testId = input('chips-input');

  protected readonly separators = [ENTER, COMMA];
  protected readonly items = signal<string[]>([]);
  protected readonly disabled = signal(false);
  protected readonly remainingSuggestions = computed(() => this.suggestions().filter((s) => !this.items().includes(s)));

  private onChange: (value: string[]) => void = () => undefined;
  private onTouched: () => void = () => undefined;

  writeValue(value: string[] | null): void {
    this.items.set([...(value ?? [])]);
  }

  registerOnChange(fn: (value: string[]) => void): void {
    this.onChange = fn;
  }

  registerOnTouched(fn: () => void): void {
    this.onTouched = fn;
  }

  setDisabledState(disabled: boolean): void {
    this.disabled.set(disabled);
  }

  protected add(event: MatChipInputEvent): void {
    this.addValue(event.value);
    event.chipInput.clear();
  }

  protected addValue(raw: string): void {
    const value = raw.trim();
    if (!value || this.items().includes(value)) return;
    this.update([...this.items(), value]);
  }

  protected remove(item: string): void {
    this.update(this.items().filter((candidate) => candidate !== item));
  }

  private update(items: string[]): void {
    this.items.set(items);
    this.onChange(items);
    this.onTouched();
  }
}
