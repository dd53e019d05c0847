#!/bin/sh
# Entrypoint of db-replica, a streaming hot standby of db on the official postgres image (seed
# 003: replication at the database level). Compose mounts it read-only and runs it with `sh`.
#
#   1. Write the replication password (SLIPWAY_REPLICATION_PASSWORD_FILE, a secret) to a
#      passfile next to PGDATA, at every start, so a changed secret is picked up by a restart.
#   2. Only when PGDATA has no PG_VERSION (an empty volume): wait, up to SLIPWAY_DB_WAIT_TIMEOUT
#      seconds (default 300), for the primary (SLIPWAY_PRIMARY_HOST, port SLIPWAY_PRIMARY_PORT) to
#      answer, then clone it with `pg_basebackup -X stream -R -C -S <slot>`: -C creates the
#      replication slot that keeps the WAL the standby still needs (capped on the primary by
#      max_slot_wal_keep_size). When the slot exists already (a volume lost and cloned again),
#      the clone reuses it. A clone that fails leaves an empty folder and exit 1: the restart
#      policy tries again, never on half a copy.
#   3. exec the official entrypoint: PGDATA is initialised, so it only starts postgres, which
#      finds standby.signal and streams from the primary. A restart never clones again.
set -eu

: "${PGDATA:=/var/lib/postgresql/data}"
primary=${SLIPWAY_PRIMARY_HOST:-db}
port=${SLIPWAY_PRIMARY_PORT:-5432}
user=${SLIPWAY_REPLICATION_USER:-replicator}
slot=${SLIPWAY_REPLICATION_SLOT:-db_replica}
secret=${SLIPWAY_REPLICATION_PASSWORD_FILE:?the replication password file}
timeout=${SLIPWAY_DB_WAIT_TIMEOUT:-300}
# Outside PGDATA, which pg_basebackup needs empty; written again at every start.
passfile="$(dirname "$PGDATA")/replication.pgpass"

say() { echo "slipway-standby: $*" >&2; }
as_postgres() { if [ "$(id -u)" = 0 ]; then gosu postgres "$@"; else "$@"; fi; }

write_passfile() {
  # hostname:port:database:username:password; `replication` is the database of streaming.
  as_postgres sh -c "umask 077 && printf '%s:%s:replication:%s:%s\n' '$primary' '$port' '$user' \"\$(cat '$secret')\" > '$passfile'"
}

mkdir -p "$PGDATA"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PGDATA"; fi
chmod 700 "$PGDATA"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  say "empty data folder: waiting up to ${timeout}s for the primary $primary:$port"
  waited=0
  until pg_isready -q -h "$primary" -p "$port"; do
    if [ "$waited" -ge "$timeout" ]; then
      say "the primary $primary:$port did not answer within ${timeout}s; giving up (the restart policy tries again)"
      exit 1
    fi
    sleep 2
    waited=$((waited + 2))
  done
  [ -s "$secret" ] || { say "the replication password file $secret is missing or empty"; exit 1; }
  find "$PGDATA" -mindepth 1 -delete
  write_passfile
  say "cloning $primary:$port with pg_basebackup (slot $slot)"
  errors="$(dirname "$PGDATA")/clone.err"
  clone() { as_postgres env PGPASSFILE="$passfile" pg_basebackup -h "$primary" -p "$port" -U "$user" \
    -D "$PGDATA" -X stream -R -S "$slot" --checkpoint=fast "$@"; }
  if ! clone -C 2>"$errors"; then
    if grep -q 'already exists' "$errors"; then
      say "the slot $slot exists already: cloning with it"
      find "$PGDATA" -mindepth 1 -delete
      write_passfile
      clone || { find "$PGDATA" -mindepth 1 -delete; say 'the clone failed'; exit 1; }
    else
      cat "$errors" >&2
      find "$PGDATA" -mindepth 1 -delete
      say 'the clone failed'
      exit 1
    fi
  fi
  # -R wrote primary_conninfo; the password stays in the passfile, never in the configuration.
  echo "primary_conninfo = 'host=$primary port=$port user=$user passfile=$passfile application_name=db-replica'" \
    | as_postgres tee -a "$PGDATA/postgresql.auto.conf" >/dev/null
  say 'cloned: starting as a hot standby'
else
  write_passfile
fi

exec docker-entrypoint.sh "$@"
