import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import {
  bpsInput,
  Field,
  type FieldErrors,
  FormError,
  fieldErrors,
  fromLocalInput,
  moneyInput,
  parseList,
  parseMoney,
  parsePercentBps,
  parseWhole,
  toLocalInput,
} from '../components/form.tsx';
import type { Promotion, PromotionAction, PromotionCondition, PromotionFields } from '../marketing-types.ts';

/** What a promotion gives, as the form offers it (bonus points stay an API feature). */
export const KINDS = {
  percent_off: 'Percent off',
  amount_off: 'Fixed amount off',
  free_shipping: 'Free shipping',
  gift_card: 'Gift card',
  buy_x_get_y: 'Buy X, get Y',
  spend_threshold: 'Spend more, save more',
} as const;
type Kind = keyof typeof KINDS;

const TRIGGERS = {
  automatic: 'Automatically, no code',
  code: 'With one shared code',
  unique_codes: 'With generated codes (one per customer)',
} as const;
type TriggerType = keyof typeof TRIGGERS;

interface Step {
  min: string;
  off: string;
  unit: 'amount' | 'percent';
}

interface FormState {
  name: string;
  trigger: TriggerType;
  code: string;
  kind: Kind;
  percent: string;
  maxDiscount: string;
  amount: string;
  maxShipping: string;
  includeShipping: boolean;
  buyQty: string;
  getQty: string;
  getPercent: string;
  steps: Step[];
  minSubtotal: string;
  firstOrder: boolean;
  segments: string;
  tiers: string;
  products: string;
  categories: string;
  excludeProducts: string;
  excludeCategories: string;
  totalUses: string;
  perCustomer: string;
  budget: string;
  startsAt: string;
  endsAt: string;
  stacking: 'combinable' | 'exclusive';
  priority: string;
  /** What it gives is not one of the form's types (set through the API): an edit keeps it. */
  apiAction: boolean;
}

const EMPTY: FormState = {
  name: '',
  trigger: 'code',
  code: '',
  kind: 'percent_off',
  percent: '10',
  maxDiscount: '',
  amount: '',
  maxShipping: '',
  includeShipping: true,
  buyQty: '1',
  getQty: '1',
  getPercent: '100',
  steps: [{ min: '', off: '', unit: 'amount' }],
  minSubtotal: '',
  firstOrder: false,
  segments: '',
  tiers: '',
  products: '',
  categories: '',
  excludeProducts: '',
  excludeCategories: '',
  totalUses: '',
  perCustomer: '',
  budget: '',
  startsAt: '',
  endsAt: '',
  stacking: 'combinable',
  priority: '100',
  apiAction: false,
};

/** The conditions the form edits; others (set through the API) are kept as they are. */
const FORM_CONDITIONS = new Set(['min_subtotal', 'first_order', 'customer_segment', 'customer_tier']);

function argsOf<C extends string>(conditions: PromotionCondition[], code: C) {
  return conditions.find((c) => c.code === code)?.args as Record<string, unknown> | undefined;
}

