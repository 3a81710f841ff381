import { ChangeDetectionStrategy, Component } from '@angular/core';
import { EmptyStateComponent } from '../../shared/empty-state.component';
import { PageHeaderComponent } from '../../shared/page-header.component';

@Component({
  selector: 'sb-knowledge-bases-page',
  imports: [PageHeaderComponent, EmptyStateComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <sb-page-header heading="Knowledge bases" description="Document collections that ground conversations in your own content." />
    <sb-empty-state
      icon="library_books"
      heading="No knowledge bases yet"
      message="Knowledge bases and the documents uploaded to them will be listed here."
    />
  `,
})
export class KnowledgeBasesPage {}
