import { getEventListeners } from 'node:events';
import { LinkedAbortController } from './linked-abort.js';

describe('LinkedAbortController', () => {
  it('aborts with the caller’s reason, and on its own without touching the caller', () => {
    const caller = new AbortController();
    const linked = new LinkedAbortController(caller.signal);
    caller.abort(new Error('client went away'));
    expect((linked.signal.reason as Error).message).toBe('client went away');

    const other = new AbortController();
    const own = new LinkedAbortController(other.signal);
    own.abort();
    expect(own.signal.aborted).toBe(true);
    expect(other.signal.aborted).toBe(false);
  });

  it('follows a caller that had already aborted, and works without one', () => {
    expect(new LinkedAbortController(AbortSignal.abort('gone')).signal.reason).toBe('gone');
    expect(new LinkedAbortController().signal.aborted).toBe(false);
  });

  it('once unlinked, leaves no listener on the caller and no longer follows it', () => {
    const caller = new AbortController();
    const linked = new LinkedAbortController(caller.signal);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    linked.unlink();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    caller.abort();
    expect(linked.signal.aborted).toBe(false);
  });
});
