import { HttpErrorResponse } from '@angular/common/http';
import { computed, inject, Injectable, resource, signal } from '@angular/core';
import { Api } from '../../api/api';
import { exportAuditEvents$Csv } from '../../api/fn/audit/export-audit-events-csv';
import { exportAuditEvents$XNdjson } from '../../api/fn/audit/export-audit-events-x-ndjson';
import { listAuditEvents, ListAuditEvents$Params } from '../../api/fn/audit/list-audit-events';
import { verifyAuditChain } from '../../api/fn/audit/verify-audit-chain';
import type { AuditEventResponse } from '../../api/models';
import { problemMessage } from '../../core/http/problem';
import { loadError } from '../../shared/latest';

/** The filters of the list and the export (everything but the cursor). */
export type AuditFilters = Omit<ListAuditEvents$Params, 'cursor' | 'limit'>;
export type ExportFormat = 'csv' | 'ndjson';

const PAGE_SIZE = 50;

/** Audit events, newest first, loaded a page at a time; export and chain verification. */
@Injectable()
export class AuditService {
  private readonly api = inject(Api);

  readonly filters = signal<AuditFilters>({});
  readonly events = signal<AuditEventResponse[]>([]);
  readonly nextCursor = signal<string | null>(null);
  readonly loading = signal(false);
  readonly loaded = signal(false);
  readonly error = signal<string | null>(null);
  /** Answers to an older filter are dropped when a newer request is on its way. */
  private generation = 0;

  private readonly verifyResource = resource({ loader: () => this.api.invoke(verifyAuditChain) });
  readonly verification = computed(() => (this.verifyResource.hasValue() ? this.verifyResource.value()! : null));
  readonly verifying = this.verifyResource.isLoading;
  readonly verifyError = loadError(this.verifyResource);

  /** Applies filters and loads their first page. */
  async search(filters: AuditFilters): Promise<void> {
    this.filters.set(filters);
    this.events.set([]);
    this.nextCursor.set(null);
    this.loaded.set(false);
    await this.fetch(undefined);
  }

  async loadMore(): Promise<void> {
    const cursor = this.nextCursor();
    if (cursor && !this.loading()) await this.fetch(cursor);
  }

  verify(): void {
    this.verifyResource.reload();
  }

  /** The filtered events as a file: the whole set, oldest first, streamed by the server. */
  async export(format: ExportFormat): Promise<{ blob: Blob; filename: string }> {
    const params = { ...this.filters(), format };
    const type = format === 'csv' ? 'text/csv' : 'application/x-ndjson';
    try {
      const response =
        format === 'csv'
          ? await this.api.invoke$Response(exportAuditEvents$Csv, params)
          : await this.api.invoke$Response(exportAuditEvents$XNdjson, params);
      // The NDJSON variant is generated with responseType 'blob' (its body is a Blob at run time).
      const body: unknown = response.body;
      const blob = body instanceof Blob ? body : new Blob([String(body ?? '')], { type });
      const disposition = response.headers.get('content-disposition') ?? '';
      const filename = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `audit-events.${format}`;
      return { blob, filename };
    } catch (error) {
      throw await readableError(error);
    }
  }

  private async fetch(cursor: string | undefined): Promise<void> {
    const generation = ++this.generation;
    this.loading.set(true);
    this.error.set(null);
    try {
      const page = await this.api.invoke(listAuditEvents, { ...this.filters(), limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      if (generation !== this.generation) return;
      this.events.update((events) => [...events, ...page.items]);
      this.nextCursor.set(page.next_cursor);
    } catch (error) {
      if (generation === this.generation) this.error.set(problemMessage(error));
    } finally {
      if (generation === this.generation) {
        this.loading.set(false);
        this.loaded.set(true);
      }
    }
  }
}

/** A problem document delivered as a Blob (blob responses) is turned back into JSON so it can be shown. */
async function readableError(error: unknown): Promise<unknown> {
  if (error instanceof HttpErrorResponse && error.error instanceof Blob) {
    const text = await error.error.text();
    return new HttpErrorResponse({ error: text, status: error.status, statusText: error.statusText, url: error.url ?? undefined });
  }
  return error;
}
