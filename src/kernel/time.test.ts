import { describe, expect, it } from 'vitest';
import { utcOffsetMinutes } from './time.ts';

describe('utcOffsetMinutes', () => {
  it('follows daylight saving time, half-hour zones and unknown zones', () => {
    expect(utcOffsetMinutes('Europe/Berlin', Date.UTC(2026, 0, 15, 12))).toBe(60);
    expect(utcOffsetMinutes('Europe/Berlin', Date.UTC(2026, 6, 15, 12))).toBe(120);
    expect(utcOffsetMinutes('America/New_York', Date.UTC(2026, 6, 15, 12))).toBe(-240);
    expect(utcOffsetMinutes('Asia/Kolkata', Date.UTC(2026, 6, 15, 12))).toBe(330);
    expect(utcOffsetMinutes('UTC', Date.UTC(2026, 6, 15, 12))).toBe(0);
    expect(utcOffsetMinutes('Not/AZone', Date.UTC(2026, 6, 15, 12))).toBe(0);
  });

  it('changes at the transition, not a quarter hour later (remembered per zone and quarter hour)', () => {
    // Europe/Berlin switched to summer time at 01:00 UTC on 29 March 2026.
    expect(utcOffsetMinutes('Europe/Berlin', Date.UTC(2026, 2, 29, 0, 59))).toBe(60);
    expect(utcOffsetMinutes('Europe/Berlin', Date.UTC(2026, 2, 29, 1, 0))).toBe(120);
    expect(utcOffsetMinutes('Europe/Berlin', Date.UTC(2026, 2, 29, 0, 59))).toBe(60);
  });
});
