import type { UserRow } from './users.js';

/** The signed-in user as routes see it: `request.user`. */
export interface AuthUser {
  readonly id: number;
  readonly username: string;
  readonly email: string;
  readonly isActive: boolean;
  readonly isStaff: boolean;
  readonly isSuperuser: boolean;
  /** Codenames held directly or through groups. Superusers hold every permission implicitly. */
  readonly permissions: ReadonlySet<string>;
  /** Whether the user may do `codename` (e.g. `polls.change_question`); always true for an active superuser. */
  hasPerm(codename: string): boolean;
}

export function toAuthUser(row: UserRow, permissions: ReadonlySet<string>): AuthUser {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    isActive: row.isActive,
    isStaff: row.isStaff,
    isSuperuser: row.isSuperuser,
    permissions,
    hasPerm: (codename) => row.isActive && (row.isSuperuser || permissions.has(codename)),
  };
}
