import { HttpErrorResponse, HttpEventType, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { aProblem } from '../../../testing/session-fixtures';
import { anUploadResponse, KB_ID } from '../../../testing/knowledge-fixtures';
import { aSetting } from '../../../testing/registry-fixtures';
import { applyUploadEvent, DocumentUploads, queuedUpload, uploadPercent, uploadRefusal } from './document-uploads';
import { KnowledgeBasesService } from './knowledge-bases.service';

const DOCUMENTS = `/api/v1/knowledge-bases/${KB_ID}/documents`;
const LIMIT = '/api/v1/settings/knowledge.max_upload_bytes';

function file(name: string, size: number, type = 'text/markdown'): File {
  return new File(['x'.repeat(size)], name, { type });
}

describe('upload progress', () => {
  const item = () => queuedUpload({ name: 'handbook.md', size: 1000 });

  it('follows the bytes sent, then waits for the API to read the file, then shows its answer', () => {
    let state = applyUploadEvent(item(), { type: 'progress', loaded: 250, total: 1000 });
    expect(state).toMatchObject({ status: 'uploading', loaded: 250 });
    expect(uploadPercent(state)).toBe(25);

    // Every byte is out: the API still extracts and chunks before it answers.
    state = applyUploadEvent(state, { type: 'progress', loaded: 1000, total: 1000 });
    expect(state.status).toBe('processing');
    expect(uploadPercent(state)).toBe(100);

    state = applyUploadEvent(state, { type: 'done', status: 202, body: anUploadResponse() });
    expect(state).toMatchObject({
      status: 'done',
      message: 'Indexing 12 chunks in the background',
      documentId: anUploadResponse().document.id,
    });
  });

  it('uses the file size when the browser cannot tell the total', () => {
    const state = applyUploadEvent(item(), { type: 'progress', loaded: 500, total: null });
    expect(uploadPercent(state)).toBe(50);
  });

  it('tells a duplicate apart from a new document', () => {
    const body = anUploadResponse({
      duplicate: true,
      detail: 'This file is already in the knowledge base as “Staff handbook”; nothing was changed',
    });
    const state = applyUploadEvent(item(), { type: 'done', status: 200, body });
    expect(state.status).toBe('duplicate');
    expect(state.message).toContain('already in the knowledge base');
  });

  it('words 413 and 415 plainly, naming the file and the limit', () => {
    const tooLarge = new HttpErrorResponse({
      status: 413,
      error: { ...aProblem(413, 'The document is larger than 1048576 bytes'), max_bytes: 1_048_576 },
    });
    expect(uploadRefusal('scan.pdf', tooLarge)).toBe(
      'scan.pdf is larger than the 1 MB upload limit (the knowledge.max_upload_bytes setting).',
    );
    const noLimit = new HttpErrorResponse({ status: 413, error: 'Payload Too Large' });
    expect(uploadRefusal('scan.pdf', noLimit)).toBe('scan.pdf is larger than the upload limit (the knowledge.max_upload_bytes setting).');
    const unsupported = new HttpErrorResponse({ status: 415, error: aProblem(415, 'image/png (logo.png) is not supported') });
    expect(uploadRefusal('logo.png', unsupported)).toBe(
      'logo.png is not a supported file type. Upload plain text, Markdown, HTML or PDF (.txt, .md, .html, .pdf).',
    );
    const unreadable = new HttpErrorResponse({ status: 422, error: aProblem(422, 'The PDF has no text layer') });
    expect(uploadRefusal('scan.pdf', unreadable)).toBe('scan.pdf was not uploaded: The PDF has no text layer');
  });
});

describe('DocumentUploads', () => {
  let http: HttpTestingController;
  let uploads: DocumentUploads;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), KnowledgeBasesService, DocumentUploads],
    });
    http = TestBed.inject(HttpTestingController);
    uploads = TestBed.inject(DocumentUploads);
  });

  afterEach(() => http.verify());

  const upload = () => vi.waitFor(() => http.expectOne((r) => r.url === DOCUMENTS && r.method === 'POST'));
  const statuses = () => uploads.items().map((item) => `${item.name}:${item.status}`);

  async function answerLimit(bytes: number): Promise<void> {
    (await vi.waitFor(() => http.expectOne(LIMIT))).flush(
      aSetting({ key: 'knowledge.max_upload_bytes', value: bytes as unknown as object }),
    );
  }

  function progress(request: TestRequest, loaded: number, total: number): void {
    request.event({ type: HttpEventType.UploadProgress, loaded, total });
  }

  it('uploads the files one after another as multipart, with their progress, and counts what the API answered', async () => {
    uploads.add(KB_ID, [file('handbook.md', 1000), file('travel.html', 400, 'text/html')]);
    expect(statuses()).toEqual(['handbook.md:queued', 'travel.html:queued']);
    await answerLimit(20 * 1024 * 1024);

    const first = await upload();
    expect(first.request.body).toBeInstanceOf(FormData);
    expect(((first.request.body as FormData).get('file') as File).name).toBe('handbook.md');
    expect(first.request.reportProgress).toBe(true);
    expect(statuses()).toEqual(['handbook.md:uploading', 'travel.html:queued']);

    progress(first, 400, 1000);
    expect(uploads.items()[0]).toMatchObject({ status: 'uploading', loaded: 400 });
    expect(uploadPercent(uploads.items()[0])).toBe(40);
    progress(first, 1000, 1000);
    expect(uploads.items()[0].status).toBe('processing');

    first.flush(anUploadResponse(), { status: 202, statusText: 'Accepted' });
    expect(uploads.items()[0]).toMatchObject({ status: 'done', message: 'Indexing 12 chunks in the background' });
    expect(uploads.completed()).toBe(1);

    const second = await upload();
    expect(((second.request.body as FormData).get('file') as File).name).toBe('travel.html');
    second.flush(anUploadResponse({ duplicate: true, detail: 'Already there' }), { status: 200, statusText: 'OK' });
    expect(statuses()).toEqual(['handbook.md:done', 'travel.html:duplicate']);
    expect(uploads.completed()).toBe(2);
    expect(uploads.active()).toBe(false);
  });

  it('refuses a file over the limit before sending it, and goes on with the next', async () => {
    uploads.add(KB_ID, [file('huge.pdf', 3000, 'application/pdf'), file('notes.txt', 10, 'text/plain')]);
    await answerLimit(2048);
    await vi.waitFor(() => expect(uploads.items()[0].status).toBe('failed'));
    expect(uploads.items()[0].message).toBe('huge.pdf is larger than the 2 KB upload limit (the knowledge.max_upload_bytes setting).');
    expect(uploads.maxBytes()).toBe(2048);
    (await upload()).flush(anUploadResponse(), { status: 202, statusText: 'Accepted' });
    expect(statuses()).toEqual(['huge.pdf:failed', 'notes.txt:done']);
  });

  it('shows the refusal of the API on the file it concerns', async () => {
    uploads.add(KB_ID, [file('logo.png', 16, 'image/png')]);
    await answerLimit(20 * 1024 * 1024);
    (await upload()).flush(aProblem(415, 'image/png is not supported'), { status: 415, statusText: 'Unsupported Media Type' });
    expect(uploads.items()[0]).toMatchObject({ status: 'failed', message: expect.stringContaining('not a supported file type') });
    expect(uploads.completed()).toBe(0);
  });

  it('cancels a running upload and starts the next; finished ones can be cleared', async () => {
    uploads.add(KB_ID, [file('a.md', 100), file('b.md', 100)]);
    await answerLimit(20 * 1024 * 1024);
    const first = await upload();
    uploads.cancel(uploads.items()[0].id);
    expect(first.cancelled).toBe(true);
    await vi.waitFor(() => expect(statuses()).toEqual(['b.md:uploading']));
    (await upload()).flush(anUploadResponse(), { status: 202, statusText: 'Accepted' });
    uploads.clearFinished();
    expect(uploads.items()).toEqual([]);
  });
});
