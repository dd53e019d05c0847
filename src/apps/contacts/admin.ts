import type { AdminSite } from '../../core/admin/site.js';
import { SlipwayError } from '../../core/errors.js';
import type { ActionContext, ActionResult, BulkAction } from '../../core/models/model.js';
import { cleanOriginalName } from './attachments/service.js';
import { ALLOWED_TYPES } from './attachments/sniff.js';
import { MAX_ATTACHMENT_BYTES, removeStoredFile, storeFile } from './attachments/storage.js';
import { primaryDeleteBlockers } from './delete-blockers.js';
import { ContactValidationError } from './errors.js';
import { addressModel, attachmentModel, emailModel, telephoneModel } from './models.js';
import { type ContactKind, NOUNS, ownerOf } from './owned.js';
import { setPrimary } from './primary.js';
import { address, attachment, company, companyPerson, email, person, telephone } from './schema.js';

/**
 * The contacts models in the admin. A person or a company is edited with its addresses,
 * telephones and e-mails inline (at least one address and one telephone). `is_primary` is shown
 * but not edited on those rows (the first row becomes primary); it is edited on an address's
 * (telephone's, e-mail's) own form, and "Make primary" on their list switches it too: either way
 * the services' write part demotes the old one in the same transaction (the models' save hooks,
 * models.ts). Deleting a primary row is refused beforehand, saying where to switch
 * (delete-blockers.ts): on the delete confirmation, and on the row of a person's or company's
 * form. What the database refuses anyway comes back as a message on the form, never a 500.
 */

const RECORD = { title: 'Record', fields: ['createdAt', 'updatedAt'], collapsed: true } as const;
const TIMESTAMPS = ['createdAt', 'updatedAt'] as const;

const OWNED_LABELS = { personId: 'Person', companyId: 'Company', isPrimary: 'Primary' } as const;

/**
 * The bulk action that makes the selected rows primary, one per owner, each in its own
 * transaction, in id order. A selection with two rows of one owner is refused (an error: nothing
 * changed); a row the service refuses stops the action there (an error if it was the first, else
 * a warning saying how many were switched).
 */
function makePrimary(kind: ContactKind): BulkAction {
  return {
    name: 'make_primary',
    label: 'Make primary (demotes the current one)',
    permission: 'change',
    async run(ctx: ActionContext, rows): Promise<ActionResult> {
      const owners = rows.map((r) => JSON.stringify(ownerOf(r as never)));
      if (new Set(owners).size !== owners.length)
        return {
          level: 'error',
          message: `Nothing was changed: select one ${NOUNS[kind]} per person or company.`,
        };
      const ids = rows.map((r) => r['id'] as number).sort((a, b) => a - b);
      let done = 0;
      for (const id of ids) {
        try {
          await setPrimary(ctx.db, kind, id);
          done++;
        } catch (error) {
          if (!(error instanceof SlipwayError) || error.status >= 500) throw error;
          return done === 0
            ? { level: 'error', message: `Nothing was changed. ${error.message}` }
            : { level: 'warning', message: `${done} made primary, then stopped. ${error.message}` };
        }
      }
      return {
        level: 'success',
        message: `${done === 1 ? `The ${NOUNS[kind]} is` : `${done} rows are`} now primary.`,
      };
    },
  };
}

const ownedList = ['personId', 'companyId', 'kind', 'isPrimary'] as const;

