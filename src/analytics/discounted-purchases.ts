/** Months per time unit step in lifetimes' customer_lifetime_value: 30 days or 4.345 weeks. */
export const UNITS_PER_MONTH = { day: 30, week: 4.345 } as const;

/**
 * The discounted expected number of purchases over a horizon, per row:
 *
 *   Σᵢ (E[Y(tᵢ)] − E[Y(tᵢ₋₁)]) / (1 + d)^(tᵢ / f),  tᵢ = min(i·f, horizon), i = 1…⌈horizon/f⌉,
 *
 * with f the time units per month and d the monthly discount rate — the discounted-cash-flow
 * method of lifetimes' `customer_lifetime_value` (monthly steps, each month's expected purchases
 * discounted at its end). Multiplied by the expected spend per purchase it is the predicted CLV;
 * with a horizon of whole months it reproduces lifetimes exactly.
 *
 * `expectedCumulative(t)` returns E[Y(t)] per row (cumulative expected purchases by t).
 * @example discountedPurchases((t) => Float64Array.of(t / 10), 12, 1, 0) // [1.2]
 */
export function discountedPurchases(
  expectedCumulative: (t: number) => Float64Array,
  horizon: number,
  unitsPerMonth: number,
  monthlyDiscountRate: number,
): Float64Array {
  const steps = Math.max(1, Math.ceil(horizon / unitsPerMonth - 1e-9));
  let previous: Float64Array | null = null;
  let total: Float64Array | null = null;
  for (let i = 1; i <= steps; i++) {
    const t = Math.min(i * unitsPerMonth, horizon);
    const current = expectedCumulative(t);
    if (!total) total = new Float64Array(current.length);
    const discount = (1 + monthlyDiscountRate) ** (t / unitsPerMonth);
    for (let k = 0; k < current.length; k++)
      total[k] += (current[k] - (previous ? previous[k] : 0)) / discount;
    previous = current;
  }
  return total ?? new Float64Array(0);
}
