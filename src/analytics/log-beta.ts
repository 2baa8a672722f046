import { logGamma } from './log-gamma.ts';

/**
 * ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a+b), the log of the beta function, for a, b > 0.
 * @example logBeta(1, 1) // 0
 */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}
