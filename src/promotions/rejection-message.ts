/** Plain-English texts for refused codes, the kind a shop shows next to the code field. */
import { formatMinor } from '../kernel/money.ts';
import type { NotEligible, RejectionReason } from './types.ts';

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function notEligibleMessage(d: NotEligible, currency: string): string {
  switch (d.condition) {
    case 'min_subtotal':
      return `Spend at least ${formatMinor(d.minSubtotalMinor, currency)} ${currency} on eligible items (${formatMinor(
        d.minSubtotalMinor - d.subtotalMinor,
        currency,
      )} more).`;
    case 'min_quantity':
      return `Add at least ${d.minQuantity} eligible items (you have ${d.quantity}).`;
    case 'buy_quantity':
      return `Add ${d.quantity} eligible items to get this offer.`;
    case 'customer_tier':
      return `For ${d.tiers.join(', ')} members only.`;
    case 'customer_segment':
      return 'This offer is not available for your account.';
    case 'first_order':
      return 'Valid on a first order only.';
    case 'order_count':
      return 'Not available for your number of orders.';
    case 'channel':
      return `Only valid in: ${d.channels.join(', ')}.`;
    case 'customer':
      return 'This code is personal to another customer.';
    case 'birthday':
      return 'Valid around your birthday only.';
    case 'yearly_window':
      return `Valid from ${d.from.day}/${d.from.month} to ${d.to.day}/${d.to.month} only.`;
    case 'products':
      return 'None of the items in your cart qualify for this code.';
  }
}

/** The text for a refusal, amounts in `currency`. */
export function rejectionMessage(r: RejectionReason, currency: string): string {
  switch (r.reason) {
    case 'unknown_code':
      return 'This code does not exist.';
    case 'duplicate_code':
      return 'This code was entered already.';
    case 'not_started':
      return `This code is valid from ${day(r.startsAt)}.`;
    case 'expired':
      return `This code expired on ${day(r.endedAt)}.`;
    case 'code_used':
      return 'This code has been used already.';
    case 'usage_limit_reached':
      return r.limit === 'total'
        ? 'This offer has been fully redeemed.'
        : `You have used this offer ${r.max === 1 ? 'already' : `${r.max} times already`}.`;
    case 'budget_exhausted':
      return 'This offer has run out.';
    case 'customer_required':
      return 'Sign in to use this code.';
    case 'currency_mismatch':
      return `This code is only valid for payments in ${r.currency}.`;
    case 'not_eligible':
      return notEligibleMessage(r.detail, currency);
    case 'not_combinable':
      return `Cannot be combined with ${r.with.code ?? r.with.name}.`;
    case 'class_limit':
      return `Only one ${r.class} offer per order: ${r.with.code ?? r.with.name} applies already.`;
    case 'gift_card_empty':
      return 'This gift card has no balance left.';
    case 'nothing_to_discount':
      return 'Nothing in your order is discounted by this code.';
  }
}
