import { CommandError } from '../errors.js';

/** Parses a `--timeout 3`-style option given in seconds; returns milliseconds. */
export function secondsOption(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new CommandError(`${flag} expects a number of seconds, got "${String(value)}"`);
  return Math.round(n * 1000);
}
