import { describe, expect, it } from 'vitest';
import { countryCode } from './country.ts';

describe('countryCode', () => {
  it('reads ISO alpha-2 codes in any case, a renamed code as its successor, a split one as written', () => {
    expect(['de', 'DE', ' fr ', 'UK', 'dd', 'yu'].map(countryCode)).toEqual([
      'DE',
      'DE',
      'FR',
      'GB',
      'DE',
      'YU',
    ]);
  });

  it("reads country names in the shops' languages, accents, case and punctuation aside", () => {
    const names = ['Germany', 'deutschland', 'Allemagne', 'Österreich', 'Cote d’Ivoire', 'España', 'Sverige'];
    expect(names.map(countryCode)).toEqual(['DE', 'DE', 'DE', 'AT', 'CI', 'ES', 'SE']);
    expect(['USA', 'U.S.A.', 'United Kingdom', 'England'].map(countryCode)).toEqual(['US', 'US', 'GB', 'GB']);
  });

  it('reads "and" for "&", "Saint" for "St.", short forms and the names exports still use', () => {
    const names = [
      'Bosnia and Herzegovina',
      'Trinidad & Tobago',
      'Saint Kitts and Nevis',
      'Hong Kong',
      'Palestine',
    ];
    expect(names.map(countryCode)).toEqual(['BA', 'TT', 'KN', 'HK', 'PS']);
    const older = [
      'Turkey',
      'Czech Republic',
      'Ivory Coast',
      'The Netherlands',
      'Russian Federation',
      'Macau',
    ];
    expect(older.map(countryCode)).toEqual(['TR', 'CZ', 'CI', 'NL', 'RU', 'MO']);
  });

  it('does not guess: a name that means two countries in two languages, or a region that is no country', () => {
    expect(['Kongo', 'Canary Islands'].map(countryCode)).toEqual([null, null]);
  });

  it('names no country for anything else', () => {
    expect(['Atlantis', 'DEU', 'European Union', ''].map(countryCode)).toEqual([null, null, null, null]);
  });
});
