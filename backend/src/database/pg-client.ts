import pg from 'pg';

/**
 * pg's Client with `query()` answered through its callback form when no callback is given.
 *
 * pg 8's own promise form (the one TypeORM calls) kept each query's rows alive through the next
 * young-generation collection, so every large result was copied twice and promoted to the old
 * generation: a 200-message conversation read promoted ~6 MB per scavenge and the scavenges took
 * 8–55 ms instead of ~1 ms (V8's sampling heap profiler, `--trace-gc`). The same loop through the
 * callback form, or through `Pool.query`, promotes nothing. Results and errors are the same; only
 * who makes the promise differs.
 */
export class CallbackQueryClient extends pg.Client {
  // pg's overloads cannot be restated one by one; arguments and results pass through unchanged.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the overloads' union, as pg types it
  override query(...args: any[]): any {
    const query = super.query as (this: pg.Client, ...a: unknown[]) => unknown;
    const [config, values, callback] = args as unknown[];
    const submittable = typeof (config as { submit?: unknown } | null)?.submit === 'function';
    if (submittable || typeof values === 'function' || typeof callback === 'function') return query.apply(this, args);
    return new Promise((resolve, reject) =>
      query.call(this, config, values, (err: Error | null, res: unknown) => (err ? reject(err) : resolve(res))),
    );
  }
}
