import { Injectable, inject, OnDestroy, signal } from '@angular/core';
import type { ConversationResponse, CreateConversationRequest, MessageErrorDto, MessageResponse } from '../../api/models';
import { problemMessage } from '../../core/http/problem';
import { PlaygroundService } from './playground.service';

let drafts = 0;

/** A message shown before the server has stored it (replaced by the stored one as events arrive). */
export function draftMessage(role: MessageResponse['role'], content: string, status: MessageResponse['status']): MessageResponse {
  return {
    id: `draft-${role}-${++drafts}`,
    conversation_id: '',
    seq: 0,
    role,
    content,
    status,
    sources: [],
    error: null,
    input_tokens: null,
    output_tokens: null,
    cost: null,
    latency_ms: null,
    ttft_ms: null,
    model: null,
    created_at: new Date().toISOString(),
    completed_at: null,
  };
}

export function isDraft(message: MessageResponse): boolean {
  return message.id.startsWith('draft-');
}

/**
 * The stored messages, except that a reply the server still lists as streaming (it is storing the
 * cancellation) keeps what this page already knows about it, matched by position.
 */
export function mergeStored(stored: MessageResponse[], local: MessageResponse[]): MessageResponse[] {
  return stored.map((message) => {
    if (message.status !== 'streaming') return message;
    const known = local.find((candidate) => candidate.seq === message.seq && candidate.status !== 'streaming');
    return known ? { ...message, content: known.content || message.content, status: known.status, error: known.error } : message;
  });
}

const SYNC_ATTEMPTS = 4;
const SYNC_WAIT_MS = 250;
/** The title a new conversation had before its first message (the server's default). */
const UNTITLED = 'New conversation';
/** When to look for a title a title model gives a new conversation after its first reply (a setting; often off). */
export const TITLE_CHECKS_MS = [1_500, 3_000, 6_000];

/**
 * One conversation of the playground: its messages, and sending a message with the reply streamed
 * into the last one as it arrives. Stopping aborts the stream; the server keeps the partial reply
 * as cancelled. One instance per page.
 */
@Injectable()
export class ChatStore implements OnDestroy {
  private readonly service = inject(PlaygroundService);

  readonly conversation = signal<ConversationResponse | null>(null);
  readonly messages = signal<MessageResponse[]>([]);
  readonly loading = signal(false);
  readonly streaming = signal(false);
  /** Why the conversation could not be opened, or a message not sent. */
  readonly error = signal<string | null>(null);

  private controller: AbortController | null = null;
  /** Stops the title checks when the page goes. */
  private readonly titleChecks = new AbortController();
  /** Bumped whenever another conversation is shown, so late answers for the previous one are dropped. */
  private shown = 0;

  async open(id: string): Promise<void> {
    if (this.conversation()?.id === id && !this.error()) return;
    this.stop();
    const ticket = ++this.shown;
    this.loading.set(true);
    this.error.set(null);
    this.messages.set([]);
    try {
      const { messages, ...conversation } = await this.service.get(id);
      if (ticket !== this.shown) return;
      this.conversation.set(conversation);
      this.messages.set(messages);
    } catch (error) {
      if (ticket === this.shown) this.error.set(problemMessage(error));
    } finally {
      if (ticket === this.shown) this.loading.set(false);
    }
  }

  /** An empty page: the next message starts a new conversation. */
  startNew(): void {
    this.stop();
    this.shown++;
    this.conversation.set(null);
    this.messages.set([]);
    this.error.set(null);
    this.loading.set(false);
  }

  /** Forgets a conversation that was deleted while shown. */
  forget(id: string): void {
    if (this.conversation()?.id === id) this.startNew();
  }

