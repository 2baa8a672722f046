import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * WCAG 2.2 contrast of the dashboard's text colours against the backgrounds they are used on
 * (web/src/styles.css): at least 4.5:1 for normal text (success criterion 1.4.3, level AA).
 */

const css = readFileSync(new URL('../web/src/styles.css', import.meta.url), 'utf8');
const root = /:root\s*{([^}]*)}/.exec(css)![1];
const vars = Object.fromEntries(
  [...root.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\s*;/g)].map((m) => [m[1], m[2]]),
);

/** A colour: `--name` for a variable of :root, or a hex literal. */
function hex(c: string): string {
  const value = c.startsWith('--') ? vars[c.slice(2)] : c;
  if (!value) throw new Error(`no colour ${c} in styles.css`);
  return value.length === 4 ? `#${[...value.slice(1)].map((d) => d + d).join('')}` : value;
}

/** Relative luminance (WCAG 2.2, with the sRGB threshold 0.04045). */
function luminance(c: string): number {
  const v = hex(c);
  const channel = (i: number) => {
    const s = Number.parseInt(v.slice(i, i + 2), 16) / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** (L1 + 0.05) / (L2 + 0.05) with L1 the lighter. @example contrast('#000', '#fff') // 21 */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Text colour on background, where the stylesheet uses them together. */
const PAIRS: Array<[string, string, string]> = [
  ['body text', '--text', '--bg'],
  ['text on cards', '--text', '--surface'],
  ['muted text on the page', '--muted', '--bg'],
  ['muted text on cards', '--muted', '--surface'],
  ['muted text in report tiles', '--muted', '--muted-soft'],
  ['links', '--primary', '--surface'],
  ['links on the page', '--primary', '--bg'],
  ['primary buttons', '#ffffff', '--primary'],
  ['primary buttons, hovered', '#ffffff', '--primary-hover'],
  ['danger buttons', '#ffffff', '--bad'],
  ['good badges', '--good', '--good-soft'],
  ['info badges', '--info', '--info-soft'],
  ['warning badges', '--warn', '--warn-soft'],
  ['bad badges and form errors', '--bad', '--bad-soft'],
  ['muted badges', '#454e5b', '--muted-soft'],
  ['warnings in text', '--warn', '--surface'],
  ['field errors', '--bad', '--surface'],
  ['good tone numbers', '--good', '--surface'],
  ['labels', '#2c3542', '--surface'],
  ['sidebar links', '--sidebar-text', '--sidebar'],
  ['sidebar store name and role', '#aab4c6', '--sidebar'],
  ['sidebar brand', '#ffffff', '--sidebar'],
  ['buttons, hovered', '--text', '#f3f4f7'],
  ['table rows, hovered: muted text', '--muted', '#fafbfd'],
  ['RFM grid, good', '#0d4f30', '#d7efe2'],
  ['RFM grid, info', '#123a85', '#dde8fb'],
  ['RFM grid, warning', '#6b3a00', '#fce9cc'],
  ['RFM grid, bad', '#7d1c12', '#f9d9d5'],
  ['RFM grid, muted', '#353d49', '#e7eaef'],
];

describe('dashboard colour contrast (WCAG AA, 4.5:1 for text)', () => {
  it('computes contrast as WCAG does: black on white is 21:1, a colour on itself 1:1', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('--text', '--text')).toBe(1);
  });
  it.each(PAIRS)('%s: %s on %s is at least 4.5:1', (_, fg, bg) => {
    expect(contrast(fg, bg)).toBeGreaterThanOrEqual(4.5);
  });
});
