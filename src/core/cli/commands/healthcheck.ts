import { defineCommand } from '../command.js';
import { secondsOption } from '../options.js';

export default defineCommand({
  name: 'healthcheck',
  summary:
    "Exit 0 if this container's server answers /livez with 200, else 1 (for HEALTHCHECK, no curl needed).",
  usage: 'slipway healthcheck [--url <url>] [--timeout <seconds>]',
  options: { url: { type: 'string' }, timeout: { type: 'string' } },
  async run(ctx, { values }) {
    const url = (values['url'] as string | undefined) ?? `http://127.0.0.1:${ctx.config().port}/livez`;
    const timeoutMs = secondsOption(values['timeout'], '--timeout') ?? 3000;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (response.status === 200) return 0;
      ctx.err(`unhealthy: ${url} answered ${response.status}`);
    } catch (error) {
      ctx.err(
        `unhealthy: ${url}: ${(error as Error).cause ? String((error as Error & { cause: Error }).cause.message) : (error as Error).message}`,
      );
    }
    return 1;
  },
});
