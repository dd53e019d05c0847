-- 0001_touch_updated_at: written by hand (it was part of 0006_primary_objects of the project-wide
-- folder). The core's shared database functions, which any app's migration may use after
-- `-- depends: core/0001_touch_updated_at`.
-- replaces: 0006_primary_objects
--
-- updated_at for writes outside Drizzle (columns.ts timestamps()). A value the UPDATE sets
-- itself is kept, so a fixture can restore its timestamps.
CREATE OR REPLACE FUNCTION slipway_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END $$;

-- reverse
-- Not CASCADE: while an app's trigger still calls it, dropping it fails and this rolls back.
DROP FUNCTION slipway_touch_updated_at();
