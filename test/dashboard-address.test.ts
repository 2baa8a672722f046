import { describe, expect, it } from 'vitest';
import { addressLines } from '../web/src/format.ts';

describe("the customer page's postal address", () => {
  const at = (country: string, postal_code: string, city: string, region: string | null = null) => ({
    line1: 'Street 1',
    line2: null,
    postal_code,
    city,
    region,
    country,
  });

  it("is written in the country's order", () => {
    expect(addressLines(at('DE', '10115', 'Berlin'))).toEqual(['Street 1', '10115 Berlin', 'Germany']);
    expect(addressLines(at('US', '62701', 'Springfield', 'IL'))).toEqual([
      'Street 1',
      'Springfield, IL 62701',
      'United States',
    ]);
    expect(addressLines(at('AU', '2000', 'Sydney', 'NSW'))).toEqual([
      'Street 1',
      'Sydney NSW 2000',
      'Australia',
    ]);
    expect(addressLines(at('GB', 'SW1A 2AA', 'London'))).toEqual([
      'Street 1',
      'London',
      'SW1A 2AA',
      'United Kingdom',
    ]);
  });

  it('leaves out what is missing', () => {
    expect(
      addressLines({
        line1: 'Street 1',
        line2: null,
        postal_code: null,
        city: null,
        region: null,
        country: null,
      }),
    ).toEqual(['Street 1']);
  });
});
