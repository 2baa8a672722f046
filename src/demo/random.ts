/**
 * A small seeded pseudo-random number generator and the draws the demo store needs.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's "Small Fast Counting" generator from
 * PractRand): 128 bits of state, period at least 2^32, passes PractRand and BigCrush, and is
 * only 32-bit integer arithmetic, so it is fast and identical on every JS engine. The state is
 * filled from the seed with splitmix32, so nearby seeds give unrelated streams.
 *
 * Not for cryptography: for reproducible synthetic data only.
 */

/** splitmix32: spreads a 32-bit seed into well-mixed words (Steele, Lea & Flood 2014). */
function splitmix32(state: number): [next: number, value: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return [next, (z ^ (z >>> 15)) >>> 0];
}

/** Folds any finite number (negative, fractional, above 2^32) into a 32-bit seed. */
function seedWord(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const hi = Math.floor(seed / 2 ** 32);
  const lo = seed - hi * 2 ** 32;
  return (Math.imul(hi | 0, 0x85ebca6b) ^ (lo >>> 0) ^ Math.round((lo % 1) * 2 ** 31)) >>> 0;
}

/** Knuth's multiplication method is exact; larger means are split into chunks of at most this. */
const POISSON_CHUNK = 30;

/**
 * A seeded random stream. Every draw is a method, so one stream gives one reproducible sequence.
 * @example
 * const rng = new Random(42);
 * rng.gamma(2, 3); // Gamma with shape 2 and rate 3, mean 2/3
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `stream` picks one of many independent sequences for the same seed (one per stage). */
  constructor(seed: number, stream = 0) {
    let s = seedWord(seed) ^ Math.imul(stream + 1, 0x27d4eb2d);
    let v: number;
    [s, v] = splitmix32(s);
    this.a = v;
    [s, v] = splitmix32(s);
    this.b = v;
    [s, v] = splitmix32(s);
    this.c = v;
    [s, v] = splitmix32(s);
    this.d = v;
    // the authors' recommendation: discard the first outputs so the counter spreads
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  /** sfc32 step: a uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform on the open interval (0, 1): never 0 or 1, so `log(u)` is always finite. */
  next(): number {
    return (this.nextUint32() + 0.5) / 4294967296;
  }

  /** Uniform on (min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A uniform integer in [min, max], both ends included. */
  intBetween(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability `p`. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** Normal(mean, sd) by the Box–Muller transform (one of the pair is discarded for simplicity). */
  normal(mean = 0, sd = 1): number {
    const r = Math.sqrt(-2 * Math.log(this.next()));
    return mean + sd * r * Math.cos(2 * Math.PI * this.next());
  }

  /** Exponential with the given rate (mean 1/rate), by inversion. */
  exponential(rate: number): number {
    return -Math.log(this.next()) / rate;
  }

  /**
   * Gamma(shape, rate), mean shape/rate, by Marsaglia & Tsang (2000), "A simple method for
   * generating gamma variables", ACM TOMS 26(3). For shape < 1 it uses Gamma(shape + 1)·U^(1/shape).
   * @example new Random(1).gamma(0.5, 2) // mean 0.25
   */
  gamma(shape: number, rate = 1): number {
    if (!(shape > 0) || !(rate > 0)) throw new RangeError(`gamma needs shape, rate > 0`);
    if (shape < 1) return this.gamma(shape + 1, rate) * this.next() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.next();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) return (d * v) / rate;
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return (d * v) / rate;
    }
  }

  /** Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b). Mean a/(a+b). */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x / (x + y);
  }

  /**
   * Poisson(mean) by Knuth's multiplication method, exact; a mean above 30 is drawn as a sum
   * of independent Poisson chunks (the sum of Poissons is Poisson), so the cost is O(mean).
   */
  poisson(mean: number): number {
    if (!(mean >= 0)) throw new RangeError(`poisson needs mean >= 0`);
    let total = 0;
    let rest = mean;
    while (rest > 0) {
      const m = Math.min(rest, POISSON_CHUNK);
      rest -= m;
      const limit = Math.exp(-m);
      let k = 0;
      let prod = this.next();
      while (prod > limit) {
        k++;
        prod *= this.next();
      }
      total += k;
    }
    return total;
  }

  /** An index drawn with probability proportional to `weights` (non-negative, not all zero). */
  categorical(weights: ArrayLike<number>): number {
    let sum = 0;
    for (let i = 0; i < weights.length; i++) sum += weights[i];
    let u = this.next() * sum;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  /** Like `categorical`, for a precomputed cumulative table (see `cumulative`): O(log n). */
  categoricalCumulative(cdf: Float64Array): number {
    const u = this.next() * cdf[cdf.length - 1];
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** Running sums of `weights`, the table `Random.categoricalCumulative` draws from. */
export function cumulative(weights: readonly number[]): Float64Array {
  const cdf = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    sum += weights[i];
    cdf[i] = sum;
  }
  return cdf;
}
