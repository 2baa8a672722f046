import { createReadStream } from 'node:fs';
import { it } from 'vitest';
import { parseOrderFile } from '../../src/orders/formats/parse-order-file.ts';
it('perf', async () => {
  const t0 = performance.now();
  let rows = 0, recs = 0;
  for await (const b of parseOrderFile(createReadStream('/tmp/perf/or.csv'), 'online-retail', { decimalComma: false, defaultCurrency: 'GBP' })) { rows = b.rowsRead; recs += b.records.length; }
  const ms = performance.now() - t0;
  console.log({ rows, recs, ms, rowsPerSec: Math.round(rows / ms * 1000), rss: process.memoryUsage().rss / 1e6 });
}, 300000);
