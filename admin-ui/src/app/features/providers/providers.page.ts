import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { SessionService } from '../../core/auth/session.service';
import { EmptyStateComponent } from '../../shared/empty-state.component';
import { PageHeaderComponent } from '../../shared/page-header.component';

@Component({
  selector: 'sb-providers-page',
  imports: [PageHeaderComponent, EmptyStateComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <sb-page-header
      heading="Providers"
      description="Connections to OpenAI, Azure OpenAI, Anthropic, Gemini, Cohere, Ollama, LiteLLM and OpenAI-compatible servers."
      [readOnly]="session.readOnly()"
    />
    <sb-empty-state
      icon="hub"
      heading="No providers yet"
      message="Registered providers, their connection tests and rate limits will be listed here."
    />
  `,
})
export class ProvidersPage {
  protected readonly session = inject(SessionService);
}
