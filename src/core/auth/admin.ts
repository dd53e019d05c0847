import type { AdminSite } from '../admin/site.js';
import { errorsByField } from '../errors.js';
import type { Row } from '../models/model.js';
import { hashPassword, validatePassword } from './passwords.js';
import { group, groupPermission, type permission, user, userGroup, userPermission } from './schema.js';
import { validateIdentity } from './users.js';

type PermissionRow = typeof permission.$inferSelect;
const permissionLabel = (row: Row) => {
  const p = row as PermissionRow;
  return `${p.app} | ${p.model.replaceAll('_', ' ')} | ${p.name}`;
};

/**
 * Users and groups in the admin, as Django's UserAdmin and GroupAdmin: the password hash is never
 * shown; a new user gets a password typed twice and validated; an existing user's password is
 * changed on its own page (linked from the form); only superusers may grant superuser status.
 * Wired into the auth app's manifest as `admin`.
 */
export function registerAuthAdmin(site: AdminSite): void {
  site.register(user, {
    str: (u) => u.username,
    list: ['username', 'email', 'isStaff', 'isActive', 'isSuperuser', 'lastLogin'],
    search: ['username', 'email'],
    filters: ['isStaff', 'isSuperuser', 'isActive'],
    ordering: ['username'],
    exclude: ['password'],
    labels: { isActive: 'Active', isStaff: 'Staff status', isSuperuser: 'Superuser status' },
    readonly: (viewer) =>
      viewer.isSuperuser ? ['lastLogin', 'dateJoined'] : ['lastLogin', 'dateJoined', 'isSuperuser'],
    extraFields: [
      {
        key: 'password1',
        label: 'Password',
        type: 'password',
        on: 'add',
        help: 'At least 8 characters, not a common password, not entirely numeric, not too similar to the username or email.',
      },
      {
        key: 'password2',
        label: 'Password confirmation',
        type: 'password',
        on: 'add',
        help: 'Enter the same password as before, for verification.',
      },
    ],
    fieldsets: [
      {
        fields: ['username', 'password1', 'password2'],
        description:
          'Raw passwords are not stored, so there is no way to see a user’s password; use “Change password” above to set a new one.',
      },
      { title: 'Personal info', fields: ['email'] },
      {
        title: 'Permissions',
        fields: ['isActive', 'isStaff', 'isSuperuser', 'groups', 'userPermissions'],
        description:
          'Active users can log in; staff users can use this admin; superusers hold every permission.',
      },
      { title: 'Important dates', fields: ['lastLogin', 'dateJoined'] },
    ],
    manyToMany: [
      {
        key: 'groups',
        through: userGroup,
        label: 'Groups',
        help: 'The user gets every permission of each of their groups.',
      },
      {
        key: 'userPermissions',
        through: userPermission,
        label: 'User permissions',
        optionLabel: permissionLabel,
      },
    ],
    // Django lets anyone with change_user edit a superuser (and so become one); here only superusers can.
    hasObjectPermission: (viewer, action, row) => action === 'view' || viewer.isSuperuser || !row.isSuperuser,
    objectTools: (_row, base) => [{ label: 'Change password', href: `${base}password/` }],
    clean: async ({ mode, values, extra, original }) => {
      const username = String(values['username'] ?? original?.username ?? '');
      const email = String(values['email'] ?? original?.email ?? '');
      const errors = errorsByField(validateIdentity({ username, email }));
      if (mode === 'add') {
        const p1 = extra['password1'] ?? '';
        const p2 = extra['password2'] ?? '';
        if (!p1) errors['password1'] = ['This field is required.'];
        if (!p2) errors['password2'] = ['This field is required.'];
        else if (p1 !== p2) errors['password2'] = ['The two password fields didn’t match.'];
        const problems = p1 ? validatePassword(p1, { username, email }) : [];
        if (problems.length > 0) errors['password1'] = problems;
        if (Object.keys(errors).length === 0) values['password'] = await hashPassword(p1);
      }
      return errors;
    },
  });

  site.register(group, {
    str: (g) => g.name,
    list: ['name'],
    search: ['name'],
    ordering: ['name'],
    manyToMany: [
      { key: 'permissions', through: groupPermission, label: 'Permissions', optionLabel: permissionLabel },
    ],
  });
}
