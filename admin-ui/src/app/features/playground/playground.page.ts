import { DecimalPipe } from '@angular/common';
import {
  afterRenderEffect,
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  ElementRef,
  inject,
  untracked,
  viewChild,
} from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormControl, NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import type { ConversationResponse, CreateConversationRequest } from '../../api/models';
import { problemMessage } from '../../core/http/problem';
import { AlertComponent } from '../../shared/alert.component';
import { ConfirmDialogComponent, ConfirmDialogData } from '../../shared/confirm-dialog.component';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import { PageHeaderComponent } from '../../shared/page-header.component';
import { ChatComposerComponent } from './chat-composer.component';
import { ChatMessageComponent } from './chat-message.component';
import { ChatStore } from './chat.store';
import { ConversationListComponent } from './conversation-list.component';
import { PlaygroundService } from './playground.service';

/** `model:<id>` or `kb:<id>`: what a new conversation talks to. */
export function startRequest(target: string, systemPrompt: string): CreateConversationRequest {
  const [kind, id] = target.split(':');
  const request: CreateConversationRequest = kind === 'kb' ? { knowledge_base_id: id } : id ? { model_id: id } : {};
  if (systemPrompt.trim()) request.system_prompt = systemPrompt.trim();
  return request;
}

@Component({
  selector: 'sb-playground-page',
  imports: [
    DecimalPipe,
    ReactiveFormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatSelectModule,
    AlertComponent,
    ChatComposerComponent,
    ChatMessageComponent,
    ConversationListComponent,
    LoadingBarComponent,
    PageHeaderComponent,
  ],
  providers: [PlaygroundService, ChatStore],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './playground.page.html',
  styleUrl: './playground.page.scss',
})
export class PlaygroundPage {
  protected readonly service = inject(PlaygroundService);
  protected readonly chat = inject(ChatStore);
  private readonly dialog = inject(MatDialog);

  protected readonly start = inject(NonNullableFormBuilder).group({ target: [''], system_prompt: [''] });
  protected readonly draft = new FormControl('', { nonNullable: true });
  private readonly target = toSignal(this.start.controls.target.valueChanges, { initialValue: '' });
  private readonly log = viewChild<ElementRef<HTMLElement>>('log');

  protected readonly conversation = this.chat.conversation;
  /** Names for the header of an open conversation. */
  protected readonly modelName = computed(() => {
    const reply = [...this.chat.messages()].reverse().find((m) => m.model);
    const id = this.conversation()?.model_id;
    return reply?.model?.display_name ?? this.service.models().find((m) => m.id === id)?.display_name ?? null;
  });
  protected readonly knowledgeBaseName = computed(() => {
    const id = this.conversation()?.knowledge_base_id;
    return id ? (this.service.knowledgeBases().find((kb) => kb.id === id)?.name ?? 'a knowledge base') : null;
  });
  protected readonly nothingToChatWith = computed(
    () => !this.service.modelsLoading() && this.service.models().length === 0 && this.service.knowledgeBases().length === 0,
  );
  protected readonly canSend = computed(() => !!this.conversation() || !!this.target());

  constructor() {
    void this.service.loadConversations();
    // The default generation model is chosen for a new conversation until the user picks another.
    effect(() => {
      const preferred = this.service.defaultModelId() ?? this.service.models()[0]?.id;
      if (preferred && !untracked(() => this.start.controls.target.value)) this.start.controls.target.setValue(`model:${preferred}`);
    });
    // Follow the conversation as it grows (a streamed reply included).
    afterRenderEffect(() => {
      this.chat.messages();
      const log = this.log()?.nativeElement;
      if (log) log.scrollTop = log.scrollHeight;
    });
  }

  protected newConversation(): void {
    this.chat.startNew();
    this.start.controls.system_prompt.setValue('');
  }

  protected async send(): Promise<void> {
    const text = this.draft.value;
    if (!text.trim() || this.chat.streaming()) return;
    this.draft.setValue('');
    const { target, system_prompt } = this.start.getRawValue();
    const sent = await this.chat.send(text, startRequest(target, system_prompt));
    // Refused before anything was stored: give the text back to try again.
    if (!sent && !this.draft.value) this.draft.setValue(text);
  }

  protected async rename(change: { id: string; title: string }): Promise<void> {
    try {
      const renamed = await this.service.rename(change.id, change.title);
      if (this.conversation()?.id === renamed.id) this.chat.conversation.set(renamed);
    } catch (error) {
      this.service.listError.set(`The conversation could not be renamed: ${problemMessage(error)}`);
    }
  }

  protected remove(conversation: ConversationResponse): void {
    this.dialog
      .open<ConfirmDialogComponent, ConfirmDialogData, boolean>(ConfirmDialogComponent, {
        data: {
          title: 'Delete this conversation?',
          message: `“${conversation.title}” and its ${conversation.message_count} messages are deleted. This cannot be undone.`,
          confirmLabel: 'Delete',
          destructive: true,
          testId: 'delete-conversation-modal',
          action: () => this.service.remove(conversation.id),
        },
        width: '480px',
        maxWidth: '95vw',
      })
      .afterClosed()
      .subscribe((deleted) => deleted && this.chat.forget(conversation.id));
  }
}
