import { getEventListeners } from 'node:events';
import { StreamAttempt } from './stream-attempt.js';

describe('StreamAttempt', () => {
  it('is cancelled by the caller, and once cancelled leaves no listener on the caller’s signal', () => {
    const caller = new AbortController();
    const followed = new StreamAttempt(60_000, caller.signal);
    caller.abort(new Error('client went away'));
    expect((followed.signal.reason as Error).message).toBe('client went away');

    const another = new AbortController();
    const attempt = new StreamAttempt(60_000, another.signal);
    attempt.cancel();
    expect(attempt.signal.aborted).toBe(true);
    expect(getEventListeners(another.signal, 'abort')).toHaveLength(0);
    expect(another.signal.aborted).toBe(false);
  });
});