/** The form's fields for a stored promotion. */
function stateOf(p: Promotion, currency: string): FormState {
  const s: FormState = { ...EMPTY, steps: [...EMPTY.steps] };
  s.name = p.name;
  s.trigger = p.trigger.type;
  s.code = p.trigger.type === 'code' ? p.trigger.code : '';
  const a = p.actions[0];
  if (a && a.code in KINDS) s.kind = a.code as Kind;
  else s.apiAction = true;
  if (a?.code === 'percent_off') {
    s.percent = bpsInput(a.args.percent_bps);
    s.maxDiscount = moneyInput(a.args.max_discount_minor, currency);
  } else if (a?.code === 'amount_off') s.amount = moneyInput(a.args.amount_minor, currency);
  else if (a?.code === 'free_shipping') s.maxShipping = moneyInput(a.args.max_shipping_minor, currency);
  else if (a?.code === 'gift_card') s.includeShipping = a.args.include_shipping;
  else if (a?.code === 'buy_x_get_y') {
    s.buyQty = String(a.args.buy_quantity);
    s.getQty = String(a.args.get_quantity);
    s.getPercent = bpsInput(a.args.percent_bps);
  } else if (a?.code === 'spend_threshold')
    s.steps = a.args.steps.map((st) => ({
      min: moneyInput(st.min_subtotal_minor, currency),
      off:
        st.amount_off_minor !== null ? moneyInput(st.amount_off_minor, currency) : bpsInput(st.percent_bps),
      unit: st.amount_off_minor !== null ? 'amount' : 'percent',
    }));
  const min = argsOf(p.conditions, 'min_subtotal');
  s.minSubtotal = min ? moneyInput(min.amount_minor as number, currency) : '';
  s.firstOrder = p.conditions.some((c) => c.code === 'first_order');
  s.segments = ((argsOf(p.conditions, 'customer_segment')?.segments as string[]) ?? []).join(', ');
  s.tiers = ((argsOf(p.conditions, 'customer_tier')?.tiers as string[]) ?? []).join(', ');
  s.products = p.applies_to.product_ids.join(', ');
  s.categories = p.applies_to.category_ids.join(', ');
  s.excludeProducts = p.applies_to.exclude_product_ids.join(', ');
  s.excludeCategories = p.applies_to.exclude_category_ids.join(', ');
  s.totalUses = p.limits.total_uses?.toString() ?? '';
  s.perCustomer = p.limits.uses_per_customer?.toString() ?? '';
  s.budget = moneyInput(p.limits.budget_minor, currency);
  s.startsAt = toLocalInput(p.starts_at);
  s.endsAt = toLocalInput(p.ends_at);
  s.stacking = p.stacking;
  s.priority = String(p.priority);
  return s;
}

/** Which form field an API path belongs to (so its message shows next to it). */
function fieldOfPath(path: string): keyof FormState | null {
  if (path === 'name') return 'name';
  if (path.startsWith('trigger')) return 'code';
  if (path === 'limits.total_uses') return 'totalUses';
  if (path === 'limits.uses_per_customer') return 'perCustomer';
  if (path === 'limits.budget_minor') return 'budget';
  if (path === 'starts_at') return 'startsAt';
  if (path === 'ends_at') return 'endsAt';
  if (path === 'priority') return 'priority';
  if (/percent_bps$/.test(path) && path.includes('steps')) return 'steps';
  if (path.includes('steps')) return 'steps';
  if (/^actions\[0\]\.args\.(percent_bps)$/.test(path)) return 'percent';
  if (/max_discount_minor$/.test(path)) return 'maxDiscount';
  if (/amount_minor$/.test(path) && path.startsWith('actions')) return 'amount';
  if (/max_shipping_minor$/.test(path)) return 'maxShipping';
  if (/buy_quantity$/.test(path)) return 'buyQty';
  if (/get_quantity$/.test(path)) return 'getQty';
  if (path.startsWith('conditions')) return 'minSubtotal';
  if (path.startsWith('applies_to')) return 'products';
  return null;
}

