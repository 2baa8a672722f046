import { describe, expect, it } from 'vitest';
import { digamma } from './digamma.ts';
import { hyp2f1 } from './hypergeometric-2f1.ts';
import { logBeta } from './log-beta.ts';
import { logGamma } from './log-gamma.ts';

/** Relative error, with an absolute floor for values at a zero of the function. */
function relErr(actual: number, expected: number, floor = 0): number {
  if (expected === 0) return Math.abs(actual);
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), floor);
}

// [x, ln Γ(x)] from mpmath.loggamma at 50 digits, rounded to doubles.
const LOG_GAMMA: Array<[number, number]> = [
  [1e-300, 690.7755278982137],
  [1e-20, 46.051701859880914],
  [1e-8, 18.42068073818021],
  [0.001, 6.907178885383853],
  [0.1, 2.252712651734206],
  [0.25, 1.2880225246980774],
  [0.4999, 0.5725613186041184],
  [0.5, 0.5723649429247001],
  [0.6, 0.39823385806923495],
  [0.9, 0.06637623973474295],
  [0.999, 0.0005780385328913802],
  [1, 0],
  [1.0000001, -5.772155829918507e-8],
  [1.2, -0.08537409000331583],
  [1.4616321449683622, -0.12148629053584961],
  [1.5, -0.12078223763524522],
  [1.7, -0.09580769740706588],
  [1.9999, -4.227520877215346e-5],
  [2, 0],
  [2.000001, 4.2278465762452923e-7],
  [2.3, 0.15418945495963046],
  [2.5, 0.2846828704729192],
  [3, Math.LN2],
  [3.7, 1.428072326665388],
  [5.5, 3.9578139676187165],
  [9.99, 12.779315214350193],
  [10, 12.801827480081469],
  [10.5, 13.940625219403763],
  [17.25, 31.374622313677687],
  [33.3, 82.60372358165495],
  [100, 359.1342053695754],
  [1234.5, 7550.550901077895],
  [1e6, 12815504.569147611],
  [1e10, 220258509288.81058],
  [1e15, 3.3538776394910668e16],
  [1e300, 6.897755278982137e302],
];

// [x, ψ(x)] from mpmath.digamma at 50 digits.
const DIGAMMA: Array<[number, number]> = [
  [1e-8, -100000000.57721564],
  [0.001, -1000.5755719318103],
  [0.3, -3.502524222200133],
  [1, -0.5772156649015329],
  [2, 0.42278433509846713],
  [2.5, 0.7031566406452432],
  [7.3, 1.9178203356379862],
  [9.99, 2.250700372831201],
  [10, 2.251752589066721],
  [55.5, 4.0073469585404435],
  [1e6, 13.815510057964191],
];

// [a, b, c, z, ₂F₁] from mpmath.hyp2f1 at 50 digits: Pareto/NBD points (a = r+s+x, b = s+1 or
// r+x, c = a+1, z = |α−β|/(max+t)) and BG/NBD points (r+x, b+x, a+b+x−1, t/(α+T+t)) at the
// published CDNOW estimates, plus points near z = 1, integer c−a−b, negative z and a polynomial.
const HYP2F1: Array<[number, number, number, number, number]> = [
  [1, 1, 2, 0.5, 1.3862943611198906],
  [1.15949, 0.55328, 2.15949, 0.09344440730551334, 1.029225794343551],
  [3.15949, 2.55328, 4.15949, 0.02589915411457577, 1.0521563323800476],
  [30.159489999999998, 29.55328, 31.159489999999998, 0.02195180388138011, 1.8868541469597937],
  [1.2, 1.6, 2.2, 0.3, 1.3587527190133808],
  [1.2, 1.6, 2.2, 0.9, 6.205624079591667],
  [5.5, 1.6, 6.5, 0.99, 109.42807458475005],
  [0.7, 2.3, 1.7, 0.6, 2.5111095793449083],
  [2.2425929, 4.4257539999999995, 4.218640199999999, 0.4740285125962503, 4.57434569411435],
  [0.2425929, 2.425754, 2.2186402, 0.5457969166084868, 1.2394635267291203],
  [26.2425929, 28.425754, 28.2186402, 0.02746231812942507, 2.0878436685606703],
  [5.2425929, 7.4257539999999995, 7.218640199999999, 0.9534460296878837, 16997508.95961561],
  [0.25, 2.5, 2.3, 0.97, 2.9689952056233615],
  [1.5, 2.0, 4.5, 0.9, 2.827614196298816],
  [0.5, 0.5, 1.5, -0.5, 0.9312298594527122],
  [1.0, 2.0, 3.0, -3.0, 0.3586012530844688],
  [2.0, 3.0, 4.5, -20.0, 0.007542807762520202],
  [-3, 2.5, 1.5, 0.7, -0.09900000000000002],
  [3.0, 4.0, 2.5, 0.8, 1722.8675817114156],
];

