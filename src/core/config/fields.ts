import { z } from 'zod';

/**
 * Zod schemas for environment variables. Each one parses a string and, on failure, says what it
 * expects in words an operator understands.
 */
const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

export const bool = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return fallback;
      const v = value.trim().toLowerCase();
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return false;
      ctx.addIssue({ code: 'custom', message: 'expected 1/0, true/false, yes/no or on/off' });
      return z.NEVER;
    });

export const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallback;
      const n = Number(value);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected an integer from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

/** A duration given in seconds (decimals allowed), returned in milliseconds. */
export const seconds = (fallbackSeconds: number, maxSeconds = 86_400) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallbackSeconds * 1000;
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0 || n > maxSeconds) {
        ctx.addIssue({ code: 'custom', message: `expected a number of seconds from 0 to ${maxSeconds}` });
        return z.NEVER;
      }
      return Math.round(n * 1000);
    });

export const text = (fallback?: string) =>
  z
    .string()
    .optional()
    .transform((value) => (value === undefined || value === '' ? fallback : value));

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const v = value.trim().toLowerCase();
      if ((values as readonly string[]).includes(v)) return v as T[number];
      ctx.addIssue({ code: 'custom', message: `expected one of ${values.join(', ')}` });
      return z.NEVER;
    });

export const list = () =>
  z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    );

/** A number of worker processes, or `auto`: one per CPU (`os.availableParallelism()`). */
export const workers = (fallback: number | 'auto') =>
  z
    .string()
    .optional()
    .transform((value, ctx): number | 'auto' => {
      if (value === undefined || value.trim() === '') return fallback;
      const v = value.trim().toLowerCase();
      if (v === 'auto') return 'auto';
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 256) {
        ctx.addIssue({ code: 'custom', message: 'expected auto (one per CPU) or an integer from 1 to 256' });
        return z.NEVER;
      }
      return n;
    });
