import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per app instance (not prom-client's global), so several apps can share a process in tests. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly upstreamCircuitState = new Gauge({
    name: 'upstream_circuit_state',
    help: 'Circuit breaker of each provider this instance has called: 0 closed, 1 half-open (trial call), 2 open (failing fast)',
    labelNames: ['provider_id', 'provider'] as const,
    registers: [this.registry],
  });
  readonly upstreamCalls = new Counter({
    name: 'upstream_calls_total',
    help: 'Upstream calls by provider, operation and outcome (ok, or the error class)',
    labelNames: ['provider', 'operation', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly upstreamRetries = new Counter({
    name: 'upstream_retries_total',
    help: 'Upstream attempts retried after a 429, 5xx or dropped connection',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly usageDropped = new Counter({
    name: 'usage_dropped_total',
    help: 'Calls whose usage was dropped because the queue waiting for the database was full',
    registers: [this.registry],
  });
  private queuedUsage: () => number = () => 0;
  readonly usageQueued: Gauge = new Gauge({
    name: 'usage_queued',
    help: 'Calls whose usage is waiting to be written',
    registers: [this.registry],
    collect: (): void => this.usageQueued.set(this.queuedUsage()),
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Where the usage_queued gauge reads its figure when scraped. */
  watchUsageQueue(queued: () => number): void {
    this.queuedUsage = queued;
  }

  /** Times every response with the matched route pattern (never the raw URL, which has ids in it). */
  instrument(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      this.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
      done();
    });
  }
}