describe('logGamma', () => {
  it('matches mpmath to 1e-14 relative from 1e-300 to 1e300, zeros included', () => {
    for (const [x, expected] of LOG_GAMMA) {
      expect(relErr(logGamma(x), expected), `x = ${x}`).toBeLessThan(1e-14);
    }
  });
  it('satisfies ln Γ(x+1) = ln Γ(x) + ln x across the branch boundaries', () => {
    for (let x = 0.05; x < 30; x += 0.173) {
      const lhs = logGamma(x + 1);
      expect(relErr(lhs, logGamma(x) + Math.log(x), 1)).toBeLessThan(1e-14);
    }
  });
  it('uses the reflection formula below zero and is infinite at the poles', () => {
    // Γ(−0.5) = −2√π
    expect(relErr(logGamma(-0.5), Math.log(2 * Math.sqrt(Math.PI)))).toBeLessThan(1e-14);
    expect(logGamma(0)).toBe(Number.POSITIVE_INFINITY);
    expect(logGamma(-3)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('logBeta', () => {
  it('equals ln of the closed forms B(1,1) = 1, B(2,3) = 1/12, B(½,½) = π', () => {
    expect(Math.abs(logBeta(1, 1))).toBeLessThan(1e-16);
    expect(relErr(logBeta(2, 3), Math.log(1 / 12))).toBeLessThan(1e-14);
    expect(relErr(logBeta(0.5, 0.5), Math.log(Math.PI))).toBeLessThan(1e-14);
  });
});

describe('digamma', () => {
  it('matches mpmath to 1e-13 relative', () => {
    for (const [x, expected] of DIGAMMA) {
      expect(relErr(digamma(x), expected), `x = ${x}`).toBeLessThan(1e-13);
    }
  });
  it('is the derivative of logGamma (central difference)', () => {
    for (const x of [0.3, 1.7, 4.2, 25]) {
      const h = 1e-5 * x;
      const numeric = (logGamma(x + h) - logGamma(x - h)) / (2 * h);
      expect(Math.abs(numeric - digamma(x))).toBeLessThan(1e-7);
    }
  });
});

describe('hyp2f1', () => {
  it('matches mpmath at Pareto/NBD, BG/NBD and edge points (1e-12 relative)', () => {
    for (const [a, b, c, z, expected] of HYP2F1) {
      expect(relErr(hyp2f1(a, b, c, z), expected), `${a}, ${b}, ${c}, ${z}`).toBeLessThan(1e-12);
    }
  });
  it('handles integer c − a − b close to z = 1 to 1e-8', () => {
    expect(relErr(hyp2f1(1.5, 2.0, 3.5, 0.9995), 22.49039096311526)).toBeLessThan(1e-8);
  });
  it('reduces to elementary functions: ₂F₁(1,1;2;z) = −ln(1−z)/z and ₂F₁(a,b;b;z) = (1−z)^−a', () => {
    for (const z of [-0.9, -0.2, 0.1, 0.5, 0.8, 0.95]) {
      expect(relErr(hyp2f1(1, 1, 2, z), -Math.log1p(-z) / z)).toBeLessThan(1e-13);
      expect(relErr(hyp2f1(0.7, 2.5, 2.5, z), (1 - z) ** -0.7)).toBeLessThan(1e-13);
    }
  });
});
