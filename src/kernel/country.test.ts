import { describe, expect, it } from 'vitest';
import { countryCode } from './country.ts';

describe('countryCode', () => {
  it('reads ISO alpha-2 codes in any case, a retired code as its successor', () => {
    expect(['de', 'DE', ' fr ', 'UK', 'dd'].map(countryCode)).toEqual(['DE', 'DE', 'FR', 'GB', 'DE']);
  });

  it("reads country names in the shops' languages, accents, case and punctuation aside", () => {
    const names = ['Germany', 'deutschland', 'Allemagne', 'Österreich', 'Cote d’Ivoire', 'España', 'Sverige'];
    expect(names.map(countryCode)).toEqual(['DE', 'DE', 'DE', 'AT', 'CI', 'ES', 'SE']);
    expect(['USA', 'U.S.A.', 'United Kingdom', 'England'].map(countryCode)).toEqual(['US', 'US', 'GB', 'GB']);
  });

  it('names no country for anything else', () => {
    expect(['Atlantis', 'DEU', 'European Union', ''].map(countryCode)).toEqual([null, null, null, null]);
  });
});
