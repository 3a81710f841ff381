import { Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { diffChanges } from '../audit/audit-changes.js';
import { systemActor, type Actor } from '../common/actor.js';
import { routeModel } from '../models/model-routing.js';
import { RegistryCache } from '../registry/registry-cache.js';
import { SettingsService } from '../settings/settings.service.js';
import { UpstreamClient } from '../upstream/upstream.client.js';
import { callerOf, metered } from '../usage/usage-caller.js';
import { UsageRecorder } from '../usage/usage-recorder.service.js';
import { Conversation } from './conversation.entity.js';

const TITLE_TIMEOUT_MS = 30_000;
const SHUTDOWN_WAIT_MS = 5_000;
/** Enough of the first message to say what it is about. */
const MAX_PROMPT_CHARS = 4_000;
const MAX_TITLE_CHARS = 80;
const INSTRUCTION =
  'Write a title of at most six words for a conversation that starts with the message below. ' +
  'Answer with the title alone: no quotes, no trailing full stop.';

/** What a conversation's first exchange leaves for naming it. */
export interface Untitled {
  conversationId: string;
  /** The title the first message gave it (cut short); a generated title replaces only this one. */
  cut: string;
  firstMessage: string;
}

/**
 * Names a conversation from its first message with the model the `conversations.title_model`
 * setting names, off the turn's path: the reply has gone out before the title is asked for. The
 * title replaces the one cut from the message only while the conversation still has it (a rename
 * wins), with an audit event in the same transaction; the call's usage is charged to the owner.
 * Any failure leaves the cut title.
 */
@Injectable()
export class ConversationTitles implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(ConversationTitles.name);
  /** Titles being asked for, so that shutdown and tests can wait for them. */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly settings: SettingsService,
    private readonly cache: RegistryCache,
    private readonly upstream: UpstreamClient,
    private readonly usage: UsageRecorder,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.settings.registerCheck('conversations.title_model', async (value) => {
      if (value === null) return undefined;
      const model = (await this.cache.get()).models.get(value as string);
      if (!model) return 'value does not name a model';
      if (model.type !== 'generation') return `${model.displayName} is a ${model.type} model; titles need a generation model`;
      if (model.status !== 'active') return `${model.displayName} is ${model.status}; choose an active model`;
      return undefined;
    });
  }

  /** A title on its way gets a few seconds to be stored (before usage is flushed); a slower one is given up. */
  async beforeApplicationShutdown(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settled(), new Promise((done) => (timer = setTimeout(done, SHUTDOWN_WAIT_MS)))]);
    clearTimeout(timer);
  }

  /** Asks for a title in the background when the setting names a model; never throws. */
  suggest(actor: Actor, untitled: Untitled): void {
    const job = this.name(actor, untitled).catch((error: unknown) =>
      this.logger.warn(`no title for conversation ${untitled.conversationId}: ${error instanceof Error ? error.message : String(error)}`),
    );
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  /** Resolves once every title asked for so far is stored or given up. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async name(actor: Actor, { conversationId, cut, firstMessage }: Untitled): Promise<void> {
    const modelId = (await this.settings.snapshot()).value('conversations.title_model');
    if (!modelId) return;
    const snapshot = await this.cache.get();
    const requested = snapshot.models.get(modelId);
    if (!requested) throw new Error('the title model no longer exists');
    const { model } = routeModel(snapshot, requested);
    // No caller's signal: nobody is waiting, and a timeout is the model's failure, not a hang-up.
    const { text } = await metered(
      this.usage,
      { source: 'conversation', endpoint: 'conversations.title', caller: callerOf(actor), model },
      () =>
        this.upstream.chat(model, {
          messages: [
            { role: 'system', content: INSTRUCTION },
            { role: 'user', content: firstMessage.slice(0, MAX_PROMPT_CHARS) },
          ],
          maxOutputTokens: 24,
          signal: AbortSignal.timeout(TITLE_TIMEOUT_MS),
        }),
      (result) => result.usage,
    );
    const title = cleanTitle(text);
    if (!title || title === cut) return;
    await this.dataSource.transaction(async (manager) => {
      const { affected } = await manager.update(Conversation, { id: conversationId, title: cut }, { title });
      if (!affected) return;
      await this.audit.record(manager, systemActor(actor.requestId), {
        action: 'conversation.titled',
        entityType: 'conversation',
        entityId: conversationId,
        changes: diffChanges({ title: cut }, { title }),
      });
    });
  }
}

/** The model's answer as a title: its first line, without quotes, a heading mark or a full stop, at most 80 characters. */
export function cleanTitle(text: string): string {
  const line =
    text
      .trim()
      .split('\n')[0]
      ?.replace(/^#+\s*/, '')
      .replace(/^(title:\s*)/i, '')
      .trim() ?? '';
  const unquoted = line.replace(/^["'“‘`*]+|["'”’`*]+$/g, '').trim();
  return cutAtWord(unquoted.replace(/\.$/, '').replace(/\s+/g, ' ').trim(), MAX_TITLE_CHARS);
}

/** `text` if it fits `max` characters, else cut at the last word break past half of it, with an ellipsis. */
export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