/** The API body for the form, or the fields the browser can already tell are wrong. */
function bodyOf(s: FormState, currency: string): { body: PromotionFields } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const money = (k: keyof FormState, required = false): number | null => {
    const text = String(s[k]);
    const v = parseMoney(text, currency);
    if (v === null && (required || text.trim() !== ''))
      errors[k] = `Enter an amount in ${currency}, e.g. 10.00`;
    return v;
  };
  const whole = (k: keyof FormState, min: number, required = false): number | null => {
    const v = parseWhole(String(s[k]));
    if ((v === null && required) || (v !== null && (Number.isNaN(v) || v < min)))
      errors[k] = `Enter a whole number of at least ${min}`;
    return v === null || Number.isNaN(v) ? null : v;
  };
  const percent = (k: keyof FormState): number => {
    const v = parsePercentBps(String(s[k]));
    if (v === null || Number.isNaN(v) || v < 1 || v > 10_000)
      errors[k] = 'Enter a percentage from 0.01 to 100';
    return v ?? 0;
  };
  if (!s.name.trim()) errors.name = 'Give the promotion a name customers will see on the receipt';
  if (s.trigger === 'code' && !s.code.trim()) errors.code = 'Enter the code customers type, e.g. SUMMER10';
  let action: PromotionAction;
  switch (s.kind) {
    case 'percent_off':
      action = {
        code: 'percent_off',
        args: { percent_bps: percent('percent'), max_discount_minor: money('maxDiscount') },
      };
      break;
    case 'amount_off':
      action = { code: 'amount_off', args: { amount_minor: money('amount', true) ?? 0 } };
      break;
    case 'free_shipping':
      action = { code: 'free_shipping', args: { max_shipping_minor: money('maxShipping') } };
      break;
    case 'gift_card':
      action = { code: 'gift_card', args: { include_shipping: s.includeShipping } };
      if (s.trigger !== 'unique_codes')
        errors.trigger = 'A gift card needs generated codes: each code holds its balance';
      break;
    case 'buy_x_get_y':
      action = {
        code: 'buy_x_get_y',
        args: {
          buy_quantity: whole('buyQty', 1, true) ?? 1,
          get_quantity: whole('getQty', 1, true) ?? 1,
          percent_bps: percent('getPercent'),
          max_applications: null,
        },
      };
      break;
    case 'spend_threshold': {
      const steps = s.steps.map((st) => {
        const min = parseMoney(st.min, currency);
        const off = st.unit === 'amount' ? parseMoney(st.off, currency) : parsePercentBps(st.off);
        if (min === null || off === null || Number.isNaN(off) || off <= 0)
          errors.steps = `Each step needs a minimum spend in ${currency} and what it takes off`;
        return {
          min_subtotal_minor: min ?? 0,
          amount_off_minor: st.unit === 'amount' ? (off ?? 0) : null,
          percent_bps: st.unit === 'percent' ? (off ?? 0) : null,
        };
      });
      action = { code: 'spend_threshold', args: { steps } };
      break;
    }
  }
  const conditions: PromotionCondition[] = [];
  const min = money('minSubtotal');
  if (min !== null) conditions.push({ code: 'min_subtotal', args: { amount_minor: min } });
  if (s.firstOrder) conditions.push({ code: 'first_order', args: {} });
  const segments = parseList(s.segments);
  if (segments.length) conditions.push({ code: 'customer_segment', args: { segments } });
  const tiers = parseList(s.tiers);
  if (tiers.length) conditions.push({ code: 'customer_tier', args: { tiers } });
  const totalUses = whole('totalUses', 1);
  const perCustomer = whole('perCustomer', 1);
  const budget = money('budget');
  const priority = whole('priority', 0, true) ?? 100;
  const startsAt = fromLocalInput(s.startsAt);
  const endsAt = fromLocalInput(s.endsAt);
  if (startsAt && endsAt && startsAt >= endsAt) errors.endsAt = 'The end must come after the start';
  if (Object.keys(errors).length) return { errors };
  return {
    body: {
      name: s.name.trim(),
      trigger:
        s.trigger === 'code'
          ? { type: 'code', code: s.code.trim() }
          : ({ type: s.trigger } as PromotionFields['trigger']),
      priority,
      stacking: s.stacking,
      class: null,
      currency,
      starts_at: startsAt,
      ends_at: endsAt,
      limits: { total_uses: totalUses, uses_per_customer: perCustomer, budget_minor: budget },
      applies_to: {
        product_ids: parseList(s.products),
        category_ids: parseList(s.categories),
        exclude_product_ids: parseList(s.excludeProducts),
        exclude_category_ids: parseList(s.excludeCategories),
      },
      conditions,
      actions: [action],
    },
  };
}

/**
 * Create or edit a promotion: what it gives, how customers get it, who qualifies, its limits,
 * validity and stacking. Checks what the browser can, then shows the server's messages by field.
 */
