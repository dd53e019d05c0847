#!/bin/sh
# The failover runbook of compose.prod.yaml as a script (README: Replication, Failover). Run it
# from the folder of compose.prod.yaml, on the Docker host:
#
#   sh deploy/postgres/failover.sh promote [NEW]    fence the other server (`compose stop`), then
#                                                    promote NEW (default db-replica) with
#                                                    pg_promote() and checkpoint it
#   sh deploy/postgres/failover.sh rejoin [OLD]     bring OLD (default db), the fenced old primary,
#                                                    back as a streaming standby of the other one
#   sh deploy/postgres/failover.sh switchover [NEW] planned: promote NEW, then rejoin the other
#                                                    (e.g. `switchover db` after a failover puts
#                                                    the roles back as compose.prod.yaml names them)
#   sh deploy/postgres/failover.sh status           which server is the primary, who streams
#
# The services keep their names: after `promote` + `rejoin`, db-replica is the primary and db its
# standby. web (SQL_HOST=db,db-replica) and the backup service find the writable one by
# themselves; `switchover db` later makes db the primary again.
#
# rejoin: 1. stops OLD; 2. on NEW (through `exec`, the local socket, as the superuser): CHECKPOINT
# (until the checkpoint after a promotion, pg_rewind sees the old timeline and rewinds nothing),
# a replication slot named after OLD, and the four functions pg_rewind reads files with granted
# to the replication role, so that no superuser password is needed; 3. in a one-off container on
# OLD's volume, as postgres: pg_rewind against NEW as the replication role (password from the
# secret SLIPWAY_REPLICATION_PASSWORD_FILE, through a passfile), then standby.signal,
# primary_conninfo and primary_slot_name; 4. starts OLD and waits until NEW shows it streaming.
# pg_rewind needs wal_log_hints, which primary-replication.sh turns on, and OLD's WAL back to
# the last checkpoint before the servers diverged; when that is recycled (a checkpoint on OLD
# after the divergence, its clean stop included), pg_rewind refuses, and OLD's volume is
# emptied and cloned afresh from NEW with pg_basebackup (as long as the database takes to copy).
# Either way the commits OLD took after the divergence are dropped (README: what asynchronous
# replication can lose).
#
# SLIPWAY_COMPOSE: the compose command (default `docker compose -f compose.prod.yaml`, or
# docker-compose where the plugin is missing);
# SLIPWAY_DB_SUPERUSER / SLIPWAY_DB_NAME: POSTGRES_USER and POSTGRES_DB (default slipway);
# SLIPWAY_REPLICATION_USER: the replication role (default replicator).
set -eu

if [ -n "${SLIPWAY_COMPOSE:-}" ]; then
  compose=$SLIPWAY_COMPOSE
elif docker compose version >/dev/null 2>&1; then
  compose='docker compose -f compose.prod.yaml'
else
  compose='docker-compose -f compose.prod.yaml'
fi
superuser=${SLIPWAY_DB_SUPERUSER:-slipway}
dbname=${SLIPWAY_DB_NAME:-slipway}
repluser=${SLIPWAY_REPLICATION_USER:-replicator}
timeout=${SLIPWAY_FAILOVER_TIMEOUT:-60}

