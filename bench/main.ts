/**
 * `npm run bench -- <name> [args]`: runs one benchmark and prints its result as JSON on stdout.
 * Benchmarks measure speed and memory; tests never time anything.
 */
const BENCHES: Record<string, () => Promise<(args: string[]) => Promise<object>>> = {
  ingest: async () => (await import('./ingest.ts')).benchIngest,
  analytics: async () => (await import('./analytics.ts')).benchAnalytics,
  checkout: async () => (await import('./checkout.ts')).benchCheckout,
};

const [name, ...args] = process.argv.slice(2);
if (!name || !(name in BENCHES)) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [options]\n`);
  process.exit(2);
}
const run = await BENCHES[name]();
const result = await run(args);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
