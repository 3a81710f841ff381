import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { anAuditEvent } from '../../../testing/registry-fixtures';
import { aProblem } from '../../../testing/session-fixtures';
import { changeLines } from './audit-event-details.component';
import { AuditService } from './audit.service';

describe('audit log', () => {
  it('turns before/after changes into readable lines', () => {
    expect(
      changeLines({
        status: { before: 'active', after: 'inactive' },
        params: { before: { temperature: 0.7 }, after: { temperature: 1 } },
        api_key: { after: '****a1b2' },
        description: { before: 'old' },
      }),
    ).toEqual([
      { field: 'status', before: 'active', after: 'inactive', kind: 'changed' },
      { field: 'params', before: '{ "temperature": 0.7 }', after: '{ "temperature": 1 }', kind: 'changed' },
      { field: 'api_key', before: null, after: '****a1b2', kind: 'added' },
      { field: 'description', before: 'old', after: null, kind: 'removed' },
    ]);
    expect(changeLines(null)).toEqual([]);
  });

  describe('AuditService', () => {
    let service: AuditService;
    let http: HttpTestingController;

    beforeEach(() => {
      TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), AuditService] });
      service = TestBed.inject(AuditService);
      http = TestBed.inject(HttpTestingController);
    });

    afterEach(() => http.verify());

    const flushVerify = () =>
      vi.waitFor(() =>
        http.expectOne('/api/v1/audit-events/verify').flush({ valid: true, checked: 1, head_hash: 'h', first_broken: null }),
      );

    it('loads older pages with the cursor and keeps the filters', async () => {
      TestBed.tick();
      await flushVerify();
      const first = service.search({ action: 'model.*' });
      const page1 = http.expectOne((r) => r.url === '/api/v1/audit-events');
      expect(page1.request.params.get('action')).toBe('model.*');
      page1.flush({ items: [anAuditEvent({ id: 'e-2' })], next_cursor: 'c-1' });
      await first;

      const more = service.loadMore();
      const page2 = http.expectOne((r) => r.url === '/api/v1/audit-events');
      expect(page2.request.params.get('cursor')).toBe('c-1');
      expect(page2.request.params.get('action')).toBe('model.*');
      page2.flush({ items: [anAuditEvent({ id: 'e-1' })], next_cursor: null });
      await more;
      expect(service.events().map((e) => e.id)).toEqual(['e-2', 'e-1']);
      expect(service.nextCursor()).toBeNull();
    });

    it('exports the filtered set through the API client, with the file name the server gives', async () => {
      TestBed.tick();
      await flushVerify();
      service.filters.set({ action: 'setting.updated' });
      const done = service.export('csv');
      const request = http.expectOne((r) => r.url === '/api/v1/audit-events/export');
      expect(request.request.params.get('format')).toBe('csv');
      expect(request.request.params.get('action')).toBe('setting.updated');
      expect(request.request.urlWithParams).not.toContain('token');
      request.flush('seq,action\n1,setting.updated\n', { headers: { 'content-disposition': 'attachment; filename="audit-events-1.csv"' } });
      const { blob, filename } = await done;
      expect(filename).toBe('audit-events-1.csv');
      expect(await blob.text()).toContain('setting.updated');
    });

    it('explains a refused export', async () => {
      TestBed.tick();
      await flushVerify();
      const done = service.export('ndjson');
      http
        .expectOne((r) => r.url === '/api/v1/audit-events/export')
        .flush(new Blob([JSON.stringify(aProblem(403, 'Only admins and auditors can export'))]), { status: 403, statusText: 'Forbidden' });
      await expect(done).rejects.toMatchObject({ status: 403, error: expect.stringContaining('Only admins and auditors can export') });
    });
  });
});
