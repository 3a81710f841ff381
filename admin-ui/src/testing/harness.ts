import { HttpParams } from '@angular/common/http';
import { HttpTestingController, TestRequest } from '@angular/common/http/testing';
import { ComponentFixture } from '@angular/core/testing';

/** Helpers for component tests that talk to HttpTestingController. */
export function testing<T>(fixture: ComponentFixture<T>, http: HttpTestingController) {
  const root = () => fixture.nativeElement as HTMLElement;
  const byTestId = <E extends HTMLElement = HTMLElement>(id: string): E | null => root().querySelector<E>(`[data-testid="${id}"]`);

  return {
    byTestId,
    text: (id: string) => byTestId(id)?.textContent?.replace(/\s+/g, ' ').trim() ?? null,
    /** Everything the component shows, as one string. */
    allText: () => root().textContent?.replace(/\s+/g, ' ') ?? '',

    /**
     * The next request to `url` (method and a check of its query optional), once the effects and
     * promises before it ran.
     */
    async request(url: string, method?: string, query: (params: HttpParams) => boolean = () => true): Promise<TestRequest> {
      return vi.waitFor(() => {
        fixture.detectChanges();
        return http.expectOne((candidate) => candidate.url === url && (!method || candidate.method === method) && query(candidate.params));
      });
    },

    async type(id: string, value: string): Promise<void> {
      const input = byTestId<HTMLInputElement>(id);
      if (!input) throw new Error(`no element with data-testid ${id}`);
      input.value = value;
      input.dispatchEvent(new Event('input'));
      input.dispatchEvent(new Event('blur'));
      await settle();
    },

    async click(id: string): Promise<void> {
      const element = byTestId(id);
      if (!element) throw new Error(`no element with data-testid ${id}`);
      element.click();
      await settle();
    },

    /** Waits until `check` passes, re-rendering in between. */
    async until(check: () => void): Promise<void> {
      await vi.waitFor(async () => {
        await settle();
        check();
      });
    },
  };

  async function settle(): Promise<void> {
    fixture.detectChanges();
    await Promise.resolve();
    fixture.detectChanges();
  }
}
