import { computed, inject, Injectable, resource, signal } from '@angular/core';
import { Api } from '../../api/api';
import { getUsage } from '../../api/fn/usage/get-usage';
import type { UsageReport } from '../../api/models';
import { fieldErrors } from '../../core/http/problem';
import { latestValue, loadError } from '../../shared/latest';
import { lastDays, type UsageQuery } from './usage-report';

/** The usage report for the chosen grouping, interval and range; one instance per usage page. */
@Injectable()
export class UsageService {
  private readonly api = inject(Api);

  /** The report reloads whenever this changes. */
  readonly query = signal<UsageQuery>({ group_by: 'model', interval: 'day', ...lastDays(30) });

  private readonly reportResource = resource({
    params: () => this.query(),
    loader: ({ params }) => this.api.invoke(getUsage, params),
  });

  readonly report = latestValue<UsageReport | null>(this.reportResource, null);
  readonly loading = this.reportResource.isLoading;
  readonly loaded = computed(() => this.reportResource.hasValue() || this.reportResource.status() === 'error');
  readonly error = loadError(this.reportResource);
  /** A refused range (422 on `from`/`to`), to show beside the dates. */
  readonly fieldErrors = computed(() => fieldErrors(this.reportResource.error()));

  reload(): void {
    this.reportResource.reload();
  }
}
