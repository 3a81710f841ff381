import { Deadline } from './deadline.js';

describe('Deadline', () => {
  it('aborts with the caller’s reason when the caller aborts, without counting as expired', () => {
    const caller = new AbortController();
    const deadline = new Deadline(60_000, caller.signal);
    caller.abort(new Error('client went away'));
    expect(deadline.signal.aborted).toBe(true);
    expect((deadline.signal.reason as Error).message).toBe('client went away');
    expect(deadline.expired).toBe(false);
    deadline.clear();
  });

  it('follows a caller that had already aborted', () => {
    const deadline = new Deadline(60_000, AbortSignal.abort('gone'));
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBe('gone');
    deadline.clear();
  });

  it('expires after the timeout with a TimeoutError', async () => {
    const deadline = new Deadline(5);
    await new Promise((resolve) => deadline.signal.addEventListener('abort', resolve));
    expect(deadline.expired).toBe(true);
    expect((deadline.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('once cleared, neither the timer nor the caller aborts it', async () => {
    const caller = new AbortController();
    const deadline = new Deadline(5, caller.signal);
    deadline.clear();
    await new Promise((resolve) => setTimeout(resolve, 20));
    caller.abort();
    expect(deadline.signal.aborted).toBe(false);
    expect(deadline.expired).toBe(false);
  });
});
