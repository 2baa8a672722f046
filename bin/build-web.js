#!/usr/bin/env node
// Builds the dashboard (web/) into web/dist, or into the directory given as the first argument.
// `npm install` runs it (the `prepare` script); an install without dev dependencies skips it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let vite;
try {
  vite = await import('vite');
} catch {
  process.stderr.write(
    'comeback: vite is not installed (an install without dev dependencies?): dashboard not built\n',
  );
  process.exit(0);
}
const outDir = process.argv[2] ? path.resolve(process.argv[2]) : undefined;
await vite.build({
  configFile: fileURLToPath(new URL('../web/vite.config.ts', import.meta.url)),
  logLevel: 'warn',
  ...(outDir ? { build: { outDir, emptyOutDir: true } } : {}),
});
process.stdout.write(`Dashboard built into ${outDir ?? 'web/dist'}\n`);
