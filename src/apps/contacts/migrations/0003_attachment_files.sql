-- 0003_attachment_files: written by hand (it was 0007_attachment_files of the project-wide folder).
-- replaces: 0007_attachment_files
-- depends: core/0002_deleted_media
-- It runs in one transaction; the models' snapshot is in meta/0003_attachment_files.json.
--
-- A deleted attachment row must remove its file AFTER the transaction commits: never before
-- (a rolled-back deletion keeps its row, so it must keep its file too). Whatever deletes the row
-- (the contacts service, the admin, the API, the cascade from a deleted person, psql), this
-- trigger queues the file's name in the same transaction; the queue row exists only once that
-- transaction has committed, and the contacts app removes the queued files after it
-- (removeDeletedFiles in src/apps/contacts/attachments/service.ts). Not a model but framework
-- machinery of the core (core/0002_deleted_media): a queue of files under MEDIA_ROOT to delete,
-- which any app's file rows may feed the same way.

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
-- Undoes the above for `slipway migrate --to <an earlier migration>` (added after it shipped).
DROP TRIGGER contacts_attachment_file_gone ON contacts_attachment;
DROP FUNCTION contacts_attachment_file_gone();