say() { echo "failover: $*" >&2; }
die() {
  say "$*"
  exit 1
}
# The other service of the pair.
other() { if [ "$1" = db ]; then echo db-replica; else echo db; fi; }
# One SQL statement on a running service, as the superuser over the local socket.
sql() { $compose exec -T -u postgres "$1" psql -X -q -t -A -v ON_ERROR_STOP=1 -U "$superuser" -d "$dbname" -c "$2" | tr -d '\r'; }
is_primary() { [ "$(sql "$1" 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]; }

promote() {
  new=$1 old=$(other "$1")
  say "fencing $old: compose stop $old"
  $compose stop "$old" >/dev/null 2>&1 || say "could not stop $old: make sure it stays off before going on"
  if is_primary "$new"; then
    say "$new is a primary already"
  else
    say "promoting $new"
    [ "$(sql "$new" "SELECT pg_promote(true, $timeout)")" = t ] || die "$new was not promoted within ${timeout}s"
  fi
  sql "$new" CHECKPOINT >/dev/null || die "CHECKPOINT on $new failed"
  say "$new is the primary; web follows it by itself. Next: sh $0 rejoin $old"
}

rejoin() {
  old=$1 new=$(other "$1")
  slot=$(echo "$old" | tr -c 'a-z0-9_\n' '_')
  is_primary "$new" || die "$new is not a running primary: promote it first (sh $0 promote $new)"
  say "stopping $old"
  $compose stop "$old" >/dev/null 2>&1 || die "could not stop $old"
  say "preparing $new: CHECKPOINT, slot $slot, pg_rewind's functions for $repluser"
  sql "$new" "CHECKPOINT" >/dev/null
  sql "$new" "SELECT pg_create_physical_replication_slot('$slot', true)
    WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '$slot')" >/dev/null
  sql "$new" "GRANT EXECUTE ON FUNCTION pg_catalog.pg_ls_dir(text, boolean, boolean),
    pg_catalog.pg_stat_file(text, boolean), pg_catalog.pg_read_binary_file(text),
    pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean) TO \"$repluser\"" >/dev/null
  say "pg_rewind of $old's volume against $new (else a fresh clone)"
  # Runs in the one-off container, as root at first; $1 new, $2 user, $3 slot, $4 app name.
  # shellcheck disable=SC2016 # expanded by the container's shell
  inner='set -eu
    : "${PGDATA:=/var/lib/postgresql/data}"
    secret=${SLIPWAY_REPLICATION_PASSWORD_FILE:?the replication password file}
    [ -s "$secret" ] || { echo "the replication password file $secret is missing or empty" >&2; exit 1; }
    as_postgres() { if [ "$(id -u)" = 0 ]; then gosu postgres "$@"; else "$@"; fi; }
    [ -s "$PGDATA/PG_VERSION" ] || { echo "$PGDATA is empty: nothing to rewind (start it with a fresh clone)" >&2; exit 1; }
    # hostname:port:database:username:password, for pg_rewind (a database) and streaming (replication).
    pass="$PGDATA/replication.pgpass"
    write_pass() { as_postgres sh -c "umask 077 && printf \"%s:5432:*:%s:%s\n\" \"$1\" \"$2\" \"\$(cat \"$secret\")\" > \"$pass\""; }
    write_pass "$1" "$2"
    cp "$pass" /tmp/rewind.pgpass && chown postgres /tmp/rewind.pgpass && chmod 600 /tmp/rewind.pgpass
    if ! as_postgres env PGPASSFILE=/tmp/rewind.pgpass pg_rewind --target-pgdata="$PGDATA" \
      --source-server="host=$1 port=5432 user=$2 dbname='"$dbname"'"; then
      # Typically: its WAL back to the last checkpoint before the divergence is recycled.
      echo "pg_rewind could not rewind: cloning $1 afresh with pg_basebackup (slot $3)" >&2
      find "$PGDATA" -mindepth 1 -delete
      as_postgres env PGPASSFILE=/tmp/rewind.pgpass pg_basebackup -h "$1" -p 5432 -U "$2" \
        -D "$PGDATA" -X stream -S "$3" --checkpoint=fast || { find "$PGDATA" -mindepth 1 -delete; exit 1; }
    fi
    # pg_rewind copied the new primary'"'"'s files, the passfile gone with them: again, and the
    # standby settings (the last line of a setting wins; older ones are dropped).
    write_pass "$1" "$2"
    rm -rf "$PGDATA"/pg_replslot/*
    sed -i "/^primary_conninfo\|^primary_slot_name/d" "$PGDATA/postgresql.auto.conf"
    printf "%s\n" "primary_conninfo = '"'"'host=$1 port=5432 user=$2 passfile=$pass application_name=$4'"'"'" \
      "primary_slot_name = '"'"'$3'"'"'" | as_postgres tee -a "$PGDATA/postgresql.auto.conf" >/dev/null
    as_postgres touch "$PGDATA/standby.signal"'
  $compose run --rm --no-deps -T --entrypoint sh "$old" -c "$inner" rejoin "$new" "$repluser" "$slot" "$old" ||
    die "neither pg_rewind nor a fresh clone of $old worked: $old stays stopped"
  say "starting $old as a standby of $new"
  $compose start "$old" >/dev/null 2>&1 || $compose up -d --no-deps "$old" >/dev/null 2>&1 || die "could not start $old"
  waited=0
  until [ "$(sql "$new" "SELECT state FROM pg_stat_replication WHERE application_name = '$old'" 2>/dev/null)" = streaming ]; do
    [ "$waited" -lt "$timeout" ] || die "$old does not stream from $new after ${timeout}s: see compose logs $old"
    sleep 1
    waited=$((waited + 1))
  done
  say "$old streams from $new (slot $slot)"
}

status() {
  for s in db db-replica; do
    role=$(sql "$s" "SELECT CASE WHEN pg_is_in_recovery() THEN 'standby' ELSE 'primary' END" 2>/dev/null) || role=down
    echo "$s: $role"
    [ "$role" != primary ] || sql "$s" "SELECT '  streams to ' || application_name || ': ' || state FROM pg_stat_replication"
  done
}

case "${1:-}" in
promote) promote "${2:-db-replica}" ;;
rejoin) rejoin "${2:-db}" ;;
switchover)
  new=${2:-db}
  promote "$new"
  rejoin "$(other "$new")"
  ;;
status) status ;;
*)
  echo "usage: sh $0 promote [db-replica] | rejoin [db] | switchover [db] | status" >&2
  exit 2
  ;;
esac
