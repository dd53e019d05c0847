-- 0007_attachment_files: written by hand.
-- It runs in one transaction; the models' snapshot is in meta/0007_attachment_files.json.
--
-- A deleted attachment row must remove its file AFTER the transaction commits: never before
-- (a rolled-back deletion keeps its row, so it must keep its file too). Whatever deletes the row
-- (the contacts service, the admin, the API, the cascade from a deleted person, psql), this
-- trigger queues the file's name in the same transaction; the queue row exists only once that
-- transaction has committed, and the contacts app removes the queued files after it
-- (removeDeletedFiles in src/apps/contacts/attachments/service.ts). Not a model but framework
-- machinery, like slipway_migrations: a queue of files under MEDIA_ROOT to delete, which any
-- app's file rows may feed the same way.

CREATE TABLE slipway_deleted_media (
  id bigserial PRIMARY KEY,
  stored_name varchar(100) NOT NULL,
  deleted_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION contacts_attachment_file_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR NEW.stored_name IS DISTINCT FROM OLD.stored_name THEN
    INSERT INTO slipway_deleted_media (stored_name) VALUES (OLD.stored_name);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER contacts_attachment_file_gone AFTER DELETE OR UPDATE OF stored_name ON contacts_attachment
  FOR EACH ROW EXECUTE FUNCTION contacts_attachment_file_gone();

-- reverse
-- Undoes the above for `slipway migrate --to <an earlier migration>` (added after 0007 shipped).
-- Files still queued for removal are forgotten with the queue: they stay under MEDIA_ROOT.
DROP TRIGGER contacts_attachment_file_gone ON contacts_attachment;
DROP FUNCTION contacts_attachment_file_gone();
DROP TABLE slipway_deleted_media;
