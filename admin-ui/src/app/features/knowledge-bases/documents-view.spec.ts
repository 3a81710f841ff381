import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { DocumentResponse } from '../../api/models';
import { aDocument } from '../../../testing/knowledge-fixtures';
import { DocumentStatusComponent } from './document-status.component';
import { DocumentsTableComponent } from './documents-table.component';

function text(element: Element | null): string {
  return element?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
}

describe('the documents status view', () => {
  describe('DocumentStatusComponent', () => {
    let fixture: ComponentFixture<DocumentStatusComponent>;
    let retried: DocumentResponse[];

    function show(document: DocumentResponse, canRetry = true): HTMLElement {
      fixture = TestBed.createComponent(DocumentStatusComponent);
      retried = [];
      fixture.componentInstance.retry.subscribe((d) => retried.push(d));
      fixture.componentRef.setInput('document', document);
      fixture.componentRef.setInput('canRetry', canRetry);
      fixture.detectChanges();
      return fixture.nativeElement as HTMLElement;
    }

    it('shows a queued document with the chunks it will embed', () => {
      const host = show(aDocument({ status: 'pending', progress: { done: 0, total: 12 }, indexed_at: null }));
      expect(host.getAttribute('data-status')).toBe('pending');
      expect(text(host.querySelector('sb-status-badge'))).toBe('Queued');
      expect(text(host.querySelector('.line'))).toBe('Waiting to be embedded · 12 chunks');
      expect(host.querySelector('[role="progressbar"]')).toBeNull();
    });

    it('shows indexing as chunks done of total, with a progress bar', () => {
      const document = aDocument({ status: 'indexing', progress: { done: 5, total: 12 }, indexed_at: null });
      const host = show(document);
      const bar = host.querySelector(`[data-testid="document-progress-${document.id}"]`)!;
      expect(bar.getAttribute('aria-valuenow')).toBe('41');
      expect(bar.getAttribute('aria-valuetext')).toBe('5 of 12 chunks');
      expect(text(host.querySelector(`[data-testid="document-progress-text-${document.id}"]`))).toBe('5 / 12 chunks · 41%');

      // The next poll moves it on.
      fixture.componentRef.setInput('document', {
        ...document,
        progress: { done: 12, total: 12 },
        status: 'indexed',
        indexed_at: new Date().toISOString(),
      });
      fixture.detectChanges();
      expect(host.getAttribute('data-status')).toBe('indexed');
      expect(text(host.querySelector('sb-status-badge'))).toBe('Indexed');
      expect(text(host.querySelector('.line'))).toBe('12 chunks · just now');
    });

    it('shows a failure with its error and a Retry for admins', () => {
      const document = aDocument({
        status: 'failed',
        progress: { done: 4, total: 12 },
        error: { class: 'authentication_error', message: 'the key was rejected (401): check the key' },
        indexed_at: null,
      });
      const host = show(document);
      expect(text(host.querySelector(`[data-testid="document-error-${document.id}"]`))).toBe(
        'the key was rejected (401): check the key (authentication_error)',
      );
      expect(text(host)).toContain('4 of 12 chunks were embedded');
      (host.querySelector(`[data-testid="retry-document-${document.id}"]`) as HTMLButtonElement).click();
      expect(retried).toEqual([document]);

      const memberView = show(document, false);
      expect(memberView.querySelector(`[data-testid="retry-document-${document.id}"]`)).toBeNull();
    });
  });

  describe('DocumentsTableComponent', () => {
    let fixture: ComponentFixture<DocumentsTableComponent>;

    function show(
      documents: DocumentResponse[],
      inputs: { admin?: boolean; highlight?: string | null; loaded?: boolean } = {},
    ): HTMLElement {
      fixture = TestBed.createComponent(DocumentsTableComponent);
      fixture.componentRef.setInput('documents', documents);
      fixture.componentRef.setInput('admin', inputs.admin ?? true);
      fixture.componentRef.setInput('highlight', inputs.highlight ?? null);
      fixture.componentRef.setInput('loaded', inputs.loaded ?? true);
      fixture.detectChanges();
      return fixture.nativeElement as HTMLElement;
    }

    it('lists each document with its file, type, size and status, and highlights the linked one', () => {
      const handbook = aDocument({ id: 'doc-1' });
      const faq = aDocument({ id: 'doc-2', title: 'Travel FAQ', filename: 'faq.html', media_type: 'text/html', size_bytes: 512 });
      const host = show([handbook, faq], { highlight: 'doc-2' });
      const rows = host.querySelectorAll('tbody tr');
      expect(rows).toHaveLength(2);
      expect(text(rows[0])).toContain('handbook.md · Markdown · 14.2 KB');
      expect(text(rows[1])).toContain('faq.html · HTML · 512 B');
      expect(rows[0].getAttribute('aria-current')).toBeNull();
      expect(rows[1].getAttribute('aria-current')).toBe('location');
      expect(host.querySelector('[data-testid="delete-document-button-doc-1"]')).not.toBeNull();
    });

    it('has no delete for members, and says who adds documents when there are none', () => {
      const host = show([aDocument()], { admin: false });
      expect(host.querySelector('[data-testid^="delete-document-button-"]')).toBeNull();
      expect(text(show([], { admin: false }).querySelector('[data-testid="documents-empty"]'))).toBe(
        'No documents yet. An admin uploads them.',
      );
      expect(text(show([], { admin: true }).querySelector('[data-testid="documents-empty"]'))).toContain('Drop files above');
      expect(text(show([], { loaded: false }).querySelector('[data-testid="documents-empty"]'))).toBe('Loading documents…');
    });
  });
});
