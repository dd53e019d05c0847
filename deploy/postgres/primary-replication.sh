#!/bin/sh
# Lets db-replica stream from db: the replication role, its password from the secret
# SLIPWAY_REPLICATION_PASSWORD_FILE, a pg_hba.conf line for replication connections, and
# max_slot_wal_keep_size (ALTER SYSTEM) so a standby that is gone cannot fill the disk, and
# wal_log_hints, which pg_rewind needs to bring this server back as a standby after a failover.
# The official image runs it once, when it initialises an empty volume
# (/docker-entrypoint-initdb.d). On a database initialised before, run it by hand:
#   docker compose -f compose.prod.yaml exec -u postgres db sh /docker-entrypoint-initdb.d/50-replication.sh
#   docker compose -f compose.prod.yaml exec -u postgres db psql -U slipway -d slipway -c 'SELECT pg_reload_conf()'
# It can run again safely: the role's password is set again, the pg_hba.conf line added once.
set -eu
user=${SLIPWAY_REPLICATION_USER:-replicator}
secret=${SLIPWAY_REPLICATION_PASSWORD_FILE:?the replication password file}
[ -s "$secret" ] || { echo "slipway-db: the replication password file $secret is missing or empty" >&2; exit 1; }

psql -v ON_ERROR_STOP=1 -U "${POSTGRES_USER:-postgres}" -d "${POSTGRES_DB:-postgres}" \
  -v user="$user" -v password="$(cat "$secret")" <<'SQL'
SELECT format('CREATE ROLE %I WITH REPLICATION LOGIN', :'user')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I WITH REPLICATION LOGIN PASSWORD %L', :'user', :'password') \gexec
-- A slot keeps WAL for a standby that is away; past 2 GB the slot is given up instead of the disk.
ALTER SYSTEM SET max_slot_wal_keep_size = '2GB';
-- After a failover, pg_rewind can turn this server into a standby of the promoted one (from the
-- next restart on; at initialisation that is the first real start).
ALTER SYSTEM SET wal_log_hints = on;
SQL

hba="${PGDATA:-/var/lib/postgresql/data}/pg_hba.conf"
line="host replication $user all scram-sha-256"
grep -qxF "$line" "$hba" || echo "$line" >> "$hba"
