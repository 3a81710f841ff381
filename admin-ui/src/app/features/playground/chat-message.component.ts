import { DecimalPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';
import { RouterLink } from '@angular/router';
import type { MessageResponse } from '../../api/models';
import { StatusBadgeComponent } from '../../shared/status-badge.component';

/** 850 ms, 1.2 s, 12 s. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** One message of a conversation; a reply shows its model, tokens, cost, timings, sources and errors. */
@Component({
  selector: 'sb-chat-message',
  imports: [DecimalPipe, MatIconModule, RouterLink, StatusBadgeComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    '[class]': '"message " + message().role',
    '[attr.data-testid]': 'message().role === "user" ? "user-message" : "assistant-message"',
    '[attr.data-status]': 'message().status',
  },
  template: `
    @let m = message();
    <!-- A reply that failed or was stopped before its first token has nothing to show but the problem below. -->
    @if (m.content || m.status === 'streaming') {
      <div class="bubble">
        @if (m.role === 'assistant') {
          <span class="cdk-visually-hidden">Reply:</span>
        } @else {
          <span class="cdk-visually-hidden">You:</span>
        }
        <span class="content" data-testid="message-content">{{ m.content }}</span>
        @if (m.status === 'streaming') {
          <span class="caret" aria-hidden="true"></span>
          @if (!m.content) {
            <span class="thinking">Waiting for the first token…</span>
          }
        }
      </div>
    }
    @if (m.role === 'assistant') {
      @if (m.error && m.status !== 'complete') {
        <div class="problem" [class.cancelled]="m.status === 'cancelled'" data-testid="message-error">
          <sb-status-badge [status]="m.status" [tone]="m.status === 'cancelled' ? 'warning' : 'error'" />
          <span>{{ m.error.class === 'client_closed' ? 'Stopped before the reply finished' : m.error.message }}</span>
          @if (m.error.class && m.status === 'failed') {
            <span class="mono muted">{{ m.error.class }}{{ m.error.status ? ' · ' + m.error.status : '' }}</span>
          }
        </div>
      }
      @if (m.sources.length) {
        <div class="sources" data-testid="message-sources">
          <span class="label">Sources</span>
          <ul>
            @for (source of m.sources; track $index) {
              <li>
                <a
                  routerLink="/knowledge-bases"
                  [queryParams]="{ kb: knowledgeBaseId(), document: source.document_id }"
                  [fragment]="source.anchor ?? undefined"
                  >{{ source.title }}{{ source.anchor ? ' § ' + source.anchor : '' }}</a
                >
                <span class="score">{{ source.score | number: '1.2-2' }}</span>
              </li>
            }
          </ul>
        </div>
      }
      @if (m.status !== 'streaming') {
        <div class="meta" data-testid="message-meta">
          @if (m.model) {
            <span class="model" title="Model">{{ m.model.display_name }}</span>
          }
          @if (m.input_tokens !== null || m.output_tokens !== null) {
            <span data-testid="message-tokens">{{ m.input_tokens ?? 0 | number }} in · {{ m.output_tokens ?? 0 | number }} out tokens</span>
          }
          @if (m.cost) {
            <span data-testid="message-cost" title="Cost in USD">\${{ m.cost.total_usd }}</span>
          }
          @if (m.latency_ms !== null) {
            <span data-testid="message-latency" title="Time to the whole reply">{{ latency() }} total</span>
          }
          @if (m.ttft_ms !== null) {
            <span data-testid="message-ttft" title="Time to the first token">{{ ttft() }} to first token</span>
          }
        </div>
      }
    }
  `,
  styleUrl: './chat-message.component.scss',
})
export class ChatMessageComponent {
  readonly message = input.required<MessageResponse>();
  /** The conversation's knowledge base, which the sources link into. */
  readonly knowledgeBaseId = input<string | null>(null);

  protected readonly latency = computed(() => duration(this.message().latency_ms ?? 0));
  protected readonly ttft = computed(() => duration(this.message().ttft_ms ?? 0));
}
