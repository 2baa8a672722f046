/**
 * The names of the RFM segments and lifecycle stages, with no dependencies, so the dashboard
 * (web/) shares the very list the analytics core scores with.
 */

/** The named RFM segments, in report order. */
export const RFM_SEGMENTS = [
  'Champions',
  'Loyal',
  'Potential loyalist',
  'New',
  'Promising',
  'Need attention',
  'About to sleep',
  'At risk',
  "Can't lose",
  'Hibernating',
  'Lost',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

/** Lifecycle stages; a customer's stage is stored as an index into this list. */
export const LIFECYCLE_STAGES = ['new', 'active', 'at_risk', 'sleeping', 'lost', 'vip'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];
