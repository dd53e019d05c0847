import type { FieldError } from '../../core/errors.js';
import { type DeleteInput, defineModel, type SaveInput } from '../../core/models/define-model.js';
import type { CleanInput } from '../../core/models/rows.js';
import type { ContactKind, ContactRow, Owner } from './owned.js';
import { ownerTelephone } from './primary.js';
import { address, attachment, email, telephone } from './schema.js';
import { ONE_OWNER } from './validate.js';
import { type ContactValues, changeContact, insertContact, removeContact } from './writes.js';

/**
 * The contacts models' own rules, declared once next to the schema and run by the model layer
 * on every write (the admin's forms and the API). The database enforces them too (the
 * `*_owner_check` CHECKs, the telephone number's CHECK); these say them first, with every other
 * problem of the write. Addresses, telephones and e-mails are then written by the services'
 * write parts (writes.ts), on their own forms and endpoints and as a person's or company's
 * child rows alike: the owners locked in one order, the old primary demoted first.
 */

/**
 * Exactly one owner: a person or a company (the rows' `*_owner_check`). A row written on its
 * owner's page (an inline) gets the owner the save sets (`parentKey`).
 */
function oneOwner({ values, parentKey }: Pick<CleanInput, 'values' | 'parentKey'>): FieldError[] {
  const owners = ['personId', 'companyId'].filter(
    (key) => (values[key] !== null && values[key] !== undefined) || key === parentKey,
  );
  return owners.length === 1 ? [] : [{ field: null, message: ONE_OWNER }];
}

/**
 * The model's `save` and `delete` hooks: the write parts the services run, in the model layer's
 * transaction. They translate nothing, so the model layer words a refusal of the database as
 * it words its own (a primary moved away is a 422 on the form or in the API).
 */
function contactWrites<K extends ContactKind>(kind: K) {
  return {
    save: ({ tx, values, original }: SaveInput<ContactRow<K>>) => {
      const changes = values as ContactValues<K>;
      if (original) return changeContact(tx, kind, original, changes);
      // The owner column is set (on a child row, to the parent's id); oneOwner checked it.
      const owner: Owner =
        changes.personId != null ? { personId: changes.personId } : { companyId: changes.companyId! };
      return insertContact(tx, kind, owner, changes);
    },
    delete: ({ tx, row }: DeleteInput<ContactRow<K>>) => removeContact(tx, kind, row),
  };
}

export const addressModel = defineModel(address, { clean: oneOwner, ...contactWrites('address') });
export const emailModel = defineModel(email, { clean: oneOwner, ...contactWrites('email') });
export const attachmentModel = defineModel(attachment, { clean: oneOwner });

/**
 * A telephone has one owner, and its number is stored in E.164: a national number is read in
 * the country of the owner's primary address (ownerTelephone, as the services read it).
 */
export const telephoneModel = defineModel(telephone, {
  ...contactWrites('telephone'),
  async clean(input) {
    const problems = oneOwner(input);
    const raw = input.values['number'];
    if (typeof raw === 'string') {
      const { personId, companyId } = input.values as { personId?: number; companyId?: number };
      const owner: Owner | undefined = personId ? { personId } : companyId ? { companyId } : undefined;
      const result = await ownerTelephone(input.db, owner, raw);
      if (result.ok) input.values['number'] = result.e164;
      else problems.push({ field: 'number', message: result.error });
    }
    return problems;
  },
});
