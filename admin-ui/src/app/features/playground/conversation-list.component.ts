import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, input, output, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatMenuModule } from '@angular/material/menu';
import type { ConversationResponse } from '../../api/models';
import { AlertComponent } from '../../shared/alert.component';
import { exactTime, RelativeTimePipe } from '../../shared/relative-time.pipe';

/** Your conversations, most recent first, with "load more", rename in place and delete. */
@Component({
  selector: 'sb-conversation-list',
  imports: [MatButtonModule, MatIconModule, MatMenuModule, AlertComponent, RelativeTimePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './conversation-list.component.html',
  styleUrl: './conversation-list.component.scss',
})
export class ConversationListComponent {
  readonly conversations = input.required<ConversationResponse[]>();
  readonly selectedId = input<string | null>(null);
  readonly loading = input(false);
  readonly loaded = input(false);
  readonly error = input<string | null>(null);
  readonly hasMore = input(false);

  readonly open = output<string>();
  readonly rename = output<{ id: string; title: string }>();
  readonly remove = output<ConversationResponse>();
  readonly loadMore = output<void>();
  readonly retry = output<void>();

  /** The conversation whose title is being edited. */
  protected readonly editing = signal<string | null>(null);
  protected readonly exactTime = exactTime;
  private readonly document = inject(DOCUMENT);

  protected startRename(conversation: ConversationResponse): void {
    this.editing.set(conversation.id);
    // The input appears on the next render; focus it there.
    setTimeout(() => this.focus(`rename-${conversation.id}`));
  }

  protected finishRename(conversation: ConversationResponse, title: string): void {
    if (this.editing() !== conversation.id) return;
    this.editing.set(null);
    const trimmed = title.trim().slice(0, 200);
    if (trimmed && trimmed !== conversation.title) this.rename.emit({ id: conversation.id, title: trimmed });
    setTimeout(() => this.focus(`conversation-${conversation.id}`));
  }

  private focus(id: string): void {
    this.document.getElementById(id)?.focus();
  }

  protected cancelRename(conversation: ConversationResponse): void {
    this.editing.set(null);
    setTimeout(() => this.focus(`conversation-${conversation.id}`));
  }
}
