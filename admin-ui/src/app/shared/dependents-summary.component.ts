import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { DependentsResponse, NamedRef } from '../api/models';

const SHOWN = 8;

/**
 * What uses a model (or a provider's models): knowledge bases by name, conversations, successor
 * links, settings that name it. Shown before a delete or a deprecation.
 */
@Component({
  selector: 'sb-dependents-summary',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let d = dependents();
    @if (d.knowledge_bases.length) {
      <div class="group" data-testid="kb-dependency-warning">
        <span class="label">{{ plural(d.knowledge_bases.length, 'knowledge base') }}</span>
        <ul data-testid="dependent-kb-list">
          @for (kb of shown(d.knowledge_bases); track kb.id) {
            <li>{{ kb.name }}</li>
          }
          @if (d.knowledge_bases.length > limit) {
            <li class="more">and {{ d.knowledge_bases.length - limit }} more</li>
          }
        </ul>
      </div>
    }
    @if (d.conversations.length) {
      <div class="group" data-testid="conversation-dependency-warning">
        <span class="label">{{ plural(d.conversations.length, 'conversation') }}</span>
        <ul>
          @for (conversation of shown(d.conversations); track conversation.id) {
            <li>{{ conversation.name || 'Untitled conversation' }}</li>
          }
          @if (d.conversations.length > limit) {
            <li class="more">and {{ d.conversations.length - limit }} more</li>
          }
        </ul>
      </div>
    }
    @if (d.successor_of.length) {
      <div class="group" data-testid="successor-dependency-warning">
        <span class="label">Named as the successor of</span>
        <ul>
          @for (model of shown(d.successor_of); track model.id) {
            <li>{{ model.name }}</li>
          }
        </ul>
      </div>
    }
    @if (d.settings.length) {
      <div class="group" data-testid="setting-dependency-warning">
        <span class="label">Named by {{ d.settings.length === 1 ? 'the setting' : 'the settings' }}</span>
        <ul>
          @for (key of d.settings; track key) {
            <li>
              <a routerLink="/settings" data-testid="dependent-setting-link"
                ><code>{{ key }}</code></a
              >
            </li>
          }
        </ul>
      </div>
    }
  `,
  styles: `
    :host {
      display: block;
    }
    .group {
      margin: 8px 0;
    }
    .label {
      font: var(--mat-sys-label-large);
    }
    ul {
      margin: 4px 0 0;
      padding-left: 20px;
    }
    li {
      font: var(--mat-sys-body-medium);
    }
    .more {
      list-style: none;
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class DependentsSummaryComponent {
  readonly dependents = input.required<DependentsResponse>();
  protected readonly limit = SHOWN;
  protected shown(refs: NamedRef[]): NamedRef[] {
    return refs.slice(0, SHOWN);
  }

  protected plural(count: number, noun: string): string {
    return `${count} ${noun}${count === 1 ? '' : 's'}`;
  }
}
