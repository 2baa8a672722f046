/** One row of the calibration-vs-holdout table: customers with x repeat purchases in calibration. */
export interface HoldoutRow {
  /** "0", "1", …, or "7+" for the pooled last row. */
  x: string;
  customers: number;
  /** Mean purchase days in the holdout period. */
  actual: number;
  /** Mean predicted purchases in the holdout period, per model. */
  predicted: Record<string, number>;
}

export interface HoldoutErrors {
  /** Mean absolute error per customer. */
  mae: number;
  /** Root mean squared error per customer: the error figure the automatic model choice uses. */
  rmse: number;
  /** (Σ predicted − Σ actual) / Σ actual: over- (+) or under-forecast of total purchases. */
  bias: number;
  totalPredicted: number;
}

export interface HoldoutTable {
  /** Holdout length in the time unit. */
  length: number;
  customers: number;
  totalActual: number;
  rows: HoldoutRow[];
  errors: Record<string, HoldoutErrors>;
}

/**
 * The calibration-vs-holdout table of the BG/NBD paper (Fader, Hardie & Lee 2005, Figure 4):
 * customers grouped by calibration frequency x = 0…censor−1 and censor+ pooled, with the mean
 * actual and the mean conditionally expected number of holdout purchases per model, plus
 * per-customer error figures per model.
 * @example holdoutTable(x, actual, { bgnbd: predBg, paretonbd: predPn }, 39)
 */
export function holdoutTable(
  frequency: Float64Array,
  actual: Int32Array | Float64Array,
  predicted: Record<string, Float64Array>,
  length: number,
  include?: Uint8Array,
  censor = 7,
): HoldoutTable {
  const models = Object.keys(predicted);
  const count = new Float64Array(censor + 1);
  const act = new Float64Array(censor + 1);
  const pred = models.map(() => new Float64Array(censor + 1));
  const abs = models.map(() => 0);
  const sq = models.map(() => 0);
  const tot = models.map(() => 0);
  let customers = 0;
  let totalActual = 0;
  for (let c = 0; c < frequency.length; c++) {
    if (include && include[c] === 0) continue;
    const bin = Math.min(censor, frequency[c]);
    customers++;
    count[bin]++;
    act[bin] += actual[c];
    totalActual += actual[c];
    for (let m = 0; m < models.length; m++) {
      const p = predicted[models[m]][c];
      pred[m][bin] += p;
      abs[m] += Math.abs(p - actual[c]);
      sq[m] += (p - actual[c]) ** 2;
      tot[m] += p;
    }
  }
  const rows: HoldoutRow[] = [];
  for (let b = 0; b <= censor; b++) {
    if (count[b] === 0) continue;
    const row: HoldoutRow = {
      x: b === censor ? `${censor}+` : String(b),
      customers: count[b],
      actual: act[b] / count[b],
      predicted: {},
    };
    for (let m = 0; m < models.length; m++) row.predicted[models[m]] = pred[m][b] / count[b];
    rows.push(row);
  }
  const errors: Record<string, HoldoutErrors> = {};
  for (let m = 0; m < models.length; m++) {
    errors[models[m]] = {
      mae: customers > 0 ? abs[m] / customers : Number.NaN,
      rmse: customers > 0 ? Math.sqrt(sq[m] / customers) : Number.NaN,
      bias: totalActual > 0 ? (tot[m] - totalActual) / totalActual : Number.NaN,
      totalPredicted: tot[m],
    };
  }
  return { length, customers, totalActual, rows, errors };
}
