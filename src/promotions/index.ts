/** The promotions module's public face: promotion config, rule registries, codes, checkout evaluation. */
export {
  ACTIONS,
  type ActionCode,
  ActionConfig,
  type ActionContext,
  type ActionDefinition,
  type ActionResult,
  applyAction,
} from './actions.ts';
export {
  CODE_ALPHABET,
  formatCode,
  type GenerateCodesOptions,
  type GeneratedCodes,
  generateCodes,
  normalizeCode,
  type RandomBytes,
} from './codes.ts';
export {
  CONDITIONS,
  type ConditionCode,
  ConditionConfig,
  type ConditionContext,
  type ConditionDefinition,
  checkCondition,
} from './conditions.ts';
export { evaluateCheckout, TIER_DISCOUNT_PRIORITY } from './evaluate.ts';
export {
  LineFilter,
  Promotion,
  type PromotionInput,
  PromotionTrigger,
  paysFromBalance,
} from './promotion.ts';
export { giveBackUses } from './quota.ts';
export { rejectionMessage } from './rejection-message.ts';
export type {
  AppliedDiscount,
  CartLine,
  CheckoutEffect,
  CheckoutEvaluation,
  CheckoutInput,
  ClashWith,
  CodeRecord,
  CodeRejection,
  CustomerContext,
  LineAmount,
  LineTotal,
  NotEligible,
  PointsOutcome,
  PointsRejection,
  PromotionUsage,
  RejectionReason,
} from './types.ts';
