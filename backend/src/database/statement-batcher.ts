interface Call<In, Out> {
  input: In;
  resolve(output: Out): void;
  reject(error: unknown): void;
}

/**
 * Group commit in the app: calls of one hot write arriving while an earlier one is in the
 * database wait, then go together as one statement — one transaction, one WAL flush, one turn at
 * the audit chain's lock instead of one each. A call that finds nothing running goes at once, on
 * its own, so a quiet server adds no wait. A batch that fails is retried call by call, so one call
 * the database refuses (e.g. text PostgreSQL cannot store) fails alone.
 */
export class StatementBatcher<In, Out> {
  private waiting: Call<In, Out>[] = [];
  private running = false;

  constructor(
    /** Runs the calls as one statement; answers in the order given. */
    private readonly many: (inputs: In[]) => Promise<Out[]>,
    /** Runs one call alone. */
    private readonly one: (input: In) => Promise<Out>,
    private readonly maxBatch = 64,
  ) {}

  run(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const calls = this.waiting.splice(0, this.maxBatch);
        if (calls.length > 1) {
          const outputs = await this.many(calls.map((c) => c.input)).catch(() => undefined);
          if (outputs) {
            calls.forEach((c, i) => c.resolve(outputs[i]));
            continue;
          }
        }
        await Promise.all(calls.map((c) => this.one(c.input).then(c.resolve, c.reject)));
      }
    } finally {
      this.running = false;
    }
  }
}
