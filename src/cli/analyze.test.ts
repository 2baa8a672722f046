import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { type AnalyzeOptions, registerAnalyzeCommand, runAnalyze } from './analyze.ts';

const sample = new URL('../../test/fixtures/CDNOW_sample.txt', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'comeback-analyze-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base: AnalyzeOptions = {
  orders: sample,
  format: 'cdnow',
  calibrationEnd: '1997-09-30',
  timeUnit: 'week',
  horizon: 52,
  discountRate: 0.01,
  model: 'bgnbd',
  sleepingFactor: 3,
  penalty: 0,
  json: true,
  currency: 'USD',
  locale: 'en',
};

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), progress: false },
    out,
    err,
  };
}

describe('comeback analyze', () => {
  it('prints exactly one JSON object with the summary, all three models and the holdout', async () => {
    const { io, out, err } = capture();
    await runAnalyze(base, io);
    expect(err).toEqual([]);
    expect(out.length).toBe(1);
    const json = JSON.parse(out[0]);
    expect(json.summary).toMatchObject({ customers: 2357, orders: 6919 });
    expect(json.summary.aov).toBeCloseTo(244091.94 / 6919, 9);
    expect(Object.keys(json.models.bgnbd.params)).toEqual(['r', 'alpha', 'a', 'b']);
    expect(Object.keys(json.models.paretonbd.params)).toEqual(['r', 'alpha', 's', 'beta']);
    expect(Object.keys(json.models.gammaGamma.params)).toEqual(['p', 'q', 'v']);
    expect(json.models.bgnbd.logLikelihood).toBeCloseTo(-9582.43, 1);
    expect(json.models.paretonbd.logLikelihood).toBeCloseTo(-9594.98, 1);
    expect(json.holdout.length).toBe(39);
    expect(json.holdout.rows).toHaveLength(8);
  });
  it('prints an aligned report and writes one CSV row per customer', async () => {
    const { io, out } = capture();
    const csv = join(dir, 'customers.csv');
    await runAnalyze({ ...base, json: false, customers: csv, model: 'paretonbd' }, io);
    const report = out.join('');
    expect(report).toContain('AOV = revenue / orders');
    expect(report).toMatch(/BG\/NBD\s+r 0\.2425\d\s+alpha 4\.41\d+/);
    expect(report).toContain('Scoring with Pareto/NBD');
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(
      'id,frequency,recency,T,monetary,p_alive,expected_purchases,predicted_clv,rfm_segment,lifecycle_stage,sleeping,sleeping_reason',
    );
    expect(lines.length).toBe(2358);
    expect(lines[1]).toMatch(/^00004,3,49\.2857,77\.8571,23\.72,/);
  });
  it('registers its options with commander', () => {
    const program = new Command('comeback');
    registerAnalyzeCommand(program);
    const cmd = program.commands.find((c) => c.name() === 'analyze')!;
    const flags = cmd.options.map((o) => o.long);
    for (const flag of [
      '--orders',
      '--format',
      '--calibration-end',
      '--time-unit',
      '--horizon',
      '--discount-rate',
      '--model',
      '--customers',
      '--json',
      '--currency',
      '--locale',
    ]) {
      expect(flags).toContain(flag);
    }
  });
});
