// The translation of the database's refusals belongs to the model layer
// (core/models/database-errors.ts); the admin's own code reads it from here.
export {
  databaseError,
  type MappedError,
  mapDatabaseError,
  type PgErrorInfo,
  raisedByTrigger,
} from '../../models/database-errors.js';
