import { ChangeDetectionStrategy, Component } from '@angular/core';
import { EmptyStateComponent } from '../../shared/empty-state.component';
import { PageHeaderComponent } from '../../shared/page-header.component';

@Component({
  selector: 'sb-playground-page',
  imports: [PageHeaderComponent, EmptyStateComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <sb-page-header heading="Playground" description="Try a model, with or without a knowledge base, before wiring it into a service." />
    <sb-empty-state icon="forum" heading="No conversation yet" message="Pick a model and send a message to start a conversation." />
  `,
})
export class PlaygroundPage {}
