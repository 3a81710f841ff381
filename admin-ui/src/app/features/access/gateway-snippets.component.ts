import { Clipboard } from '@angular/cdk/clipboard';
import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatIconModule } from '@angular/material/icon';

export type SnippetLanguage = 'curl' | 'python' | 'javascript';

/** How to call the OpenAI-compatible gateway with a key: the same request in curl and the official SDKs. */
export function gatewaySnippet(language: SnippetLanguage, baseUrl: string, key: string): string {
  switch (language) {
    case 'curl':
      return [
        `curl ${baseUrl}/chat/completions \\`,
        `  -H "Authorization: Bearer ${key}" \\`,
        `  -H "Content-Type: application/json" \\`,
        `  -d '{"model": "MODEL", "messages": [{"role": "user", "content": "Hello"}]}'`,
      ].join('\n');
    case 'python':
      return [
        'from openai import OpenAI',
        '',
        'client = OpenAI(',
        `    base_url="${baseUrl}",`,
        `    api_key="${key}",`,
        ')',
        'reply = client.chat.completions.create(',
        '    model="MODEL",',
        '    messages=[{"role": "user", "content": "Hello"}],',
        ')',
        'print(reply.choices[0].message.content)',
      ].join('\n');
    case 'javascript':
      return [
        "import OpenAI from 'openai';",
        '',
        'const client = new OpenAI({',
        `  baseURL: '${baseUrl}',`,
        `  apiKey: '${key}',`,
        '});',
        'const reply = await client.chat.completions.create({',
        "  model: 'MODEL',",
        "  messages: [{ role: 'user', content: 'Hello' }],",
        '});',
        'console.log(reply.choices[0].message.content);',
      ].join('\n');
  }
}

/** Shown with a new key's secret: a first request to copy, in the language the user picks. */
@Component({
  selector: 'sb-gateway-snippets',
  imports: [MatButtonModule, MatButtonToggleModule, MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="header">
      <span class="title">Try it</span>
      <mat-button-toggle-group
        hideSingleSelectionIndicator
        aria-label="Language"
        [value]="language()"
        (change)="pick($event.value)"
        data-testid="snippet-language"
      >
        @for (option of languages; track option.value) {
          <mat-button-toggle [value]="option.value">{{ option.label }}</mat-button-toggle>
        }
      </mat-button-toggle-group>
    </div>
    <!-- Focusable, so a keyboard can scroll its long lines. -->
    <pre tabindex="0" aria-label="Example request" data-testid="gateway-snippet"><code>{{ snippet() }}</code></pre>
    <div class="footer">
      <span class="muted">Replace MODEL with a model's name as GET /v1/models lists it (the Models page shows them).</span>
      <button mat-stroked-button type="button" data-testid="copy-snippet-button" (click)="copy()">
        <mat-icon>{{ copied() ? 'check' : 'content_copy' }}</mat-icon>{{ copied() ? 'Copied' : 'Copy' }}
      </button>
    </div>
  `,
  styles: `
    :host {
      display: block;
      margin-top: 16px;
    }
    .header,
    .footer {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 12px;
    }
    .title {
      font: var(--mat-sys-title-small);
    }
    pre {
      margin: 8px 0;
      padding: 12px 16px;
      overflow-x: auto;
      border-radius: 12px;
      background: var(--mat-sys-surface-container);
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      font-size: 13px;
    }
  `,
})
export class GatewaySnippetsComponent {
  readonly secret = input.required<string>();

  private readonly clipboard = inject(Clipboard);
  private readonly baseUrl = `${inject(DOCUMENT).location.origin}/v1`;
  protected readonly languages: { value: SnippetLanguage; label: string }[] = [
    { value: 'curl', label: 'curl' },
    { value: 'python', label: 'Python' },
    { value: 'javascript', label: 'JavaScript' },
  ];
  protected readonly language = signal<SnippetLanguage>('curl');
  protected readonly copied = signal(false);
  protected readonly snippet = computed(() => gatewaySnippet(this.language(), this.baseUrl, this.secret()));

  protected pick(language: SnippetLanguage): void {
    this.language.set(language);
    this.copied.set(false);
  }

  protected copy(): void {
    this.copied.set(this.clipboard.copy(this.snippet()));
  }
}
