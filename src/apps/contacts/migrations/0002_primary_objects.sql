-- 0002_primary_objects: written by hand (it was 0006_primary_objects of the project-wide folder).
-- replaces: 0006_primary_objects
-- depends: core/0001_touch_updated_at
-- It runs in one transaction; the models' snapshot is in meta/0002_primary_objects.json.
--
-- The primary-object rules of the contacts app, enforced by the database whoever writes
-- (services, the admin, the API, psql). "At most one primary per owner" is the partial unique
-- indexes of 0001_initial. Everything else is here:
--
--   1. a row added for an owner that has no primary row of its kind becomes primary;
--   2. a second primary for the same owner is refused with a clear message (the index stays the
--      guarantee under concurrency);
--   3. a primary row cannot be moved to another owner;
--   4. deleting a primary row is refused while its owner exists: make another one primary first
--      (deleting the owner cascades to all its rows);
--   5. at COMMIT (deferred constraint triggers): an owner that exists has at least one address
--      and one telephone, and exactly one primary row of each kind it has any of;
--   6. telephone numbers are stored in E.164 (formatting is stripped, 00 becomes +).
--
-- Every refusal is RAISEd with an SQLSTATE of class 23 (check_violation 23514, unique_violation
-- 23505), the name of the rule in CONSTRAINT, and a MESSAGE written for the user: the admin and
-- the API show it as is (src/core/admin/services/constraint-errors.ts), never as a 500.

-- updated_at for writes outside Drizzle: slipway_touch_updated_at() of core/0001.
CREATE TRIGGER contacts_person_touch BEFORE UPDATE ON contacts_person
  FOR EACH ROW EXECUTE FUNCTION slipway_touch_updated_at();
CREATE TRIGGER contacts_company_touch BEFORE UPDATE ON contacts_company
  FOR EACH ROW EXECUTE FUNCTION slipway_touch_updated_at();
CREATE TRIGGER contacts_address_touch BEFORE UPDATE ON contacts_address
  FOR EACH ROW EXECUTE FUNCTION slipway_touch_updated_at();
CREATE TRIGGER contacts_telephone_touch BEFORE UPDATE ON contacts_telephone
  FOR EACH ROW EXECUTE FUNCTION slipway_touch_updated_at();
CREATE TRIGGER contacts_email_touch BEFORE UPDATE ON contacts_email
  FOR EACH ROW EXECUTE FUNCTION slipway_touch_updated_at();
CREATE TRIGGER contacts_attachment_touch BEFORE UPDATE ON contacts_attachment
  FOR EACH ROW EXECUTE FUNCTION slipway_touch_updated_at();

-- How messages name an owner: 'Ada Lovelace', 'Acme SA'; NULL when the owner no longer exists
-- (it is being deleted, and its rows with it).
CREATE FUNCTION contacts_owner_name(p_person_id integer, p_company_id integer) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN p_person_id IS NOT NULL THEN
      (SELECT first_name || ' ' || last_name FROM contacts_person WHERE id = p_person_id)
    ELSE (SELECT name FROM contacts_company WHERE id = p_company_id)
  END
$$;

-- Rules 1, 2 and 3, before each INSERT or UPDATE of an address, telephone or e-mail.
-- TG_ARGV[0] is the noun used in messages ('address').
CREATE FUNCTION contacts_primary_before_write() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  noun text := TG_ARGV[0];
  owner_column text := CASE WHEN NEW.person_id IS NOT NULL THEN 'person_id' ELSE 'company_id' END;
  owner_id integer := coalesce(NEW.person_id, NEW.company_id);
  other_id integer;
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.is_primary
     AND (NEW.person_id IS DISTINCT FROM OLD.person_id OR NEW.company_id IS DISTINCT FROM OLD.company_id) THEN
    RAISE EXCEPTION USING
      ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_primary_moved', TABLE = TG_TABLE_NAME,
      MESSAGE = format('This is the primary %s of %s, so it cannot be moved to another owner: make another %s primary first.',
                       noun, contacts_owner_name(OLD.person_id, OLD.company_id), noun);
  END IF;
  IF owner_id IS NULL OR (NEW.person_id IS NOT NULL AND NEW.company_id IS NOT NULL) THEN
    RETURN NEW; -- the owner CHECK refuses the row
  END IF;

  EXECUTE format('SELECT id FROM %I WHERE %I = $1 AND is_primary AND id <> $2 LIMIT 1', TG_TABLE_NAME, owner_column)
    INTO other_id USING owner_id, NEW.id;
  IF TG_OP = 'INSERT' AND NOT NEW.is_primary AND other_id IS NULL THEN
    NEW.is_primary := true; -- the first one becomes primary
  ELSIF NEW.is_primary AND other_id IS NOT NULL THEN
    RAISE EXCEPTION USING
      ERRCODE = 'unique_violation', CONSTRAINT = format('%s_%s_primary_uniq', TG_TABLE_NAME, split_part(owner_column, '_', 1)),
      TABLE = TG_TABLE_NAME, COLUMN = 'is_primary',
      MESSAGE = format('%s already has a primary %s, and only one can be primary.',
                       contacts_owner_name(NEW.person_id, NEW.company_id), noun);
  END IF;
  RETURN NEW;
