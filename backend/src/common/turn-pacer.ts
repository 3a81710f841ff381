import { performance } from 'node:perf_hooks';

/**
 * Spreads a burst of requests over turns of the event loop.
 *
 * A request whose lookups are all cached runs from its socket's data to the upstream send without
 * yielding, and requests that waited on one shared load (a cold cache) all resume in the same
 * turn. Five hundred streams opened at once then hold the loop for a hundred milliseconds or more,
 * and the streams already open, timers and health probes wait behind them. Once the current turn
 * has spent its budget, the pacer moves later work to a following turn (in the order it came),
 * each turn starting with a fresh budget. Under steady load a turn rarely spends the budget, and
 * then nothing waits.
 */
export class TurnPacer {
  /** What one turn may spend: small against the 100 ms of loop lag allowed with 500 streams open, large against one request's 0.3 ms. */
  static readonly BUDGET_MS = 10;

  private turnStartedAt: number | undefined;

  constructor(
    private readonly budgetMs = TurnPacer.BUDGET_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether this turn has spent its budget; the first caller in a turn starts its clock. */
  spent(): boolean {
    const now = this.now();
    if (this.turnStartedAt === undefined) {
      this.turnStartedAt = now;
      // Queued before any deferred work, so a later turn's first caller starts a fresh budget.
      setImmediate(this.endTurn);
      return false;
    }
    return now - this.turnStartedAt >= this.budgetMs;
  }

  /** Calls `go` now while this turn has budget left, else in a later turn. */
  admit(go: () => void): void {
    if (this.spent()) setImmediate(() => this.admit(go));
    else go();
  }

  /** Resolves at once-ish while this turn has budget left, else in a later turn that has. */
  turn(): Promise<void> {
    return new Promise((resolve) => this.admit(resolve));
  }

  private readonly endTurn = (): void => {
    this.turnStartedAt = undefined;
  };
}
