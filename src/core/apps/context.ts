import type { AppContext } from './define-app.js';

/**
 * The context handed to every app's `setup` and `routes`: `base` plus what each installed app
 * `provide`s, in installation order, computed once at boot (the admin app adds its index here,
 * so the admin's pages and the API read the same one). Frozen: nothing is added afterwards.
 *
 * @example
 *   const ctx = createAppContext({ config, database, log, registry });
 *   ctx.admin // the admin index, when the admin app is installed
 */
export function createAppContext<C extends AppContext>(base: C): C {
  let ctx: C = { ...base };
  for (const app of base.registry.apps) if (app.provide) ctx = { ...ctx, ...app.provide(base.registry) };
  return Object.freeze(ctx);
}