END $$;

-- Rule 4, before each DELETE. TG_ARGV[1] = 'required' when the owner must keep at least one.
CREATE FUNCTION contacts_primary_before_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  noun text := TG_ARGV[0];
  owner_name text := contacts_owner_name(OLD.person_id, OLD.company_id);
  owner_column text := CASE WHEN OLD.person_id IS NOT NULL THEN 'person_id' ELSE 'company_id' END;
  others boolean;
BEGIN
  IF NOT OLD.is_primary OR owner_name IS NULL THEN
    RETURN OLD; -- not primary, or the owner itself is being deleted
  END IF;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = $1 AND id <> $2)', TG_TABLE_NAME, owner_column)
    INTO others USING coalesce(OLD.person_id, OLD.company_id), OLD.id;
  IF others THEN
    RAISE EXCEPTION USING
      ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_primary_protected', TABLE = TG_TABLE_NAME,
      MESSAGE = format('This is the primary %s of %s, so it cannot be deleted: make another %s primary first.',
                       noun, owner_name, noun);
  ELSIF TG_ARGV[1] = 'required' THEN
    RAISE EXCEPTION USING
      ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_required', TABLE = TG_TABLE_NAME,
      MESSAGE = format('This is the only %s of %s, who must keep one: add another %s and make it primary first (or delete %s).',
                       noun, owner_name, noun, owner_name);
  END IF;
  RETURN OLD;
END $$;

