import { StatementBatcher } from '../../src/database/statement-batcher.js';

/** A statement that answers when the test says so, recording how it was called. */
function recorder() {
  const calls: { kind: 'many' | 'one'; inputs: number[] }[] = [];
  const pending: (() => void)[] = [];
  const answer = <T>(value: T) => new Promise<T>((resolve) => pending.push(() => resolve(value)));
  const batcher = new StatementBatcher<number, number>(
    (inputs) => {
      calls.push({ kind: 'many', inputs });
      if (inputs.includes(13)) return Promise.reject(new Error('refused'));
      return answer(inputs.map((n) => n * 10));
    },
    (input) => {
      calls.push({ kind: 'one', inputs: [input] });
      if (input === 13) return Promise.reject(new Error('thirteen refused'));
      return answer(input * 10);
    },
    3,
  );
  const release = async () => {
    await new Promise((r) => setImmediate(r));
    pending.splice(0).forEach((go) => go());
    await new Promise((r) => setImmediate(r));
  };
  return { calls, batcher, release };
}

describe('StatementBatcher', () => {
  it('runs a call alone at once when nothing is running', async () => {
    const { calls, batcher, release } = recorder();
    const result = batcher.run(1);
    await release();
    await expect(result).resolves.toBe(10);
    expect(calls).toEqual([{ kind: 'one', inputs: [1] }]);
  });

  it('sends the calls that arrive while one runs together, in batches no larger than the limit, each answered with its own result', async () => {
    const { calls, batcher, release } = recorder();
    const first = batcher.run(1);
    const later = [2, 3, 4, 5, 6].map((n) => batcher.run(n));
    for (let i = 0; i < 3; i++) await release();
    await expect(first).resolves.toBe(10);
    await expect(Promise.all(later)).resolves.toEqual([20, 30, 40, 50, 60]);
    expect(calls).toEqual([
      { kind: 'one', inputs: [1] },
      { kind: 'many', inputs: [2, 3, 4] },
      { kind: 'many', inputs: [5, 6] },
    ]);
  });

  it('retries a refused batch call by call, so only the bad call fails', async () => {
    const { calls, batcher, release } = recorder();
    const first = batcher.run(1);
    const later = [12, 13, 14].map((n) => batcher.run(n).catch((e: Error) => e.message));
    for (let i = 0; i < 3; i++) await release();
    await first;
    await expect(Promise.all(later)).resolves.toEqual([120, 'thirteen refused', 140]);
    expect(calls.slice(1).map((c) => c.kind)).toEqual(['many', 'one', 'one', 'one']);
  });
});
