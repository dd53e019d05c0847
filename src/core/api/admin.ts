import { eq } from 'drizzle-orm';
import type { AdminSite } from '../admin/site.js';
import { tokenRepr } from './issue-token.js';
import { token } from './schema.js';

/**
 * API tokens in the admin: listed with their user, name, key prefix and dates; renamed and
 * deleted there. Adding one goes to the API app's own page (`/admin/api/token/add/`), which
 * generates the key on the server and shows it once; the key's hash never leaves the database.
 * Superusers see every token, other users their own.
 */
export function registerApiAdmin(site: AdminSite): void {
  site.register(token, {
    str: tokenRepr,
    list: ['name', 'userId', 'prefix', 'createdAt', 'lastUsedAt'],
    labels: { userId: 'User', prefix: 'Key starts with', lastUsedAt: 'Last used' },
    search: ['name', 'prefix'],
    filters: ['lastUsedAt'],
    ordering: ['-createdAt'],
    exclude: ['keyHash'],
    readonly: ['userId', 'prefix', 'createdAt', 'lastUsedAt'],
    scope: (viewer) => (viewer.isSuperuser ? undefined : eq(token.userId, viewer.id)),
  });
}
