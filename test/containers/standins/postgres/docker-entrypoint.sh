#!/bin/bash
# Test-only entrypoint of the postgres:15 stand-in, written from the official image's documented
# behaviour (not its script):
#   1. `postgres` as root: make PGDATA owned by postgres, then re-run this script as postgres.
#   2. An empty PGDATA is initialised once: initdb with POSTGRES_USER and the password from
#      POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE (scram-sha-256 for TCP), POSTGRES_DB created,
#      /docker-entrypoint-initdb.d/*.sh and *.sql run against a server listening on no TCP port.
#   3. A PGDATA that holds a database is never touched ("Skipping initialization").
#   4. exec the command, so postgres is PID 1 and gets the stop signal.
set -Eeuo pipefail

if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi

say() { echo "$(date -u '+%Y-%m-%d %H:%M:%S UTC') [entrypoint] $*"; }

if [ "$1" != 'postgres' ]; then exec "$@"; fi

if [ "$(id -u)" = '0' ]; then
	mkdir -p "$PGDATA"
	chown postgres:postgres "$PGDATA"
	chmod 700 "$PGDATA"
	exec gosu postgres "$BASH_SOURCE" "$@"
fi

: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
if [ -n "${POSTGRES_PASSWORD:-}" ] && [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
	say 'error: both POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE are set (but are exclusive)' >&2
	exit 1
fi
if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then POSTGRES_PASSWORD="$(< "$POSTGRES_PASSWORD_FILE")"; fi

if [ -s "$PGDATA/PG_VERSION" ]; then
	say 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
	exec "$@"
fi

if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != 'trust' ]; then
	say 'error: Database is uninitialized and superuser password is not specified.' >&2
	say '  Set POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE (or POSTGRES_HOST_AUTH_METHOD=trust).' >&2
	exit 1
fi

say "initialising the database in $PGDATA for user $POSTGRES_USER"
initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}") \
	--auth-local=trust --auth-host=scram-sha-256 ${POSTGRES_INITDB_ARGS:-} >/dev/null
printf 'host all all all %s\n' "${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >> "$PGDATA/pg_hba.conf"

pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start >/dev/null
export PGUSER="$POSTGRES_USER" PGPASSWORD="${POSTGRES_PASSWORD:-}"
psql=(psql -v ON_ERROR_STOP=1 --no-psqlrc --dbname postgres)
if [ "$POSTGRES_DB" != 'postgres' ]; then
	"${psql[@]}" --set db="$POSTGRES_DB" -q <<<'CREATE DATABASE :"db";'
fi
for f in /docker-entrypoint-initdb.d/*; do
	case "$f" in
		*.sh) say "running $f"; . "$f" ;;
		*.sql) say "running $f"; "${psql[@]}" --dbname "$POSTGRES_DB" -f "$f" ;;
		*) if [ -e "$f" ]; then say "ignoring $f"; fi ;;
	esac
done
pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
unset PGPASSWORD
say 'PostgreSQL init process complete; ready for start up.'
exec "$@"
