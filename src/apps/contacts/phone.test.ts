import { describe, expect, it } from 'vitest';
import { normalizePhoneNumber } from './phone.js';

const e164 = (input: string, country?: string) => {
  const result = normalizePhoneNumber(input, country);
  return result.ok ? result.e164 : `error: ${result.error}`;
};

describe('normalizePhoneNumber', () => {
  it('keeps international numbers, with + or 00, ignoring spaces, dots, dashes, slashes and brackets', () => {
    expect(e164('+41 44 668 18 00')).toBe('+41446681800');
    expect(e164('0041 44 668 18 00')).toBe('+41446681800');
    expect(e164('+1 (415) 555-2671')).toBe('+14155552671');
    expect(e164('+49 30/1234.5678')).toBe('+493012345678');
    expect(e164('  +44 20 7946 0958  ', 'US')).toBe('+442079460958');
  });

  it('drops the "(0)" written inside European international numbers', () => {
    expect(e164('+41 (0)44 668 18 00')).toBe('+41446681800');
    expect(e164('+44 (0) 20 7946 0958')).toBe('+442079460958');
  });

  it('completes national numbers with the default country, dropping its trunk prefix', () => {
    expect(e164('044 668 18 00', 'CH')).toBe('+41446681800');
    expect(e164('079 123 45 67', 'ch')).toBe('+41791234567');
    expect(e164('020 7946 0958', 'GB')).toBe('+442079460958');
    expect(e164('(415) 555-2671', 'US')).toBe('+14155552671');
    expect(e164('1-415-555-2671', 'US')).toBe('+14155552671');
    expect(e164('011 41 44 668 18 00', 'US')).toBe('+41446681800');
    expect(e164('8 495 123-45-67', 'RU')).toBe('+74951234567');
  });

  it("keeps the leading 0 of countries without a trunk prefix (Italy's landlines)", () => {
    expect(e164('06 1234 5678', 'IT')).toBe('+390612345678');
    expect(e164('333 123 4567', 'IT')).toBe('+393331234567');
  });

  it('asks for the country code when a national number has no known country', () => {
    expect(e164('044 668 18 00')).toBe(
      'error: Enter the number with its country code, e.g. +41 44 668 18 00.',
    );
    expect(e164('044 668 18 00', 'XX')).toMatch(/^error: Enter the number with its country code \(\+…\)/);
  });

  it('refuses letters, extensions, too short or too long numbers and a zero country code', () => {
    expect(e164('')).toBe('error: Enter a telephone number.');
    expect(e164('+41 44 CALL ME')).toMatch(/^error: A telephone number may only hold digits/);
    expect(e164('+41 44 668 18 00 ext. 12')).toMatch(/^error: A telephone number may only hold digits/);
    expect(e164('+12345')).toMatch(/^error: Enter a valid telephone number/);
    expect(e164('+1234567890123456')).toMatch(/^error: Enter a valid telephone number/);
    expect(e164('+0123456789')).toMatch(/^error: Enter a valid telephone number/);
    expect(e164('555-2671', 'US')).toBe('error: A North American number has 10 digits after the 1.');
  });
});
