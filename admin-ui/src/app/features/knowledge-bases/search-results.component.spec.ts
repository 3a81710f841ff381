import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { SearchResponse } from '../../api/models';
import { aSearchHit, aSearchResponse, DOCUMENT_ID, KB_ID } from '../../../testing/knowledge-fixtures';
import { anchorWords, chunksAt } from './linked-source.component';
import { SearchResultsComponent } from './search-results.component';

function text(element: Element | null): string {
  return element?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
}

describe('the search results view', () => {
  let fixture: ComponentFixture<SearchResultsComponent>;

  function show(response: SearchResponse, modelName: string | null = 'Small embeddings'): HTMLElement {
    TestBed.configureTestingModule({ providers: [provideRouter([])] });
    fixture = TestBed.createComponent(SearchResultsComponent);
    fixture.componentRef.setInput('response', response);
    fixture.componentRef.setInput('knowledgeBaseId', KB_ID);
    fixture.componentRef.setInput('modelName', modelName);
    fixture.detectChanges();
    return fixture.nativeElement as HTMLElement;
  }

  it('shows each chunk with its document, heading, anchor, score and text, best first', () => {
    const host = show(
      aSearchResponse([
        aSearchHit(),
        aSearchHit({
          chunk_id: 'c-2',
          title: 'Travel FAQ',
          heading: null,
          anchor: null,
          content: 'Trains are booked in second class.',
          score: 0.0161,
          vector_rank: null,
          similarity: null,
          text_rank: 1,
        }),
      ]),
    );
    expect(text(host.querySelector('[data-testid="search-summary"]'))).toBe(
      '2 chunks in 42 ms · full text and pgvector, fused by rank · queries embedded with Small embeddings',
    );
    const first = host.querySelector('[data-testid="search-hit-0"]')!;
    expect(text(first.querySelector('[data-testid="search-hit-title"]'))).toBe('Staff handbook');
    expect(text(first.querySelector('[data-testid="search-hit-anchor"]'))).toBe('Staff handbook › Vacation #vacation');
    expect(text(first.querySelector('[data-testid="search-hit-score"]'))).toBe('Score0.0325');
    expect(text(first.querySelector('[data-testid="search-hit-content"]'))).toBe('Everyone gets 30 vacation days a year.');
    expect(text(first)).toContain('vector #1 (similarity 0.83) · full text #2');

    const second = host.querySelector('[data-testid="search-hit-1"]')!;
    expect(second.querySelector('[data-testid="search-hit-anchor"]')).toBeNull();
    expect(text(second)).toContain('full text #1');
    expect(text(second)).not.toContain('vector #');
  });

  it('links each chunk to its document and anchor, as the playground sources do', () => {
    const host = show(aSearchResponse([aSearchHit()]));
    const link = host.querySelector<HTMLAnchorElement>('[data-testid="search-hit-title"]')!;
    expect(link.getAttribute('href')).toBe(`/?kb=${KB_ID}&document=${DOCUMENT_ID}#vacation`);
  });

  it('says so when nothing matches', () => {
    const host = show(aSearchResponse([], { vector_search: 'exact' }), null);
    expect(text(host.querySelector('[data-testid="search-summary"]'))).toContain('No chunk matches');
    expect(host.querySelector('[data-testid="search-results"]')).toBeNull();
  });

  it('finds the passage a source link points at among search hits', () => {
    expect(anchorWords('parental-leave')).toBe('parental leave');
    const hits = [
      aSearchHit({ chunk_id: 'b', ordinal: 4 }),
      aSearchHit({ chunk_id: 'other-doc', document_id: 'elsewhere' }),
      aSearchHit({ chunk_id: 'a', ordinal: 3 }),
      aSearchHit({ chunk_id: 'travel', anchor: 'travel' }),
    ];
    expect(chunksAt(hits, DOCUMENT_ID, 'vacation').map((hit) => hit.chunk_id)).toEqual(['a', 'b']);
  });
});