export function PromotionForm({
  promotion,
  currency,
  onSaved,
  onCancel,
}: {
  promotion: Promotion | null;
  currency: string;
  onSaved: (p: Promotion) => void;
  onCancel?: () => void;
}) {
  const editing = promotion !== null;
  const [s, setS] = useState<FormState>(() =>
    promotion ? stateOf(promotion, promotion.currency ?? currency) : EMPTY,
  );
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const money = promotion?.currency ?? currency;
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => {
    setS((old) => ({ ...old, [k]: v }));
    // A field's message goes once it is edited; the next save checks again.
    setErrors((old) => {
      if (!(k in old)) return old;
      const { [k]: _gone, ...rest } = old;
      return rest;
    });
  };
  const text = (k: keyof FormState) => ({
    value: String(s[k]),
    onChange: (e: { target: { value: string } }) => set(k, e.target.value as never),
  });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const out = bodyOf(s, money);
    if ('errors' in out) {
      setErrors(out.errors);
      return;
    }
    setSaving(true);
    setErrors({});
    try {
      const { trigger, ...changes } = out.body;
      if (promotion) {
        // What the form does not show stays as it is: the class, conditions and actions set through the API.
        changes.class = promotion.class;
        changes.conditions = [
          ...changes.conditions,
          ...promotion.conditions.filter((c) => !FORM_CONDITIONS.has(c.code)),
        ];
        changes.actions = s.apiAction
          ? promotion.actions
          : [changes.actions[0], ...promotion.actions.slice(1)];
      }
      const saved = editing
        ? await api<Promotion>(`/app/api/promotions/${encodeURIComponent(promotion.id)}`, {
            method: 'PATCH',
            body: changes,
          })
        : await api<Promotion>('/app/api/promotions', { method: 'POST', body: { ...out.body, trigger } });
      onSaved(saved);
    } catch (err) {
      const mapped: FieldErrors = {};
      for (const [path, message] of Object.entries(fieldErrors(err))) {
        const field = path === '_form' ? null : fieldOfPath(path);
        if (field) mapped[field] = mapped[field] ?? message;
        else
          mapped._form = mapped._form
            ? `${mapped._form}; ${message}`
            : `${path === '_form' ? '' : `${path}: `}${message}`;
      }
      setErrors(mapped);
    } finally {
      setSaving(false);
    }
  };

  const kindHint: Record<Kind, string> = {
    percent_off: 'A percentage off the items it covers.',
    amount_off: `A fixed amount in ${money} off the items it covers.`,
    free_shipping: 'Shipping costs nothing.',
    gift_card: 'Each generated code holds a balance the customer spends.',
    buy_x_get_y: 'For every X items bought, Y more (the cheapest) get a discount.',
    spend_threshold: 'The more the customer spends, the bigger the discount.',
  };

  return (
    <form
      className="promo-form"
      onSubmit={submit}
      noValidate
      aria-label={editing ? 'Edit promotion' : 'New promotion'}
    >
      <FormError message={errors._form} />
      <fieldset>
        <legend>What it gives</legend>
        <div className="form-fields">
          <Field id="p-name" label="Name" error={errors.name} hint="Customers see it on the receipt.">
            {(a) => <input {...a} {...text('name')} maxLength={200} />}
          </Field>
          <Field
            id="p-kind"
            label="Type"
            error={errors.kind}
            hint={s.apiAction ? 'Set through the API; the form keeps it as it is.' : kindHint[s.kind]}
          >
            {(a) => (
              <select
                {...a}
                value={s.kind}
                disabled={editing}
                onChange={(e) => {
                  const kind = e.target.value as Kind;
                  setS((old) => ({
                    ...old,
                    kind,
                    trigger: kind === 'gift_card' ? 'unique_codes' : old.trigger,
                  }));
                }}
              >
                {s.apiAction ? <option value={s.kind}>Set through the API</option> : null}
                {Object.entries(KINDS).map(([k, label]) => (
                  <option key={k} value={k} hidden={s.apiAction}>
                    {label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {s.apiAction ? null : s.kind === 'percent_off' ? (
            <>
              <Field id="p-percent" label="Percent off" error={errors.percent} hint="e.g. 10 for 10 %">
                {(a) => <input {...a} {...text('percent')} inputMode="decimal" />}
              </Field>
              <Field
                id="p-max-discount"
                label={`At most (${money})`}
                error={errors.maxDiscount}
                hint="Leave empty for no cap."
              >
                {(a) => <input {...a} {...text('maxDiscount')} inputMode="decimal" />}
              </Field>
            </>
          ) : null}
          {s.kind === 'amount_off' ? (
            <Field id="p-amount" label={`Amount off (${money})`} error={errors.amount}>
              {(a) => <input {...a} {...text('amount')} inputMode="decimal" />}
            </Field>
          ) : null}
          {s.kind === 'free_shipping' ? (
            <Field
              id="p-max-shipping"
              label={`Shipping paid up to (${money})`}
              error={errors.maxShipping}
              hint="Leave empty to make shipping free whatever it costs."
            >
              {(a) => <input {...a} {...text('maxShipping')} inputMode="decimal" />}
            </Field>
          ) : null}
          {s.kind === 'gift_card' ? (
            <div className="field check">
              <input
                id="p-include-shipping"
                type="checkbox"
                checked={s.includeShipping}
                onChange={(e) => set('includeShipping', e.target.checked)}
              />
              <label htmlFor="p-include-shipping">The balance may pay shipping too</label>
            </div>
          ) : null}
          {s.kind === 'buy_x_get_y' ? (
            <>
              <Field id="p-buy" label="Buy (items)" error={errors.buyQty}>
                {(a) => <input {...a} {...text('buyQty')} inputMode="numeric" />}
              </Field>
              <Field id="p-get" label="Get (items)" error={errors.getQty}>
                {(a) => <input {...a} {...text('getQty')} inputMode="numeric" />}
              </Field>
              <Field
                id="p-get-percent"
                label="Percent off the items got"
                error={errors.getPercent}
                hint="100 makes them free."
              >
                {(a) => <input {...a} {...text('getPercent')} inputMode="decimal" />}
              </Field>
            </>
          ) : null}
        </div>
        {s.kind === 'spend_threshold' && !s.apiAction ? (
          <div className="steps">
            {s.steps.map((st, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: steps have no identity but their place
              <div className="step-row" key={i}>
                <div className="field">
                  <label htmlFor={`p-step-min-${i}`}>Spend at least ({money})</label>
                  <input
                    id={`p-step-min-${i}`}
                    inputMode="decimal"
                    value={st.min}
                    onChange={(e) =>
                      set(
                        'steps',
                        s.steps.map((x, j) => (j === i ? { ...x, min: e.target.value } : x)),
                      )
                    }
                  />
                </div>
                <div className="field">
                  <label htmlFor={`p-step-off-${i}`}>Takes off</label>
                  <input
                    id={`p-step-off-${i}`}
                    inputMode="decimal"
                    value={st.off}
                    onChange={(e) =>
                      set(
                        'steps',
                        s.steps.map((x, j) => (j === i ? { ...x, off: e.target.value } : x)),
                      )
                    }
                  />
                </div>
                <div className="field">
                  <label htmlFor={`p-step-unit-${i}`}>In</label>
                  <select
                    id={`p-step-unit-${i}`}
                    value={st.unit}
                    onChange={(e) =>
                      set(
                        'steps',
                        s.steps.map((x, j) => (j === i ? { ...x, unit: e.target.value as Step['unit'] } : x)),
                      )
                    }
                  >
                    <option value="amount">{money}</option>
                    <option value="percent">%</option>
                  </select>
                </div>
                <button
                  type="button"
                  className="button button-ghost"
                  disabled={s.steps.length === 1}
                  onClick={() =>
                    set(
                      'steps',
                      s.steps.filter((_, j) => j !== i),
                    )
                  }
                  aria-label={`Remove step ${i + 1}`}
                >
                  Remove
                </button>
              </div>
            ))}
            {errors.steps ? <p className="field-message">{errors.steps}</p> : null}
            <button
              type="button"
              className="button"
              onClick={() => set('steps', [...s.steps, { min: '', off: '', unit: 'amount' }])}
            >
              Add a step
            </button>
          </div>
        ) : null}
      </fieldset>

      <fieldset>
        <legend>How customers get it</legend>
        <div className="form-fields">
          <Field
            id="p-trigger"
            label="Applies"
            error={errors.trigger}
            hint={editing ? 'Fixed once created: codes customers hold refer to it.' : undefined}
          >
            {(a) => (
              <select
                {...a}
                value={s.trigger}
                disabled={editing}
                onChange={(e) => set('trigger', e.target.value as TriggerType)}
              >
                {Object.entries(TRIGGERS).map(([k, label]) => (
                  <option key={k} value={k} disabled={s.kind === 'gift_card' && k !== 'unique_codes'}>
                    {label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {s.trigger === 'code' ? (
            <Field
              id="p-code"
              label="Code"
              error={errors.code}
              hint="Case and dashes do not matter when typed."
            >
              {(a) => <input {...a} {...text('code')} disabled={editing} maxLength={100} />}
            </Field>
          ) : null}
        </div>
      </fieldset>

      <fieldset>
        <legend>Who qualifies</legend>
        <div className="form-fields">
          <Field
            id="p-min-subtotal"
            label={`Minimum subtotal (${money})`}
            error={errors.minSubtotal}
            hint="Of the items it covers; empty for none."
          >
            {(a) => <input {...a} {...text('minSubtotal')} inputMode="decimal" />}
          </Field>
          <Field
            id="p-segments"
            label="Only customer segments"
            hint="RFM segments, stages or customer tags, comma-separated (e.g. Champions, At risk, vip); empty for everyone."
          >
            {(a) => <input {...a} {...text('segments')} />}
          </Field>
          <Field
            id="p-tiers"
            label="Only loyalty tiers"
            hint="Tier codes, comma-separated; empty for everyone."
          >
            {(a) => <input {...a} {...text('tiers')} />}
          </Field>
          <div className="field check">
            <input
              id="p-first-order"
              type="checkbox"
              checked={s.firstOrder}
              onChange={(e) => set('firstOrder', e.target.checked)}
            />
            <label htmlFor="p-first-order">First order only</label>
          </div>
          <Field
            id="p-products"
            label="Only these products"
            error={errors.products}
            hint="Product ids, comma-separated; empty for all."
          >
            {(a) => <input {...a} {...text('products')} />}
          </Field>
          <Field id="p-categories" label="Only these categories" hint="Category ids, comma-separated.">
            {(a) => <input {...a} {...text('categories')} />}
          </Field>
          <Field id="p-exclude-products" label="Except products">
            {(a) => <input {...a} {...text('excludeProducts')} />}
          </Field>
          <Field id="p-exclude-categories" label="Except categories">
            {(a) => <input {...a} {...text('excludeCategories')} />}
          </Field>
        </div>
      </fieldset>

      <fieldset>
        <legend>Limits and validity</legend>
        <div className="form-fields">
          <Field id="p-total-uses" label="Uses in total" error={errors.totalUses} hint="Empty for no limit.">
            {(a) => <input {...a} {...text('totalUses')} inputMode="numeric" />}
          </Field>
          <Field
            id="p-per-customer"
            label="Uses per customer"
            error={errors.perCustomer}
            hint="Empty for no limit."
          >
            {(a) => <input {...a} {...text('perCustomer')} inputMode="numeric" />}
          </Field>
          <Field
            id="p-budget"
            label={`Budget (${money})`}
            error={errors.budget}
            hint="The most it may give away in all; empty for no limit."
          >
            {(a) => <input {...a} {...text('budget')} inputMode="decimal" />}
          </Field>
          <Field id="p-starts" label="Starts" error={errors.startsAt} hint="Empty: now.">
            {(a) => <input {...a} type="datetime-local" {...text('startsAt')} />}
          </Field>
          <Field id="p-ends" label="Ends" error={errors.endsAt} hint="Empty: never.">
            {(a) => <input {...a} type="datetime-local" {...text('endsAt')} />}
          </Field>
        </div>
      </fieldset>

      <fieldset>
        <legend>Stacking</legend>
        <div className="form-fields">
          <Field
            id="p-stacking"
            label="With other promotions"
            hint={
              s.stacking === 'exclusive'
                ? 'Applies only alone: no other offer after it (tier benefits and gift cards still apply).'
                : 'Adds to other combinable promotions.'
            }
          >
            {(a) => (
              <select
                {...a}
                value={s.stacking}
                onChange={(e) => set('stacking', e.target.value as FormState['stacking'])}
              >
                <option value="combinable">Combinable</option>
                <option value="exclusive">Exclusive</option>
              </select>
            )}
          </Field>
          <Field
            id="p-priority"
            label="Priority"
            error={errors.priority}
            hint="Lower runs first (0–1,000,000)."
          >
            {(a) => <input {...a} {...text('priority')} inputMode="numeric" />}
          </Field>
        </div>
      </fieldset>

      <div className="form-buttons">
        <button type="submit" className="button button-primary" disabled={saving}>
          {saving ? 'Saving…' : editing ? 'Save changes' : 'Create promotion'}
        </button>
        {Object.keys(errors).length ? (
          <p className="field-message form-summary" role="alert">
            Not saved: fix the fields marked above.
          </p>
        ) : null}
        {onCancel ? (
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
