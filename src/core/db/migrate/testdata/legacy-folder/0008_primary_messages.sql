-- 0008_primary_messages: written by hand.
-- It runs in one transaction; the models' snapshot is in meta/0008_primary_messages.json (the
-- models did not change).
--
-- The messages of the primary-object rules of 0006_primary_objects, as sentences: what the
-- database refused, then what to do. They are shown as they are on forms and through the API,
-- and after "Nothing was deleted." in the admin, where "…, so it cannot be deleted: make another
-- address primary first." made a chain of colons. Now: "This is the primary address of Ada
-- Lovelace, so it cannot be deleted. Make another address primary first." The three functions
-- are those of 0006 with only their messages changed, replaced in place (the triggers keep
-- calling them); the SQLSTATEs and the rules' names (CONSTRAINT) are the same.

CREATE OR REPLACE FUNCTION contacts_primary_before_write() RETURNS trigger LANGUAGE plpgsql AS $$
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
      MESSAGE = format('This is the primary %s of %s, so it cannot be moved to another owner. Make another %s primary first.',
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

CREATE OR REPLACE FUNCTION contacts_primary_before_delete() RETURNS trigger LANGUAGE plpgsql AS $$
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
      MESSAGE = format('This is the primary %s of %s, so it cannot be deleted. Make another %s primary first.',
                       noun, owner_name, noun);
  ELSIF TG_ARGV[1] = 'required' THEN
    RAISE EXCEPTION USING
      ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_required', TABLE = TG_TABLE_NAME,
      MESSAGE = format('This is the only %s of %s, who must keep one, so it cannot be deleted. Add another %s and make it primary first, or delete %s.',
                       noun, owner_name, noun, owner_name);
  END IF;
  RETURN OLD;
END $$;

CREATE OR REPLACE FUNCTION contacts_check_primary(tbl text, noun text, required boolean, p_person_id integer, p_company_id integer)
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
      MESSAGE = format('%s must have exactly one primary %s (it has %s). Make one of them primary.',
                       owner_name, noun, primaries);
  END IF;
END $$;

-- reverse
-- Undoes the above for `slipway migrate --to <an earlier migration>` (added after 0008 shipped):
-- the three functions exactly as 0006_primary_objects wrote them, with their earlier messages.
CREATE OR REPLACE FUNCTION contacts_primary_before_write() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION contacts_primary_before_delete() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION contacts_check_primary(tbl text, noun text, required boolean, p_person_id integer, p_company_id integer)
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
