import { type SQL, sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
  type PgColumn,
  pgTable,
  text,
  unique,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core';
import { id, timestamps } from '../../core/db/columns.js';

/**
 * The contacts models. Addresses, telephones, e-mails and attachments belong to EITHER a person
 * OR a company: two nullable foreign keys and a CHECK that exactly one is set. The primary-object
 * rules (exactly one primary address and telephone per owner, …) are enforced by the indexes
 * below and by the triggers of migration contacts/0002_primary_objects; see README "Contacts".
 */

export const ADDRESS_KINDS = ['home', 'work', 'other'] as const;
export const TELEPHONE_KINDS = ['mobile', 'home', 'work', 'fax', 'other'] as const;
export const EMAIL_KINDS = ['personal', 'work', 'other'] as const;
export const ATTACHMENT_KINDS = ['document', 'image', 'contract', 'invoice', 'identity', 'other'] as const;

/** `kind IN ('home', 'work', 'other')`: the database refuses what the enum does not list. */
function oneOf(column: PgColumn, values: readonly string[]): SQL {
  return sql`${column} IN (${sql.raw(values.map((v) => `'${v}'`).join(', '))})`;
}

export const person = pgTable(
  'contacts_person',
  {
    ...id(),
    firstName: varchar('first_name', { length: 100 }).notNull(),
    lastName: varchar('last_name', { length: 100 }).notNull(),
    dateOfBirth: date('date_of_birth'),
    notes: text('notes').notNull().default(''),
    ...timestamps(),
  },
  (t) => [index('contacts_person_name_idx').on(t.lastName, t.firstName)],
);

export const company = pgTable('contacts_company', {
  ...id(),
  name: varchar('name', { length: 200 }).notNull(),
  vatNumber: varchar('vat_number', { length: 32 }).unique('contacts_company_vat_number_key'),
  ...timestamps(),
});

/** A person's role in a company: the link between the two (a person may hold several roles). */
export const companyPerson = pgTable(
  'contacts_company_person',
  {
    ...id(),
    companyId: integer('company_id')
      .notNull()
      .references(() => company.id, { onDelete: 'cascade' }),
    personId: integer('person_id')
      .notNull()
      .references(() => person.id, { onDelete: 'cascade' }),
    role: varchar('role', { length: 100 }).notNull().default(''),
  },
  (t) => [
    unique('contacts_company_person_role_key').on(t.companyId, t.personId, t.role),
    index('contacts_company_person_person_id_idx').on(t.personId),
  ],
);

/**
 * The owner columns of a contact detail: `person_id` and `company_id`, both ON DELETE CASCADE,
 * exactly one of them set.
 */
function owner() {
  return {
    personId: integer('person_id').references(() => person.id, { onDelete: 'cascade' }),
    companyId: integer('company_id').references(() => company.id, { onDelete: 'cascade' }),
  };
}

type OwnedColumns = { personId: PgColumn; companyId: PgColumn };

/** The owner CHECK and the indexes every owned table has, named after the table. */
function ownedConstraints(name: string, t: OwnedColumns) {
  return [
    check(`${name}_owner_check`, sql`num_nonnulls(${t.personId}, ${t.companyId}) = 1`),
    index(`${name}_person_id_idx`).on(t.personId),
    index(`${name}_company_id_idx`).on(t.companyId),
  ];
}

/**
 * "At most one primary per owner": one partial unique index per owner column. The triggers
 * refuse a second primary with a clearer message first; the index is what holds under
 * concurrency.
 */
function primaryConstraints(name: string, t: OwnedColumns & { isPrimary: PgColumn }) {
  return [
    uniqueIndex(`${name}_person_primary_uniq`).on(t.personId).where(sql`${t.isPrimary}`),
    uniqueIndex(`${name}_company_primary_uniq`).on(t.companyId).where(sql`${t.isPrimary}`),
  ];
}

export const address = pgTable(
  'contacts_address',
  {
    ...id(),
    ...owner(),
    kind: varchar('kind', { length: 10, enum: ADDRESS_KINDS }).notNull().default('home'),
    street: varchar('street', { length: 200 }).notNull(),
    postalCode: varchar('postal_code', { length: 20 }).notNull(),
    city: varchar('city', { length: 100 }).notNull(),
    /** ISO 3166-1 alpha-2 code, upper case (`CH`). */
    country: varchar('country', { length: 2 }).notNull(),
    isPrimary: boolean('is_primary').notNull().default(false),
    ...timestamps(),
  },
  (t) => [
    ...ownedConstraints('contacts_address', t),
    ...primaryConstraints('contacts_address', t),
    check('contacts_address_kind_check', oneOf(t.kind, ADDRESS_KINDS)),
    check('contacts_address_country_check', sql`${t.country} ~ '^[A-Z]{2}$'`),
  ],
);

export const telephone = pgTable(
  'contacts_telephone',
  {
    ...id(),
    ...owner(),
    kind: varchar('kind', { length: 10, enum: TELEPHONE_KINDS }).notNull().default('mobile'),
    /**
     * E.164: `+` and at most 15 digits (`+41446681800`). Wider than that so that a formatted
     * number (`+1 (415) 555-2671`) reaches the trigger that normalises it.
     */
    number: varchar('number', { length: 32 }).notNull(),
    isPrimary: boolean('is_primary').notNull().default(false),
    ...timestamps(),
  },
  (t) => [
    ...ownedConstraints('contacts_telephone', t),
    ...primaryConstraints('contacts_telephone', t),
    check('contacts_telephone_kind_check', oneOf(t.kind, TELEPHONE_KINDS)),
    check('contacts_telephone_number_check', sql`${t.number} ~ '^\\+[1-9][0-9]{6,14}$'`),
  ],
);

export const email = pgTable(
  'contacts_email',
  {
    ...id(),
    ...owner(),
    kind: varchar('kind', { length: 10, enum: EMAIL_KINDS }).notNull().default('personal'),
    address: varchar('address', { length: 254 }).notNull(),
    isPrimary: boolean('is_primary').notNull().default(false),
    ...timestamps(),
  },
  (t) => [
    ...ownedConstraints('contacts_email', t),
    ...primaryConstraints('contacts_email', t),
    check('contacts_email_kind_check', oneOf(t.kind, EMAIL_KINDS)),
    check('contacts_email_address_check', sql`${t.address} ~ '^[^@[:space:]]+@[^@[:space:]]+$'`),
  ],
);

/**
 * A file kept for a person or a company. The file itself is under MEDIA_ROOT, named
 * `storedName` (random, never the user's file name); the row holds its metadata.
 */
export const attachment = pgTable(
  'contacts_attachment',
  {
    ...id(),
    ...owner(),
    kind: varchar('kind', { length: 10, enum: ATTACHMENT_KINDS }).notNull().default('document'),
    /** The name the file had on the uploader's machine: shown and offered on download, never a path. */
    originalName: varchar('original_name', { length: 255 }).notNull(),
    storedName: varchar('stored_name', { length: 100 })
      .notNull()
      .unique('contacts_attachment_stored_name_key'),
    /** The type detected from the content (magic bytes), not the one the browser claimed. */
    contentType: varchar('content_type', { length: 100 }).notNull(),
    size: integer('size').notNull(),
    sha256: varchar('sha256', { length: 64 }).notNull(),
    ...timestamps(),
  },
  (t) => [
    ...ownedConstraints('contacts_attachment', t),
    check('contacts_attachment_kind_check', oneOf(t.kind, ATTACHMENT_KINDS)),
    check('contacts_attachment_size_check', sql`${t.size} >= 0`),
    check('contacts_attachment_sha256_check', sql`${t.sha256} ~ '^[0-9a-f]{64}$'`),
  ],
);
