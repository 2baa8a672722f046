/**
 * ISO 3166-1 alpha-2 country codes from what shops' exports put in a country column: a code in
 * any case, or the country's name as ICU spells it in one of the shop languages below
 * ("Germany", "Deutschland", "Allemagne" → DE), accents, case and punctuation aside.
 */

/** The languages whose country names are read, the first one's name winning a clash. */
const LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'pl', 'sv', 'da', 'nb', 'fi', 'cs'] as const;

/** Names ICU does not give but exports use. */
const ALIASES: Readonly<Record<string, string>> = {
  usa: 'US',
  'u s a': 'US',
  'united states of america': 'US',
  uk: 'GB',
  'u k': 'GB',
  'great britain': 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  holland: 'NL',
};

/** Regions ICU names that are not countries. */
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ']);

function folded(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

let byName: Map<string, string> | null = null;

function countryNames(): Map<string, string> {
  if (byName) return byName;
  const names = new Map<string, string>();
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (const language of LANGUAGES) {
    const display = new Intl.DisplayNames([language], { type: 'region', fallback: 'none' });
    for (const a of letters)
      for (const b of letters) {
        const code = a + b;
        // A retired code (DD, YU, UK …) carries its successor's name: only the current one counts.
        if (NOT_COUNTRIES.has(code) || Intl.getCanonicalLocales(`und-${code}`)[0] !== `und-${code}`) continue;
        const name = display.of(code);
        if (name === undefined || name === code) continue;
        const key = folded(name);
        if (!names.has(key)) names.set(key, code);
      }
  }
  byName = names;
  return names;
}

/** The alpha-2 code (upper case) a country column's text stands for, or null when it names none. */
export function countryCode(text: string): string | null {
  const t = text.trim();
  // A retired code stands for its successor (UK → GB, DD → DE).
  if (/^[A-Za-z]{2}$/.test(t)) return Intl.getCanonicalLocales(`und-${t}`)[0].slice(4).toUpperCase();
  const key = folded(t);
  return ALIASES[key] ?? countryNames().get(key) ?? null;
}
