import { beforeAll, describe, expect, it } from 'vitest';
import { readFixtureBytes, readFixtureText } from '../../test/fixtures/read-fixture-bytes.ts';
import { parseCdnowTransactions } from '../orders/formats/cdnow.ts';
import { type BgNbdParams, bgNbdLogLikelihood, fitBgNbd } from './bg-nbd.ts';
import { bgNbdConditionalExpectedPurchases, bgNbdProbabilityAlive } from './bg-nbd-predict.ts';
import { discountedPurchases } from './discounted-purchases.ts';
import { fitGammaGamma, type GammaGammaParams, gammaGammaExpectedSpend } from './gamma-gamma.ts';
import { fitParetoNbd, type ParetoNbdParams, paretoNbdLogLikelihood } from './pareto-nbd.ts';
import {
  paretoNbdConditionalExpectedPurchases,
  paretoNbdProbabilityAlive,
  paretoNbdProbabilityAlivePatterns,
} from './pareto-nbd-predict.ts';
import { buildPurchaseHistory } from './purchase-history.ts';
import { compressRfm } from './rfm-patterns.ts';
import { type RfmSummary, summarizeRfm } from './rfm-summary.ts';

const rel = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);
const CALIBRATION_END_DAY = Date.UTC(1997, 8, 30) / 86_400_000;

// Hardie's 39-week CDNOW summary (lifetimes' cdnow_customers_summary_with_transactions.csv).
const published = readFixtureText('cdnow_customers_summary_with_transactions.csv')
  .trim()
  .split(/\r?\n/)
  .slice(1)
  .map((line) => line.split(',').map(Number));
const px = Float64Array.from(published, (r) => r[1]);
const ptx = Float64Array.from(published, (r) => r[2]);
const pT = Float64Array.from(published, (r) => r[3]);
const pz = Float64Array.from(published, (r) => r[4]);

let summary: RfmSummary;
let ids: number[];
beforeAll(() => {
  const columns = parseCdnowTransactions(readFixtureBytes('CDNOW_sample.txt'), {
    decimalComma: false,
    defaultCurrency: 'USD',
    idColumn: 'sample',
  });
  summary = summarizeRfm(buildPurchaseHistory(columns), CALIBRATION_END_DAY, 'week', 2);
  ids = columns.customerIds.map(Number);
});

describe('RFM summary of CDNOW_sample (calibration end 1997-09-30, weeks)', () => {
  it('equals the published summary: x exactly, t_x, T and mean repeat spend within 0.005', () => {
    expect(summary.customerCount).toBe(2357);
    for (let c = 0; c < summary.customerCount; c++) {
      const row = ids[c] - 1;
      expect(summary.frequency[c]).toBe(px[row]);
      expect(Math.abs(summary.recency[c] - ptx[row])).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs(summary.age[c] - pT[row])).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs(summary.monetary[c] - pz[row])).toBeLessThanOrEqual(0.005 + 1e-9);
    }
  });
});

describe('models fitted to CDNOW match the published estimates', () => {
  it('BG/NBD: r, α, a, b to 1e-3 and LL −9582.4256 to 1e-5 (Fader, Hardie & Lee 2005)', () => {
    const fit = fitBgNbd(compressRfm(summary.frequency, summary.recency, summary.age, summary.present));
    const expected = { r: 0.2425929, alpha: 4.413532, a: 0.7928862, b: 2.425754 };
    for (const k of ['r', 'alpha', 'a', 'b'] as const)
      expect(rel(fit.params[k], expected[k]), k).toBeLessThan(1e-3);
    expect(rel(fit.logLikelihood, -9582.4256)).toBeLessThan(1e-5);
    expect(fit.converged).toBe(true);
    // standard errors as lifetimes reports them (se(coef) 0.012557, 0.378221, 0.185719, 0.705345)
    expect(rel(fit.standardErrors!.r, 0.012557)).toBeLessThan(1e-3);
    expect(rel(fit.standardErrors!.b, 0.705345)).toBeLessThan(1e-3);
  });
  it('Pareto/NBD: r, α, s, β to 5e-3 and LL −9594.974 to 2e-5 (Fader & Hardie 2005)', () => {
    const fit = fitParetoNbd(compressRfm(summary.frequency, summary.recency, summary.age, summary.present));
    const expected = { r: 0.55328, alpha: 10.5776, s: 0.60621, beta: 11.6679 };
    for (const k of ['r', 'alpha', 's', 'beta'] as const)
      expect(rel(fit.params[k], expected[k]), k).toBeLessThan(5e-3);
    expect(rel(fit.logLikelihood, -9594.974)).toBeLessThan(2e-5);
  });
  it('Gamma-Gamma: p, q, v to 1e-3 on the 946 repeat buyers (Fader, Hardie & Lee 2005b)', () => {
    const fit = fitGammaGamma(summary.frequency, summary.monetary, summary.present);
    expect(fit.customers).toBe(946);
    const expected = { p: 6.248804, q: 3.744588, v: 15.44774 };
    for (const k of ['p', 'q', 'v'] as const) expect(rel(fit.params[k], expected[k]), k).toBeLessThan(1e-3);
  });
  it('the compressed-pattern likelihoods equal the per-customer sums', () => {
    const bg: BgNbdParams = { r: 0.2425929, alpha: 4.413532, a: 0.7928862, b: 2.425754 };
    const pn: ParetoNbdParams = { r: 0.55328, alpha: 10.5776, s: 0.60621, beta: 11.6679 };
    let llBg = 0;
    let llPn = 0;
    for (let i = 0; i < px.length; i++) {
      llBg += bgNbdLogLikelihood(bg, px[i], ptx[i], pT[i]);
      llPn += paretoNbdLogLikelihood(pn, px[i], ptx[i], pT[i]);
    }
    expect(rel(llBg, -9582.4256)).toBeLessThan(1e-5);
    expect(rel(llPn, -9594.974)).toBeLessThan(2e-5);
  });
});

