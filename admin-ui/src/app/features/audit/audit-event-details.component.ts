import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import type { AuditEventResponse } from '../../api/models';
import { exactTime } from '../../shared/relative-time.pipe';

export interface ChangeLine {
  field: string;
  before: string | null;
  after: string | null;
  kind: 'added' | 'removed' | 'changed';
}

/** Before/after of each changed field, as lines a person can read (absent side: null). */
export function changeLines(changes: AuditEventResponse['changes']): ChangeLine[] {
  return Object.entries(changes ?? {}).map(([field, change]) => {
    const before = 'before' in change && change.before !== undefined ? readable(change.before) : null;
    const after = 'after' in change && change.after !== undefined ? readable(change.after) : null;
    return { field, before, after, kind: before === null ? 'added' : after === null ? 'removed' : 'changed' };
  });
}

function readable(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ');
}

/** An event opened up: its changes as a diff, then where it came from. */
@Component({
  selector: 'sb-audit-event-details',
  imports: [MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './audit-event-details.component.html',
  styleUrl: './audit-event-details.component.scss',
})
export class AuditEventDetailsComponent {
  readonly event = input.required<AuditEventResponse>();
  readonly filterActor = output<string>();
  readonly filterEntity = output<{ type: string; id: string }>();

  protected readonly lines = computed(() => changeLines(this.event().changes));
  protected readonly exactTime = exactTime;
}
