import { type LifecycleStage, RFM_SEGMENTS, type RfmSegment } from '../../src/analytics/segment-names.ts';
import { count, fmtPercent } from './format.ts';
import type { Report } from './types.ts';

/** Plain words for the numbers, segments and stages, and the next steps a report suggests. */

export { RFM_SEGMENTS };

interface SegmentInfo {
  meaning: string;
  action: string;
  tone: Tone;
}

/** Every segment of the analytics core has its words (`satisfies` fails the build if one is missing). */
export const SEGMENT_INFO: Readonly<Record<string, SegmentInfo | undefined>> = {
  Champions: {
    meaning: 'Bought recently and often.',
    action: 'Reward them; ask for reviews and referrals.',
    tone: 'good',
  },
  Loyal: { meaning: 'Buy regularly.', action: 'Loyalty perks and upsells.', tone: 'good' },
  'Potential loyalist': {
    meaning: 'Recent customers with a few orders.',
    action: 'A tier or membership keeps them coming.',
    tone: 'good',
  },
  New: { meaning: 'First order very recently.', action: 'Check in 5–7 days after the order.', tone: 'info' },
  Promising: {
    meaning: 'Recent, but one order so far.',
    action: 'Help them to a second order.',
    tone: 'info',
  },
  'Need attention': {
    meaning: 'Average recency and frequency.',
    action: 'A limited-time offer can wake them up.',
    tone: 'warn',
  },
  'About to sleep': {
    meaning: 'Not lately and not often.',
    action: 'Reach out with a reason before they are gone.',
    tone: 'warn',
  },
  'At risk': {
    meaning: 'Used to buy often, not lately.',
    action: 'Win them back with a personal message.',
    tone: 'bad',
  },
  "Can't lose": {
    meaning: 'Were among the most frequent buyers, long ago.',
    action: 'Call them personally.',
    tone: 'bad',
  },
  Hibernating: { meaning: 'Long gone, few orders.', action: 'Occasional campaigns only.', tone: 'muted' },
  Lost: { meaning: 'Least recent and least frequent.', action: 'Do not spend much on them.', tone: 'muted' },
} satisfies Record<RfmSegment, SegmentInfo>;

export type Tone = 'good' | 'info' | 'warn' | 'bad' | 'muted';

/** The lifecycle stages in the order the dashboard lists them (healthiest first). */
export const LIFECYCLE_STAGES: readonly LifecycleStage[] = [
  'new',
  'active',
  'vip',
  'at_risk',
  'sleeping',
  'lost',
];

export function stageInfo(stage: string, sleepingFactor = 3): { label: string; meaning: string; tone: Tone } {
  const k = sleepingFactor;
  switch (stage) {
    case 'new':
      return { label: 'New', meaning: 'First order recently; too early to judge.', tone: 'info' };
    case 'active':
      return { label: 'Active', meaning: 'Buying in their usual rhythm.', tone: 'good' };
    case 'vip':
      return { label: 'VIP', meaning: 'Top 5 % by lifetime spend, still buying.', tone: 'good' };
    case 'at_risk':
      return { label: 'At risk', meaning: `Overdue: past ${k / 2} of their usual intervals.`, tone: 'warn' };
    case 'sleeping':
      return {
        label: 'Sleeping',
        meaning: `No order for more than ${k} of their usual intervals.`,
        tone: 'bad',
      };
    case 'lost':
      return {
        label: 'Lost',
        meaning: `No order for more than ${2 * k} intervals: probably gone.`,
        tone: 'muted',
      };
    default:
      return { label: stage, meaning: '', tone: 'muted' };
  }
}

export const VERDICT_TITLE: Record<string, string> = {
  repeat: 'Yes, this is a repeat business',
  limited: 'Partly: some customers come back',
  'one-off': 'No, most customers buy once',
  'insufficient-data': 'Not enough history to tell yet',
};

export interface NextStep {
  text: string;
  to: string;
  action: string;
  tone: Tone;
}

/** What the report suggests doing, most urgent first (at most four). */
export function nextSteps(report: Report): NextStep[] {
  const life = report.segments.lifecycle;
  const k = report.segments.sleepingFactor;
  const steps: NextStep[] = [];
  if (report.summary.verdict.verdict === 'one-off') {
    steps.push({
      text: 'Most customers never come back, and that is normal for some products. Win-back campaigns will mostly be wasted: put effort into new customers and referrals instead.',
      to: '/segments',
      action: 'See who does return',
      tone: 'info',
    });
  }
  if (report.segments.sleeping > 0) {
    steps.push({
      text: `${count(report.segments.sleeping, 'customer')} ${report.segments.sleeping === 1 ? 'is' : 'are'} sleeping: no order for more than ${k} of their usual intervals. Contacted with a reason (new products, a discount for existing customers), about 30 % come back.`,
      to: '/call-list',
      action: 'See the call list',
      tone: 'bad',
    });
  }
  if ((life.at_risk ?? 0) > 0) {
    steps.push({
      text: `${count(life.at_risk, 'customer')} ${life.at_risk === 1 ? 'is' : 'are'} overdue for their next order. A reminder now costs less than a win-back later.`,
      to: '/customers?stage=at_risk',
      action: 'See who is at risk',
      tone: 'warn',
    });
  }
  const cantLose = report.segments.rfm["Can't lose"] ?? 0;
  if (cantLose > 0) {
    steps.push({
      text: `${count(cantLose, 'former frequent buyer')} ${cantLose === 1 ? 'has' : 'have'} not ordered for a long time, worth a personal call.`,
      to: `/customers?segment=${encodeURIComponent("Can't lose")}`,
      action: 'See them',
      tone: 'bad',
    });
  }
  if ((life.new ?? 0) > 0) {
    steps.push({
      text: `${count(life.new, 'new customer')}: a check-in 5–7 days after the first order makes a second one more likely.`,
      to: '/customers?stage=new',
      action: 'See new customers',
      tone: 'info',
    });
  }
  if (report.summary.repeatPurchaseRate < 0.2 && report.summary.verdict.verdict !== 'one-off') {
    steps.push({
      text: `Only ${fmtPercent(report.summary.repeatPurchaseRate)} of customers ever ordered twice. Make the second order easy: a discount on it, a reminder when the first product runs out.`,
      to: '/cohorts',
      action: 'See when they come back',
      tone: 'warn',
    });
  }
  return steps.slice(0, 4);
}