describe('per-customer predictions match lifetimes’ documented values', () => {
  // lifetimes docs/Quickstart.md, BG/NBD fitted on the CDNOW summary
  const bg: BgNbdParams = { r: 0.242593, alpha: 4.413532, a: 0.792886, b: 2.425752 };
  const gg: GammaGammaParams = { p: 6.248804, q: 3.744588, v: 15.44774 };
  const at = (id: number) => [px[id - 1], ptx[id - 1], pT[id - 1], pz[id - 1]] as const;

  it('BG/NBD expected purchases next week for the top five customers', () => {
    const documented: Array<[number, number]> = [
      [509, 0.424877],
      [841, 0.474738],
      [1981, 0.486526],
      [157, 0.662396],
      [1516, 0.710623],
    ];
    for (const [id, value] of documented) {
      const [x, tx, T] = at(id);
      expect(rel(bgNbdConditionalExpectedPurchases(bg, 1, x, tx, T), value), `id ${id}`).toBeLessThan(1e-5);
    }
  });
  it('BG/NBD: the paper’s example customer (x = 2, t_x = 30.43, T = 38.86) expects 1.226 purchases in 39 weeks', () => {
    expect(bgNbdConditionalExpectedPurchases(bg, 39, 2, 30.43, 38.86)).toBeCloseTo(1.226, 3);
    expect(bgNbdProbabilityAlive(bg, 0, 0, 38.86)).toBe(1);
  });
  it('Gamma-Gamma conditional expected average profit', () => {
    const documented: Array<[number, number]> = [
      [1, 24.658619],
      [2, 18.911489],
      [3, 35.170981],
      [6, 71.462843],
      [7, 18.911489],
      [9, 27.282408],
    ];
    for (const [id, value] of documented) {
      const [x, , , z] = at(id);
      expect(rel(gammaGammaExpectedSpend(gg, x, z), value), `id ${id}`).toBeLessThan(1e-5);
    }
  });
  it('CLV: 12 monthly steps of 30 units, 1 % a month (lifetimes customer_lifetime_value defaults)', () => {
    const documented: Array<[number, number]> = [
      [1, 140.096211],
      [2, 18.943467],
      [3, 38.180574],
      [6, 1003.868107],
      [7, 28.109683],
      [9, 167.418216],
    ];
    for (const [id, value] of documented) {
      const [x, tx, T, z] = at(id);
      const purchases = discountedPurchases(
        (t) => Float64Array.of(bgNbdConditionalExpectedPurchases(bg, t, x, tx, T)),
        360,
        30,
        0.01,
      );
      expect(rel(gammaGammaExpectedSpend(gg, x, z) * purchases[0], value), `id ${id}`).toBeLessThan(1e-5);
    }
  });
  it('Pareto/NBD P(alive) and 39-week expectation equal lifetimes’ formulas evaluated with scipy', () => {
    // reference: lifetimes ParetoNBDFitter formulas (scipy hyp2f1) at the published estimates
    const pn: ParetoNbdParams = { r: 0.55328, alpha: 10.5776, s: 0.60621, beta: 11.6679 };
    const reference: Array<[number, number, number, number, number, number]> = [
      [2, 30.43, 38.86, -9.554325020988372, 0.8691193385697966, 1.455118406094863],
      [1, 1.71, 38.86, -4.44970652501483, 0.1678724378784644, 0.17098169777593378],
      [0, 0, 38.86, -0.5212070823085817, 0.2950979380731804, 0.10706108096016013],
      [7, 29.43, 38.86, -21.594244782401947, 0.7494173788161145, 3.711759440346162],
      [26, 30.86, 31.0, -39.13073803522265, 0.9979179549845569, 20.115900152751767],
    ];
    for (const [x, tx, T, ll, alive, expected] of reference) {
      expect(rel(paretoNbdLogLikelihood(pn, x, tx, T), ll)).toBeLessThan(1e-10);
      expect(rel(paretoNbdProbabilityAlive(pn, x, tx, T), alive)).toBeLessThan(1e-10);
      expect(rel(paretoNbdConditionalExpectedPurchases(pn, 39, x, tx, T), expected)).toBeLessThan(1e-10);
    }
    const patterns = compressRfm(px, ptx, pT);
    const alive = paretoNbdProbabilityAlivePatterns(pn, patterns);
    const i = patterns.patternOf[0]; // customer 1: x = 2, t_x = 30.43, T = 38.86
    expect(rel(alive[i], 0.8691193385697966)).toBeLessThan(1e-10);
  });
});
