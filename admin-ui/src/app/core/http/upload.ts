import { HttpClient, HttpEventType, HttpResponse } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { filter, map, Observable } from 'rxjs';
import { Api } from '../../api/api';
import { RequestBuilder } from '../../api/request-builder';

/** Bytes sent so far (`total` null when the browser cannot tell), then the API's answer. */
export type UploadEvent<T> = { type: 'progress'; loaded: number; total: number | null } | { type: 'done'; status: number; body: T };

/**
 * Multipart uploads that report their progress: the generated functions drop every event but the
 * response, so this builds the same request (the generated RequestBuilder, from a generated
 * function's PATH) and keeps the upload events. Progress needs the XHR backend (`withXhr()` in
 * app.config.ts); the auth interceptor applies as to any call. Errors arrive as HttpErrorResponse.
 */
@Injectable({ providedIn: 'root' })
export class UploadClient {
  private readonly api = inject(Api);
  private readonly http = inject(HttpClient);

  post<T>(path: string, pathParams: Record<string, string>, body: Record<string, Blob | string | undefined>): Observable<UploadEvent<T>> {
    const builder = new RequestBuilder(this.api.rootUrl, path, 'post');
    for (const [name, value] of Object.entries(pathParams)) builder.path(name, value, {});
    builder.body(body, 'multipart/form-data');
    const request = builder.build<T>({ responseType: 'json', accept: 'application/json', reportProgress: true });
    return this.http.request<T>(request).pipe(
      map((event): UploadEvent<T> | null => {
        if (event.type === HttpEventType.UploadProgress) return { type: 'progress', loaded: event.loaded, total: event.total ?? null };
        if (event instanceof HttpResponse) return { type: 'done', status: event.status, body: event.body as T };
        return null;
      }),
      filter((event): event is UploadEvent<T> => event !== null),
    );
  }
}
