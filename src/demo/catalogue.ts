import type { ProductInput } from '../orders/schemas.ts';

/**
 * The demo shop's catalogue: a small online shop selling coffee, tea, cosmetics, home and
 * phone accessories ("a coffee & beauty shop"), 86 products in 9 categories. Prices are net
 * minor units (cents, VAT added at checkout). Consumables carry the number of days one pack
 * lasts, which the generator uses for replenishment buyers and the product for reminders.
 */

export const CATEGORIES = [
  'Coffee',
  'Tea',
  'Coffee & tea equipment',
  'Skincare',
  'Haircare',
  'Home & fragrance',
  'Accessories',
  'Electronics accessories',
  'Gifts',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** One catalogue product, in the generator's terms (see `catalogueProducts` for the API shape). */
export interface DemoProduct {
  sku: string;
  /** `demo-p-` + the lower-cased SKU: stable when products are added or reordered. */
  externalId: string;
  title: string;
  category: Category;
  brand: string;
  priceMinor: number;
  /** Days one pack lasts for a typical customer; null for durable goods. */
  replenishmentIntervalDays: number | null;
  /** SKUs often bought in the same order (filters with beans, conditioner with shampoo). */
  pairsWith: readonly string[];
  /** Sold mostly in November–December (gift boxes, advent calendar). */
  holiday: boolean;
}

type Row = [
  sku: string,
  title: string,
  priceMinor: number,
  intervalDays: number | null,
  pairsWith?: string[],
];

const ROWS: Record<Category, { brand: string; holiday?: boolean; rows: Row[] }> = {
  Coffee: {
    brand: 'Roastery No. 7',
    rows: [
      ['COF-ETH-250', 'Ethiopia Yirgacheffe coffee beans, 250 g', 1190, 30, ['EQ-FLT-100', 'EQ-V60-02']],
      ['COF-COL-250', 'Colombia Huila coffee beans, 250 g', 1090, 30, ['EQ-FLT-100', 'COF-ETH-250']],
      ['COF-KEN-250', 'Kenya AA coffee beans, 250 g', 1390, 30, ['EQ-FLT-100', 'COF-ETH-250']],
      ['COF-GUA-250', 'Guatemala Antigua coffee beans, 250 g', 1240, 30, ['EQ-FLT-100']],
      ['COF-ESP-500', 'House espresso blend, 500 g', 1690, 30, ['EQ-DESC', 'EQ-MILK']],
      ['COF-BRA-1KG', 'Brazil Santos coffee beans, 1 kg', 2990, 45, ['EQ-DESC']],
      ['COF-DEC-250', 'Decaf Colombia coffee beans, 250 g', 1150, 30, ['COF-COL-250']],
      ['COF-GRD-250', 'Filter blend, ground, 250 g', 890, 30, ['EQ-FLT-100', 'EQ-FRP-1L']],
      ['COF-CAP-30', 'Espresso capsules, 30 pcs', 990, 21, ['COF-CAP-DEC-30']],
      ['COF-CAP-DEC-30', 'Decaf espresso capsules, 30 pcs', 990, 21, ['COF-CAP-30']],
      ['COF-TUR-200', 'Turkish coffee, extra fine grind, 200 g', 690, 30, ['EQ-CEZVE']],
      ['COF-SAMPLER', 'Single-origin sampler, 4 × 100 g', 1990, 45, ['EQ-FLT-100', 'EQ-GRD-HAND']],
    ],
  },
  Tea: {
    brand: 'Leaf & Steam',
    rows: [
      ['TEA-EARL-100', 'Earl Grey loose-leaf tea, 100 g', 790, 45, ['EQ-TEAPOT']],
      ['TEA-SEN-100', 'Japanese sencha, 100 g', 990, 45, ['TEA-MATCHA-30']],
      ['TEA-MATCHA-30', 'Ceremonial matcha, 30 g', 1890, 45, ['TEA-SEN-100']],
      ['TEA-CHAM-50', 'Chamomile flowers, 50 g', 550, 45, ['TEA-MINT-50']],
      ['TEA-MINT-50', 'Moroccan mint tea, 50 g', 590, 45, ['TEA-CHAM-50']],
      ['TEA-RIZE-500', 'Rize black tea, 500 g', 850, 60, ['EQ-MUG']],
      ['TEA-ROOI-100', 'Rooibos vanilla, 100 g', 690, 45, ['TEA-CHAM-50']],
      ['TEA-MOUNT-20', 'Mountain herb tea (mursalski), 20 bags', 450, 30, ['TEA-CHAM-50']],
      ['TEA-CHAI-100', 'Spiced chai, 100 g', 790, 45, ['EQ-MILK']],
    ],
  },
  'Coffee & tea equipment': {
    brand: 'Brewlab',
    rows: [
      ['EQ-GRD-BURR', 'Electric burr grinder', 8900, null, ['COF-ETH-250', 'COF-COL-250', 'COF-SAMPLER']],
      ['EQ-GRD-HAND', 'Hand coffee grinder', 3900, null, ['COF-ETH-250', 'COF-KEN-250']],
      ['EQ-FRP-1L', 'French press, 1 l', 2490, null, ['COF-GRD-250', 'COF-BRA-1KG']],
      ['EQ-V60-02', 'Pour-over dripper, size 02', 1990, null, ['EQ-FLT-100', 'COF-ETH-250']],
      ['EQ-FLT-100', 'Paper filters, size 02, 100 pcs', 490, 90, ['COF-ETH-250', 'COF-COL-250']],
      ['EQ-KETTLE', 'Gooseneck kettle, 1 l', 4900, null, ['EQ-V60-02', 'EQ-SCALE']],
      ['EQ-SCALE', 'Coffee scale with timer', 2990, null, ['EQ-V60-02']],
      ['EQ-CEZVE', 'Copper cezve / ibrik', 1990, null, ['COF-TUR-200']],
      ['EQ-DESC', 'Descaler for espresso machines', 990, 90, ['COF-ESP-500']],
      ['EQ-MILK', 'Milk frother', 3490, null, ['COF-ESP-500']],
      ['EQ-TEAPOT', 'Glass teapot with infuser', 2290, null, ['TEA-EARL-100', 'TEA-SEN-100']],
      ['EQ-MUG', 'Double-wall glass mugs, set of 2', 1690, null, ['COF-ESP-500']],
    ],
  },
  Skincare: {
    brand: 'Rosa Valley',
    rows: [
      ['SKN-CLN-150', 'Gentle foaming cleanser, 150 ml', 1290, 60, ['SKN-MOI-50', 'SKN-TON-200']],
      ['SKN-MOI-50', 'Daily moisturiser SPF 15, 50 ml', 1890, 60, ['SKN-CLN-150', 'SKN-SER-HA-30']],
      ['SKN-SER-VC-30', 'Vitamin C serum, 30 ml', 2490, 60, ['SKN-SPF50-50', 'SKN-MOI-50']],
      ['SKN-SER-HA-30', 'Hyaluronic acid serum, 30 ml', 2190, 60, ['SKN-MOI-50', 'SKN-NGT-50']],
      ['SKN-NGT-50', 'Night cream, 50 ml', 2290, 60, ['SKN-SER-HA-30', 'SKN-EYE-15']],
      ['SKN-SPF50-50', 'Sunscreen SPF 50, 50 ml', 1690, 45, ['SKN-SER-VC-30']],
      ['SKN-TON-200', 'Bulgarian rose water toner, 200 ml', 990, 60, ['SKN-CLN-150']],
      ['SKN-EYE-15', 'Eye cream, 15 ml', 1990, 90, ['SKN-NGT-50']],
      ['SKN-MASK-5', 'Sheet masks, 5 pcs', 1190, 30, ['ACC-HEADBAND']],
      ['SKN-LIP-2', 'Lip balm, 2 pcs', 590, 60, ['SKN-MOI-50']],
      ['SKN-MIC-400', 'Micellar water, 400 ml', 890, 45, ['SKN-CLN-150']],
      ['SKN-BODY-250', 'Body lotion, 250 ml', 1150, 60, ['HOME-SOAP-3']],
    ],
  },
  Haircare: {
    brand: 'Argan & Co',
    rows: [
      ['HAIR-SHA-250', 'Repair shampoo, 250 ml', 990, 45, ['HAIR-CON-250']],
      ['HAIR-CON-250', 'Repair conditioner, 250 ml', 1090, 45, ['HAIR-SHA-250']],
      ['HAIR-SHA-CLR', 'Colour-protect shampoo, 250 ml', 1090, 45, ['HAIR-CON-250', 'HAIR-MASK-200']],
      ['HAIR-MASK-200', 'Hair mask, 200 ml', 1490, 60, ['HAIR-OIL-50']],
      ['HAIR-OIL-50', 'Argan hair oil, 50 ml', 1690, 90, ['HAIR-MASK-200']],
      ['HAIR-DRY-200', 'Dry shampoo, 200 ml', 790, 30, ['HAIR-SHA-250']],
      ['HAIR-BRUSH', 'Detangling brush', 1290, null, ['HAIR-OIL-50']],
      ['HAIR-DRYER', 'Ionic hair dryer', 5900, null, ['HAIR-BRUSH', 'HAIR-OIL-50']],
    ],
  },
  'Home & fragrance': {
    brand: 'Casa Calma',
    rows: [
      ['HOME-CND-LAV', 'Scented candle, lavender', 1490, 60, ['HOME-CND-FIG']],
      ['HOME-CND-FIG', 'Scented candle, fig', 1490, 60, ['HOME-CND-LAV']],
      ['HOME-DIF-100', 'Reed diffuser, 100 ml', 1990, 90, ['HOME-REF-200']],
      ['HOME-REF-200', 'Diffuser refill, 200 ml', 1490, 90, ['HOME-DIF-100']],
      ['HOME-SOAP-3', 'Olive oil soap, 3 bars', 890, 45, ['HOME-HAND-300']],
      ['HOME-HAND-300', 'Liquid hand soap, 300 ml', 690, 30, ['HOME-SOAP-3']],
      ['HOME-TOWEL', 'Cotton towel set', 2990, null, ['HOME-SOAP-3']],
      ['HOME-BATH-500', 'Bath salts with rose, 500 g', 990, 60, ['HOME-CND-LAV']],
    ],
  },
  Accessories: {
    brand: 'Comeback Goods',
    rows: [
      ['ACC-TOTE', 'Canvas tote bag', 1290, null],
      ['ACC-POUCH', 'Cosmetic pouch', 1490, null, ['SKN-LIP-2']],
      ['ACC-MIRROR', 'Travel mirror', 990, null, ['ACC-POUCH']],
      ['ACC-BOTTLE', 'Insulated bottle, 500 ml', 2290, null],
      ['ACC-TUMBLER', 'Travel coffee tumbler', 1990, null, ['COF-ESP-500']],
      ['ACC-HEADBAND', 'Spa headband', 690, null, ['SKN-MASK-5']],
    ],
  },
  'Electronics accessories': {
    brand: 'Voltline',
    rows: [
      ['ELC-CBL-C1', 'USB-C cable, 1 m', 990, 180, ['ELC-CHG-30']],
      ['ELC-CBL-C2', 'USB-C cable, 2 m', 1290, 180, ['ELC-CHG-30']],
      ['ELC-CHG-30', '30 W USB-C charger', 2490, null, ['ELC-CBL-C1', 'ELC-CBL-C2']],
      ['ELC-PWR-10', 'Power bank, 10,000 mAh', 2990, null, ['ELC-CBL-C1']],
      ['ELC-CASE', 'Phone case', 1790, null, ['ELC-SCR-2']],
      ['ELC-SCR-2', 'Tempered glass screen protector, 2 pcs', 990, 120, ['ELC-CASE']],
      ['ELC-EAR', 'Wireless earbuds', 4900, null, ['ELC-CBL-C1']],
      ['ELC-AA-4', 'Rechargeable AA batteries, 4 pcs', 1490, null],
      ['ELC-STAND', 'Phone stand', 1490, null, ['ELC-CHG-30']],
      ['ELC-BRUSH-4', 'Electric toothbrush heads, 4 pcs', 1990, 90],
    ],
  },
  Gifts: {
    brand: 'Comeback Goods',
    holiday: true,
    rows: [
      ['GFT-COF-BOX', 'Coffee lover gift box', 3990, null, ['GFT-WRAP', 'GFT-CARD']],
      ['GFT-TEA-BOX', 'Tea discovery gift box', 2990, null, ['GFT-WRAP', 'GFT-CARD']],
      ['GFT-SPA-BOX', 'Rose spa gift set', 4490, null, ['GFT-WRAP', 'GFT-CARD']],
      ['GFT-ADVENT', 'Beauty advent calendar', 5900, null, ['GFT-WRAP']],
      ['GFT-VOUCHER-25', 'Gift voucher, EUR 25', 2500, null, ['GFT-CARD']],
      ['GFT-VOUCHER-50', 'Gift voucher, EUR 50', 5000, null, ['GFT-CARD']],
      ['GFT-WRAP', 'Gift wrapping', 350, null, ['GFT-CARD']],
      ['GFT-CARD', 'Greeting card', 290, null, ['GFT-WRAP']],
    ],
  },
};

/** Every product, in a fixed order (category by category, as listed above). */
export const CATALOGUE: readonly DemoProduct[] = CATEGORIES.flatMap((category) => {
  const group = ROWS[category];
  return group.rows.map(
    ([sku, title, priceMinor, intervalDays, pairsWith]): DemoProduct => ({
      sku,
      externalId: `demo-p-${sku.toLowerCase()}`,
      title,
      category,
      brand: group.brand,
      priceMinor,
      replenishmentIntervalDays: intervalDays,
      pairsWith: pairsWith ?? [],
      holiday: group.holiday ?? false,
    }),
  );
});

/** How likely a customer's favourite category is each one (coffee and skincare lead). */
export const CATEGORY_POPULARITY: Readonly<Record<Category, number>> = {
  Coffee: 0.22,
  Tea: 0.1,
  'Coffee & tea equipment': 0.07,
  Skincare: 0.22,
  Haircare: 0.12,
  'Home & fragrance': 0.09,
  Accessories: 0.04,
  'Electronics accessories': 0.09,
  Gifts: 0.05,
};

/**
 * Cross-category co-purchase: given a line from the row's category, how likely the next line
 * (when it is not a direct `pairsWith` product) comes from each category.
 */
export const CATEGORY_AFFINITY: Readonly<Record<Category, Partial<Record<Category, number>>>> = {
  Coffee: { Coffee: 0.45, 'Coffee & tea equipment': 0.3, Tea: 0.15, Accessories: 0.05, Gifts: 0.05 },
  Tea: { Tea: 0.5, 'Coffee & tea equipment': 0.2, Coffee: 0.2, 'Home & fragrance': 0.1 },
  'Coffee & tea equipment': { Coffee: 0.6, Tea: 0.2, 'Coffee & tea equipment': 0.15, Accessories: 0.05 },
  Skincare: { Skincare: 0.55, Haircare: 0.2, 'Home & fragrance': 0.1, Accessories: 0.1, Gifts: 0.05 },
  Haircare: { Haircare: 0.45, Skincare: 0.35, 'Home & fragrance': 0.1, Accessories: 0.1 },
  'Home & fragrance': { 'Home & fragrance': 0.5, Skincare: 0.25, Gifts: 0.15, Tea: 0.1 },
  Accessories: { Accessories: 0.3, Skincare: 0.3, Coffee: 0.2, 'Electronics accessories': 0.2 },
  'Electronics accessories': { 'Electronics accessories': 0.75, Accessories: 0.15, Coffee: 0.1 },
  Gifts: { Gifts: 0.4, Coffee: 0.2, Skincare: 0.2, 'Home & fragrance': 0.2 },
};

/**
 * The catalogue as API product records.
 * @param updatedAt ISO-8601 instant the records are stamped with (the start of the demo history)
 */
export function catalogueProducts(currency: string, updatedAt: string): ProductInput[] {
  return CATALOGUE.map((p) => ({
    external_id: p.externalId,
    sku: p.sku,
    title: p.title,
    category: p.category,
    price_minor: p.priceMinor,
    currency,
    replenishment_interval_days: p.replenishmentIntervalDays,
    attributes: p.holiday ? { brand: p.brand, seasonal: 'holiday' } : { brand: p.brand },
    updated_at: updatedAt,
  }));
}
