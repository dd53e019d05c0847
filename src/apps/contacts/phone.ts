/**
 * Telephone numbers in E.164 (`+41446681800`): a small normaliser for the formats people type,
 * without a phone library. It checks the shape (country code, 7 to 15 digits in all), not
 * whether a number is assigned; the database checks the same shape again.
 */

interface CountryPlan {
  /** The country calling code. */
  readonly code: string;
  /** The trunk prefix dialled before national numbers and dropped in international form. */
  readonly trunk?: string;
}

/**
 * Countries whose national numbers the normaliser completes, by ISO 3166-1 alpha-2 code. Italy,
 * Spain and a few others have no trunk prefix: their leading 0 is part of the number.
 */
export const COUNTRY_PLANS: Readonly<Record<string, CountryPlan>> = {
  AT: { code: '43', trunk: '0' },
  AU: { code: '61', trunk: '0' },
  BE: { code: '32', trunk: '0' },
  BR: { code: '55', trunk: '0' },
  CA: { code: '1', trunk: '1' },
  CH: { code: '41', trunk: '0' },
  CN: { code: '86', trunk: '0' },
  CZ: { code: '420' },
  DE: { code: '49', trunk: '0' },
  DK: { code: '45' },
  ES: { code: '34' },
  FI: { code: '358', trunk: '0' },
  FR: { code: '33', trunk: '0' },
  GB: { code: '44', trunk: '0' },
  GR: { code: '30' },
  HU: { code: '36', trunk: '06' },
  IE: { code: '353', trunk: '0' },
  IL: { code: '972', trunk: '0' },
  IN: { code: '91', trunk: '0' },
  IT: { code: '39' },
  JP: { code: '81', trunk: '0' },
  LI: { code: '423' },
  LU: { code: '352' },
  MX: { code: '52' },
  NL: { code: '31', trunk: '0' },
  NO: { code: '47' },
  NZ: { code: '64', trunk: '0' },
  PL: { code: '48' },
  PT: { code: '351' },
  RU: { code: '7', trunk: '8' },
  SE: { code: '46', trunk: '0' },
  SK: { code: '421', trunk: '0' },
  TR: { code: '90', trunk: '0' },
  US: { code: '1', trunk: '1' },
  ZA: { code: '27', trunk: '0' },
};

export type PhoneResult = { ok: true; e164: string } | { ok: false; error: string };

const E164_DIGITS = /^[1-9]\d{6,14}$/;
const ALLOWED = /^\+?[\d\s().\-/]+$/;

/**
 * Normalises a telephone number to E.164. International numbers may start with `+` or `00`
 * (`011` from North America), and may carry the European "(0)"; national numbers need
 * `defaultCountry`, whose trunk prefix is dropped. Spaces, dots, dashes, slashes and brackets
 * are ignored.
 *
 * @example
 *   normalizePhoneNumber('+41 (0)44 668 18 00')        // { ok: true, e164: '+41446681800' }
 *   normalizePhoneNumber('044 668 18 00', 'CH')         // { ok: true, e164: '+41446681800' }
 *   normalizePhoneNumber('(415) 555-2671', 'US')        // { ok: true, e164: '+14155552671' }
 *   normalizePhoneNumber('06 1234 5678', 'IT')          // { ok: true, e164: '+390612345678' }
 *   normalizePhoneNumber('044 668 18 00')               // { ok: false, error: 'Enter the number with its country code…' }
 */
export function normalizePhoneNumber(input: string, defaultCountry?: string): PhoneResult {
  const text = input.trim();
  if (text === '') return { ok: false, error: 'Enter a telephone number.' };
  if (!ALLOWED.test(text))
    return {
      ok: false,
      error: 'A telephone number may only hold digits, a leading +, spaces and . - / ( ).',
    };
  const plan = defaultCountry ? COUNTRY_PLANS[defaultCountry.toUpperCase()] : undefined;
  const international = /^(\+|00)/.test(text) || (plan?.code === '1' && text.startsWith('011'));
  let digits = (international ? text.replace(/\(0\)/, '') : text).replace(/\D/g, '');
  if (international) digits = digits.replace(/^(00|011)/, '');
  else if (!plan)
    return {
      ok: false,
      error: defaultCountry
        ? `Enter the number with its country code (+…): national numbers of ${defaultCountry} are not known here.`
        : 'Enter the number with its country code, e.g. +41 44 668 18 00.',
    };
  else {
    if (plan.trunk && digits.startsWith(plan.trunk)) digits = digits.slice(plan.trunk.length);
    if (plan.code === '1' && digits.length !== 10)
      return { ok: false, error: 'A North American number has 10 digits after the 1.' };
    digits = plan.code + digits;
  }
  if (!E164_DIGITS.test(digits))
    return {
      ok: false,
      error: 'Enter a valid telephone number: the country code and the number, 7 to 15 digits in all.',
    };
  return { ok: true, e164: `+${digits}` };
}

/**
 * What is wrong with a number in whatever country it is read: characters a number cannot hold,
 * or an international number (`+…`, `00…`) that is not one. Undefined when nothing is, or when
 * only its country can tell (a national number, completed by the owner's country or refused by
 * the database). For checking a form before its owner is known.
 *
 * @example
 *   phoneShapeError('+41 44 abc')     // 'A telephone number may only hold digits, …'
 *   phoneShapeError('044 668 18 00')  // undefined
 */
export function phoneShapeError(input: string): string | undefined {
  const result = normalizePhoneNumber(input);
  if (result.ok) return undefined;
  const text = input.trim();
  return !ALLOWED.test(text) || /^(\+|00)/.test(text) ? result.error : undefined;
}