export function registerContactsAdmin(site: AdminSite): void {
  const contactsLink = (filter: string) => (row: { id: number }, _base: string) => [
    { label: 'Addresses', href: `/admin/contacts/address/?${filter}__id__exact=${row.id}` },
    { label: 'Telephones', href: `/admin/contacts/telephone/?${filter}__id__exact=${row.id}` },
    { label: 'E-mails', href: `/admin/contacts/email/?${filter}__id__exact=${row.id}` },
    { label: 'Attachments', href: `/admin/contacts/attachment/?${filter}__id__exact=${row.id}` },
    { label: 'Add attachment', href: `/admin/contacts/attachment/add/?${filter}=${row.id}` },
  ];
  const inlineFields = {
    address: ['kind', 'street', 'postalCode', 'city', 'country', 'isPrimary'],
    telephone: ['kind', 'number', 'isPrimary'],
    email: ['kind', 'address', 'isPrimary'],
  };
  const ownedInlines = [
    { table: address, min: 1, extra: 1, fields: inlineFields.address, readonly: ['isPrimary'] },
    { table: telephone, min: 1, extra: 1, fields: inlineFields.telephone, readonly: ['isPrimary'] },
    { table: email, extra: 1, fields: inlineFields.email, readonly: ['isPrimary'], label: 'E-mail' },
  ];

  site.register(person, {
    str: (p) => `${p.firstName} ${p.lastName}`,
    list: ['lastName', 'firstName', 'dateOfBirth', 'updatedAt'],
    search: ['lastName', 'firstName'],
    filters: ['dateOfBirth', 'createdAt'],
    ordering: ['lastName', 'firstName'],
    fieldsets: [{ fields: ['firstName', 'lastName', 'dateOfBirth', 'notes'] }, RECORD],
    readonly: [...TIMESTAMPS],
    inlines: [
      ...ownedInlines.map((i) => ({ ...i, fk: 'personId' })),
      { table: companyPerson, fields: ['companyId', 'role'], extra: 0, label: 'Company role' },
    ],
    objectTools: contactsLink('personId'),
  });

  site.register(company, {
    str: (c) => c.name,
    labels: { vatNumber: 'VAT number' },
    list: ['name', 'vatNumber', 'updatedAt'],
    search: ['name', 'vatNumber'],
    filters: ['createdAt'],
    ordering: ['name'],
    fieldsets: [{ fields: ['name', 'vatNumber'] }, RECORD],
    readonly: [...TIMESTAMPS],
    inlines: [
      ...ownedInlines.map((i) => ({ ...i, fk: 'companyId' })),
      {
        table: companyPerson,
        fields: ['personId', 'role'],
        extra: 1,
        label: 'Person',
        labelPlural: 'People',
      },
    ],
    objectTools: contactsLink('companyId'),
  });

  site.register(address, {
    labels: OWNED_LABELS,
    labelPlural: 'Addresses',
    str: (a) => `${a.street}, ${a.postalCode} ${a.city} (${a.country})`,
    list: ['street', 'city', 'country', ...ownedList],
    search: ['street', 'city', 'postalCode'],
    filters: ['personId', 'companyId', 'kind', 'isPrimary'],
    fieldsets: [
      { fields: ['personId', 'companyId', 'kind', 'street', 'postalCode', 'city', 'country', 'isPrimary'] },
      RECORD,
    ],
    readonly: [...TIMESTAMPS],
    actions: [makePrimary('address')],
    deleteBlockers: primaryDeleteBlockers('address'),
    model: addressModel,
  });

  site.register(telephone, {
    labels: OWNED_LABELS,
    str: (t) => t.number,
    list: ['number', ...ownedList],
    search: ['number'],
    filters: ['personId', 'companyId', 'kind', 'isPrimary'],
    fieldsets: [{ fields: ['personId', 'companyId', 'kind', 'number', 'isPrimary'] }, RECORD],
    readonly: [...TIMESTAMPS],
    actions: [makePrimary('telephone')],
    deleteBlockers: primaryDeleteBlockers('telephone'),
    model: telephoneModel,
  });

  site.register(email, {
    labels: OWNED_LABELS,
    label: 'E-mail address',
    str: (e) => e.address,
    list: ['address', ...ownedList],
    search: ['address'],
    filters: ['personId', 'companyId', 'kind', 'isPrimary'],
    fieldsets: [{ fields: ['personId', 'companyId', 'kind', 'address', 'isPrimary'] }, RECORD],
    readonly: [...TIMESTAMPS],
    actions: [makePrimary('email')],
    deleteBlockers: primaryDeleteBlockers('email'),
    model: emailModel,
  });

  site.register(attachment, {
    labels: { personId: 'Person', companyId: 'Company', size: 'Size (bytes)', sha256: 'SHA-256' },
    str: (a) => a.originalName,
    list: ['originalName', 'kind', 'contentType', 'size', 'personId', 'companyId', 'createdAt'],
    search: ['originalName'],
    filters: ['personId', 'companyId', 'kind', 'createdAt'],
    ordering: ['-createdAt'],
    fieldsets: [
      { fields: ['personId', 'companyId', 'kind'] },
      { title: 'File', fields: ['originalName', 'contentType', 'size', 'sha256', 'storedName'] },
      RECORD,
    ],
    readonly: ['originalName', 'contentType', 'size', 'sha256', 'storedName', ...TIMESTAMPS],
    objectTools: (_row, base) => [{ label: 'Download', href: `${base}download/` }],
    model: attachmentModel,
    upload: {
      key: 'file',
      label: 'File',
      help: `${ALLOWED_TYPES.map((t) => t.label).join(', ')}; at most ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MiB. The type is checked against the content.`,
      accept: ALLOWED_TYPES.flatMap((t) => t.extensions.map((e) => `.${e}`)).join(','),
      async store(file, { mediaRoot }) {
        const name = cleanOriginalName(file.filename);
        if (!name.ok) throw new ContactValidationError([{ field: 'file', message: name.error }]);
        const stored = await storeFile(mediaRoot, file.data, name.name);
        return { originalName: name.name, ...stored };
      },
      discard: (stored, { mediaRoot }) => removeStoredFile(mediaRoot, String(stored['storedName'])),
    },
  });
}
