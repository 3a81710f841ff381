import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { SessionService } from '../../core/auth/session.service';
import { EmptyStateComponent } from '../../shared/empty-state.component';
import { PageHeaderComponent } from '../../shared/page-header.component';

@Component({
  selector: 'sb-models-page',
  imports: [PageHeaderComponent, EmptyStateComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <sb-page-header
      heading="Models"
      description="Generation, embedding and NER models served by your providers, with their defaults, parameters and prices."
      [readOnly]="session.readOnly()"
    />
    <sb-empty-state
      icon="view_in_ar"
      heading="No models yet"
      message="Models you register, or import from a provider, will be listed here."
    />
  `,
})
export class ModelsPage {
  protected readonly session = inject(SessionService);
}