-- Rule 5 for one owner and one kind of row. Does nothing when the owner no longer exists.
CREATE FUNCTION contacts_check_primary(tbl text, noun text, required boolean, p_person_id integer, p_company_id integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  owner_name text := contacts_owner_name(p_person_id, p_company_id);
  owner_column text := CASE WHEN p_person_id IS NOT NULL THEN 'person_id' ELSE 'company_id' END;
  total integer;
  primaries integer;
BEGIN
  IF owner_name IS NULL THEN
    RETURN;
  END IF;
  EXECUTE format('SELECT count(*), count(*) FILTER (WHERE is_primary) FROM %I WHERE %I = $1', tbl, owner_column)
    INTO total, primaries USING coalesce(p_person_id, p_company_id);
  IF total = 0 AND required THEN
    RAISE EXCEPTION USING
      ERRCODE = 'check_violation', CONSTRAINT = tbl || '_required', TABLE = tbl,
      MESSAGE = format('%s must have at least one %s.', owner_name, noun);
  ELSIF total > 0 AND primaries <> 1 THEN
    RAISE EXCEPTION USING
      ERRCODE = 'check_violation', CONSTRAINT = tbl || '_primary_required', TABLE = tbl,
      MESSAGE = format('%s must have exactly one primary %s (it has %s): make one of them primary.',
                       owner_name, noun, primaries);
  END IF;
END $$;

-- Rule 5 after a change to an address, telephone or e-mail: checks its owner, and its former
-- owner when it moved. TG_ARGV as for contacts_primary_before_delete.
CREATE FUNCTION contacts_primary_after_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM contacts_check_primary(TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[1] = 'required', OLD.person_id, OLD.company_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM contacts_check_primary(TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[1] = 'required', NEW.person_id, NEW.company_id);
  END IF;
  RETURN NULL;
END $$;

-- Rule 5 for a new person or company: by COMMIT it has an address and a telephone.
CREATE FUNCTION contacts_owner_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  p_person_id integer := CASE WHEN TG_TABLE_NAME = 'contacts_person' THEN NEW.id END;
  p_company_id integer := CASE WHEN TG_TABLE_NAME = 'contacts_company' THEN NEW.id END;
BEGIN
  PERFORM contacts_check_primary('contacts_address', 'address', true, p_person_id, p_company_id);
  PERFORM contacts_check_primary('contacts_telephone', 'telephone', true, p_person_id, p_company_id);
  RETURN NULL;
END $$;

-- Rule 6: strip spaces, dots, dashes, slashes and brackets, turn 00 into +, then insist on E.164.
-- National numbers (044 668 18 00) need a country: the service and the API normalise those.
CREATE FUNCTION contacts_telephone_normalise() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n text := regexp_replace(NEW.number, '[[:space:]().\-/]', '', 'g');
BEGIN
  IF n LIKE '00%' THEN
    n := '+' || substr(n, 3);
  END IF;
  IF n !~ '^\+[1-9][0-9]{6,14}$' THEN
    RAISE EXCEPTION USING
      ERRCODE = 'check_violation', CONSTRAINT = 'contacts_telephone_number_check', TABLE = 'contacts_telephone',
      COLUMN = 'number',
      MESSAGE = format('“%s” is not a telephone number in international format: start with + and the country code, e.g. +41 44 668 18 00.',
                       NEW.number);
  END IF;
  NEW.number := n;
  RETURN NEW;
END $$;

CREATE TRIGGER contacts_telephone_normalise BEFORE INSERT OR UPDATE OF number ON contacts_telephone
  FOR EACH ROW EXECUTE FUNCTION contacts_telephone_normalise();

-- The rules' triggers on the three kinds of rows. BEFORE triggers fire in name order:
-- "contacts_telephone_normalise" runs before "contacts_telephone_primary_write".
CREATE TRIGGER contacts_address_primary_write BEFORE INSERT OR UPDATE ON contacts_address
  FOR EACH ROW EXECUTE FUNCTION contacts_primary_before_write('address');
CREATE TRIGGER contacts_address_primary_delete BEFORE DELETE ON contacts_address
  FOR EACH ROW EXECUTE FUNCTION contacts_primary_before_delete('address', 'required');
CREATE CONSTRAINT TRIGGER contacts_address_primary_check AFTER INSERT OR UPDATE OR DELETE ON contacts_address
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION contacts_primary_after_change('address', 'required');

CREATE TRIGGER contacts_telephone_primary_write BEFORE INSERT OR UPDATE ON contacts_telephone
  FOR EACH ROW EXECUTE FUNCTION contacts_primary_before_write('telephone');
CREATE TRIGGER contacts_telephone_primary_delete BEFORE DELETE ON contacts_telephone
  FOR EACH ROW EXECUTE FUNCTION contacts_primary_before_delete('telephone', 'required');
CREATE CONSTRAINT TRIGGER contacts_telephone_primary_check AFTER INSERT OR UPDATE OR DELETE ON contacts_telephone
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION contacts_primary_after_change('telephone', 'required');

CREATE TRIGGER contacts_email_primary_write BEFORE INSERT OR UPDATE ON contacts_email
  FOR EACH ROW EXECUTE FUNCTION contacts_primary_before_write('e-mail address');
CREATE TRIGGER contacts_email_primary_delete BEFORE DELETE ON contacts_email
  FOR EACH ROW EXECUTE FUNCTION contacts_primary_before_delete('e-mail address', 'optional');
CREATE CONSTRAINT TRIGGER contacts_email_primary_check AFTER INSERT OR UPDATE OR DELETE ON contacts_email
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION contacts_primary_after_change('e-mail address', 'optional');

CREATE CONSTRAINT TRIGGER contacts_person_contacts_check AFTER INSERT ON contacts_person
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION contacts_owner_after_insert();
CREATE CONSTRAINT TRIGGER contacts_company_contacts_check AFTER INSERT ON contacts_company
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION contacts_owner_after_insert();

-- reverse
-- Undoes the above for `slipway migrate --to <an earlier migration>` (added after it shipped):
-- the rules' triggers, then their functions. Not CASCADE: if a later migration attached
-- slipway_touch_updated_at() to a table of its own, dropping it fails and this rolls back, rather
-- than silently taking that trigger away.
DROP TRIGGER contacts_company_contacts_check ON contacts_company;
DROP TRIGGER contacts_person_contacts_check ON contacts_person;
DROP TRIGGER contacts_email_primary_check ON contacts_email;
DROP TRIGGER contacts_email_primary_delete ON contacts_email;
DROP TRIGGER contacts_email_primary_write ON contacts_email;
DROP TRIGGER contacts_telephone_primary_check ON contacts_telephone;
DROP TRIGGER contacts_telephone_primary_delete ON contacts_telephone;
DROP TRIGGER contacts_telephone_primary_write ON contacts_telephone;
DROP TRIGGER contacts_address_primary_check ON contacts_address;
DROP TRIGGER contacts_address_primary_delete ON contacts_address;
DROP TRIGGER contacts_address_primary_write ON contacts_address;
DROP TRIGGER contacts_telephone_normalise ON contacts_telephone;
DROP TRIGGER contacts_attachment_touch ON contacts_attachment;
DROP TRIGGER contacts_email_touch ON contacts_email;
DROP TRIGGER contacts_telephone_touch ON contacts_telephone;
DROP TRIGGER contacts_address_touch ON contacts_address;
DROP TRIGGER contacts_company_touch ON contacts_company;
DROP TRIGGER contacts_person_touch ON contacts_person;
DROP FUNCTION contacts_telephone_normalise();
DROP FUNCTION contacts_owner_after_insert();
DROP FUNCTION contacts_primary_after_change();
DROP FUNCTION contacts_check_primary(text, text, boolean, integer, integer);
DROP FUNCTION contacts_primary_before_delete();
DROP FUNCTION contacts_primary_before_write();
DROP FUNCTION contacts_owner_name(integer, integer);
