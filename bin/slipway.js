#!/usr/bin/env node
// The slipway executable. In a checkout it runs the TypeScript sources through tsx, so edits
// apply at once; in the production image, where src/ is absent, it runs the compiled dist/.
import { existsSync } from 'node:fs';

const source = new URL('../src/core/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/src/core/cli/main.js', import.meta.url).href);
}
