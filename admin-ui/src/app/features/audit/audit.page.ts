import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatExpansionModule } from '@angular/material/expansion';
import { MatIconModule } from '@angular/material/icon';
import { MatMenuModule } from '@angular/material/menu';
import { MatTooltipModule } from '@angular/material/tooltip';
import { SessionService } from '../../core/auth/session.service';
import { problemMessage } from '../../core/http/problem';
import { AlertComponent } from '../../shared/alert.component';
import { EmptyStateComponent } from '../../shared/empty-state.component';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import { PageHeaderComponent } from '../../shared/page-header.component';
import { exactTime, RelativeTimePipe } from '../../shared/relative-time.pipe';
import { StatusBadgeComponent } from '../../shared/status-badge.component';
import { AuditEventDetailsComponent } from './audit-event-details.component';
import { AuditFiltersComponent } from './audit-filters.component';
import { AuditFilters, AuditService, ExportFormat } from './audit.service';
import { ChainBadgeComponent } from './chain-badge.component';

@Component({
  selector: 'sb-audit-page',
  imports: [
    MatButtonModule,
    MatExpansionModule,
    MatIconModule,
    MatMenuModule,
    MatTooltipModule,
    AlertComponent,
    AuditEventDetailsComponent,
    AuditFiltersComponent,
    ChainBadgeComponent,
    EmptyStateComponent,
    LoadingBarComponent,
    PageHeaderComponent,
    RelativeTimePipe,
    StatusBadgeComponent,
  ],
  providers: [AuditService],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './audit.page.html',
  styleUrl: './audit.page.scss',
})
export class AuditPage {
  protected readonly session = inject(SessionService);
  protected readonly service = inject(AuditService);
  private readonly document = inject(DOCUMENT);

  protected readonly exporting = signal<ExportFormat | null>(null);
  protected readonly exportError = signal<string | null>(null);
  protected readonly exactTime = exactTime;

  constructor() {
    void this.service.search({});
  }

  /** UUIDs are recognisable by their first block; other ids (setting keys) are shown whole. */
  protected shortId(id: string | null): string {
    return id && /^[0-9a-f]{8}-[0-9a-f-]{27}$/i.test(id) ? id.slice(0, 8) : (id ?? '');
  }

  protected apply(filters: AuditFilters): void {
    void this.service.search(filters);
  }

  protected filterActor(actorId: string): void {
    void this.service.search({ actor_id: actorId });
  }

  protected filterEntity(entity: { type: string; id: string }): void {
    void this.service.search({ entity_type: entity.type, entity_id: entity.id });
  }

  /**
   * Downloads the filtered set. The file is fetched with the access token in the Authorization
   * header (never in a URL) and handed to the browser as a blob.
   */
  protected async download(format: ExportFormat): Promise<void> {
    this.exporting.set(format);
    this.exportError.set(null);
    try {
      const { blob, filename } = await this.service.export(format);
      const url = URL.createObjectURL(blob);
      const link = this.document.createElement('a');
      link.href = url;
      link.download = filename;
      this.document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      this.exportError.set(problemMessage(error));
    } finally {
      this.exporting.set(null);
    }
  }
}
