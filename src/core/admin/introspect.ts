// A table's field metadata belongs to the model layer (core/models/fields.ts); the admin reads it.
export {
  describeTable,
  type FieldKind,
  type FieldMeta,
  type ForeignKeyMeta,
  type TableMeta,
} from '../models/fields.js';
