/**
 * `npm run bench -- <name> [options]`: runs one benchmark (or `all`) and updates bench/RESULTS.md.
 * Node 24 runs these TypeScript files directly (types stripped); they use the built server in
 * dist/, which `npm run bench` builds first.
 */
import { registerHooks } from 'node:module';

// Sources import each other as './x.js' (for TypeScript); run from source, those are './x.ts'.
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

const BENCHES: Record<string, () => Promise<{ run: (args: string[]) => Promise<void> }>> = {
  gateway: () => import('./gateway.bench.js'),
  history: () => import('./history.bench.js'),
  startup: () => import('./startup.bench.js'),
  knowledge: () => import('./knowledge.bench.js'),
};

const [name = 'all', ...args] = process.argv.slice(2);
const selected = name === 'all' ? Object.keys(BENCHES) : [name];
for (const bench of selected) {
  const load = BENCHES[bench];
  if (!load) {
    process.stderr.write(`unknown bench ${bench}; one of: ${Object.keys(BENCHES).join(', ')}, all\n`);
    process.exit(2);
  }
  process.stdout.write(`\n== ${bench} ==\n`);
  await (await load()).run(args);
}
