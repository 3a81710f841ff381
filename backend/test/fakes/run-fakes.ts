/**
 * Runs every fake upstream as a standalone process, for Playwright and benchmarks:
 *
 *   node backend/test/fakes/run-fakes.ts
 *
 * Node 24 strips the TypeScript types itself. Ports come from FAKE_<NAME>_PORT (e.g.
 * FAKE_OPENAI_PORT=4010) or FAKES_PORT_BASE (consecutive ports in the order of FAKE_NAMES);
 * otherwise free ports are picked. FAKES_HOST (default 127.0.0.1) and FAKES_MAX_LOGGED_REQUESTS
 * (default 1000; 0 for benchmarks) are optional. Prints one JSON line {"urls":…,"keys":…} once
 * listening, and stops cleanly on SIGINT/SIGTERM.
 */
import { registerHooks } from 'node:module';

// The sources import each other as './x.js' (for TypeScript and Jest); when Node runs them
// straight from source, those files are './x.ts'.
registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (!specifier.startsWith('.') || !specifier.endsWith('.js')) throw error;
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
  },
});

const { FAKE_NAMES, startFakes } = await import('./index.js');
type FakeName = (typeof FAKE_NAMES)[number];

function portFor(name: FakeName, index: number): number | undefined {
  const own = process.env[`FAKE_${name.toUpperCase()}_PORT`];
  if (own) return Number(own);
  const base = process.env['FAKES_PORT_BASE'];
  return base ? Number(base) + index : undefined;
}

const ports = Object.fromEntries(FAKE_NAMES.map((name, index) => [name, portFor(name, index)]));
const maxLogged = process.env['FAKES_MAX_LOGGED_REQUESTS'];
const fakes = await startFakes({
  host: process.env['FAKES_HOST'] ?? '127.0.0.1',
  ports,
  maxLoggedRequests: maxLogged === undefined ? undefined : Number(maxLogged),
});
process.stdout.write(`${JSON.stringify({ urls: fakes.urls, keys: fakes.keys })}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void fakes.close().then(() => process.exit(0));
  });
}
