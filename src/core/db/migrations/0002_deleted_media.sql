-- 0002_deleted_media: written by hand (it was part of 0007_attachment_files of the project-wide
-- folder). Not a model but framework machinery, like slipway_migrations: a queue of files under
-- MEDIA_ROOT to delete once the transaction that deleted their rows has committed, which any
-- app's file rows may feed from a trigger (see contacts/0003_attachment_files).
-- replaces: 0007_attachment_files

CREATE TABLE slipway_deleted_media (
  id bigserial PRIMARY KEY,
  stored_name varchar(100) NOT NULL,
  deleted_at timestamptz NOT NULL DEFAULT now()
);

-- reverse
-- Files still queued for removal are forgotten with the queue: they stay under MEDIA_ROOT.
DROP TABLE slipway_deleted_media;