  /**
   * Sends a message, first starting a conversation with `start` when none is shown. Resolves once
   * the reply ended: `false` when the message was refused before anything was stored (the caller
   * keeps the text to try again).
   */
  async send(content: string, start: CreateConversationRequest = {}): Promise<boolean> {
    const text = content.trim();
    if (!text || this.streaming()) return false;
    const ticket = this.shown;
    const controller = new AbortController();
    this.controller = controller;
    this.streaming.set(true);
    this.error.set(null);
    const question = draftMessage('user', text, 'complete');
    let reply = draftMessage('assistant', '', 'streaming');
    let stored = false;
    this.messages.update((list) => [...list, question, reply]);
    let conversation = this.conversation();
    const first = conversation ? conversation.message_count === 0 && conversation.title === UNTITLED : !start.title;
    try {
      if (!conversation) {
        conversation = await this.service.create(start);
        if (ticket === this.shown) this.conversation.set(conversation);
      }
      for await (const event of this.service.send(conversation.id, text, controller.signal)) {
        if (event.type === 'user_message') {
          stored = true;
          this.replace(question.id, event.message);
          reply = { ...reply, conversation_id: event.message.conversation_id, seq: event.message.seq + 1 };
          this.replace(reply.id, reply);
        } else if (event.type === 'delta') {
          this.patch(reply.id, (m) => ({ ...m, content: m.content + event.text }));
        } else if (event.type === 'assistant_message') {
          this.replace(reply.id, event.message);
        } else {
          const { code, detail, status } = event.problem;
          this.patch(reply.id, (m) => ({ ...m, status: 'failed', error: { class: code, message: detail, status } }));
        }
      }
    } catch (error) {
      if (controller.signal.aborted) {
        const stopped: MessageErrorDto = { class: 'client_closed', message: 'Stopped before the reply finished', status: null };
        this.patch(reply.id, (m) => ({ ...m, status: 'cancelled', error: stopped }));
      } else if (!stored) {
        // Refused before anything was stored (no such conversation, model retired, …).
        this.messages.update((list) => list.filter((m) => m.id !== question.id && m.id !== reply.id));
        this.error.set(problemMessage(error));
      } else {
        const lost: MessageErrorDto = { class: 'connection_lost', message: problemMessage(error), status: null };
        this.patch(reply.id, (m) => ({ ...m, status: 'failed', error: lost }));
      }
    } finally {
      if (this.controller === controller) this.controller = null;
      this.streaming.set(false);
    }
    if (conversation && stored) {
      const synced = await this.sync(conversation.id, ticket);
      if (first && synced && synced.title !== UNTITLED) void this.watchTitle(conversation.id, synced.title);
    }
    return stored || controller.signal.aborted;
  }

  /** Aborts the reply being streamed. */
  stop(): void {
    this.controller?.abort();
    this.controller = null;
  }

  ngOnDestroy(): void {
    this.stop();
    this.titleChecks.abort();
  }

  /**
   * Reads the conversation back once a reply ended: the stored messages (a cancelled reply as the
   * server kept it), the title it got from the first message, and its totals for the list.
   */
  private async sync(id: string, ticket: number): Promise<ConversationResponse | undefined> {
    for (let attempt = 1; attempt <= SYNC_ATTEMPTS; attempt++) {
      try {
        const { messages, ...conversation } = await this.service.get(id);
        this.service.touch(conversation);
        if (ticket !== this.shown) return conversation;
        const settled = !messages.some((m) => m.status === 'streaming');
        if (settled || attempt === SYNC_ATTEMPTS) {
          this.conversation.set(conversation);
          this.messages.set(mergeStored(messages, this.messages()));
          return conversation;
        }
      } catch {
        return undefined; // What streamed stays on screen; the next load shows what was stored.
      }
      await new Promise((wake) => setTimeout(wake, SYNC_WAIT_MS));
    }
    return undefined;
  }

  /**
   * A title model (when a setting names one) renames a new conversation shortly after its first
   * reply: the list and the header show it once it is there. A few reads, then it gives up.
   */
  private async watchTitle(id: string, cut: string): Promise<void> {
    const signal = this.titleChecks.signal;
    let waited = 0;
    for (const at of TITLE_CHECKS_MS) {
      await new Promise<void>((wake) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          wake();
        };
        const timer = setTimeout(done, at - waited);
        signal.addEventListener('abort', done);
      });
      waited = at;
      if (signal.aborted) return;
      try {
        const { messages: _, ...conversation } = await this.service.get(id);
        if (conversation.title === cut) continue;
        this.service.refresh(conversation);
        if (this.conversation()?.id === id) this.conversation.set(conversation);
        return;
      } catch {
        return; // Deleted, or signed out: nothing to show.
      }
    }
  }

  private replace(id: string, message: MessageResponse): void {
    this.messages.update((list) => list.map((m) => (m.id === id ? message : m)));
  }

  private patch(id: string, change: (message: MessageResponse) => MessageResponse): void {
    this.messages.update((list) => list.map((m) => (m.id === id ? change(m) : m)));
  }
}
