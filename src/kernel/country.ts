/**
 * ISO 3166-1 alpha-2 country codes from what shops' exports put in a country column: a code in
 * any case, or the country's name as ICU spells it in one of the shop languages below (long and
 * short forms: "Germany", "Deutschland", "Allemagne" → DE), accents, case, punctuation, "&" for
 * "and", "Saint" for "St." and a leading "the" aside. A name that means different countries in different languages
 * (Polish "Kongo" is CG, Norwegian CD) reads as none unless English gives it.
 */

/** The languages whose country names are read, English first. */
const LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'pl', 'sv', 'da', 'nb', 'fi', 'cs'] as const;

/** Names ICU does not give (older or everyday ones) but exports use. */
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
  turkey: 'TR',
  'czech republic': 'CZ',
  'ivory coast': 'CI',
  macedonia: 'MK',
  swaziland: 'SZ',
  burma: 'MM',
  'russian federation': 'RU',
  uae: 'AE',
  eire: 'IE',
  macau: 'MO',
  'cape verde': 'CV',
  'east timor': 'TL',
  'vatican city': 'VA',
  'republic of korea': 'KR',
  'st vincent and the grenadines': 'VC',
};

/**
 * Retired codes that became exactly one other (a retired code for a state that split, such as YU
 * or SU, is not guessed at: it stays as written).
 */
const RENAMED: Readonly<Record<string, string>> = {
  UK: 'GB',
  DD: 'DE',
  ZR: 'CD',
  TP: 'TL',
  BU: 'MM',
  FX: 'FR',
};

/** Regions ICU names that are not ISO 3166-1 countries (unions, continents, special areas). */
const NOT_COUNTRIES = new Set([
  'EU',
  'EZ',
  'UN',
  'QO',
  'XA',
  'XB',
  'ZZ',
  'IC',
  'EA',
  'AC',
  'CP',
  'DG',
  'TA',
  'CQ',
]);

function folded(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/^the /, '')
    .replace(/\bsaint\b/g, 'st');
}

let byName: Map<string, string> | null = null;

function countryNames(): Map<string, string> {
  if (byName) return byName;
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const codes: string[] = [];
  for (const a of letters)
    for (const b of letters) {
      const code = a + b;
      // A retired code (DD, YU, UK …) carries its successor's name: only the current one counts.
      if (!NOT_COUNTRIES.has(code) && Intl.getCanonicalLocales(`und-${code}`)[0] === `und-${code}`)
        codes.push(code);
    }
  const english = new Map<string, string>();
  const others = new Map<string, Set<string>>();
  for (const language of LANGUAGES)
    for (const style of ['long', 'short'] as const) {
      const display = new Intl.DisplayNames([language], { type: 'region', style, fallback: 'none' });
      for (const code of codes) {
        const name = display.of(code);
        if (name === undefined || name === code) continue;
        const key = folded(name);
        if (language === 'en') {
          if (!english.has(key)) english.set(key, code);
        } else {
          const seen = others.get(key) ?? new Set<string>();
          seen.add(code);
          others.set(key, seen);
        }
      }
    }
  const names = new Map(english);
  for (const [key, seen] of others) if (!names.has(key) && seen.size === 1) names.set(key, [...seen][0]);
  byName = names;
  return names;
}

/** The alpha-2 code (upper case) a country column's text stands for, or null when it names none. */
export function countryCode(text: string): string | null {
  const t = text.trim();
  if (/^[A-Za-z]{2}$/.test(t)) {
    const code = t.toUpperCase();
    return RENAMED[code] ?? code;
  }
  const key = folded(t);
  return ALIASES[key] ?? countryNames().get(key) ?? null;
}
