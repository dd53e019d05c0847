#!/bin/sh
# Entrypoint wrapper for the official postgres image (seed 000: "the database should not be
# created until storage and secrets are available"). Compose and Swarm mount it as a config and
# run it with `sh`, so the image stays the official one.
#
#   1. Wait, up to SLIPWAY_DB_WAIT_TIMEOUT seconds (default 120), until
#      - the data volume is mounted at SLIPWAY_DB_VOLUME (default /var/lib/postgresql/data), and
#      - the password file POSTGRES_PASSWORD_FILE exists and is not empty (when that is set).
#      One log line says what it waits for, another when it is there or why it gave up.
#   2. Give up with exit 1 and the reason when the timeout passes: initialising on the container's
#      own disk, or with no password, would create a database that the next start loses or that
#      nobody can log in to. The restart policy tries again later.
#   3. exec the official entrypoint (SLIPWAY_DB_ENTRYPOINT, default docker-entrypoint.sh) with the
#      same arguments. It initialises only an empty data folder, so a restart on an initialised
#      volume never initialises again.
#
# SLIPWAY_DB_VOLUME= (empty) skips the mount check, e.g. for a data folder that is not a volume.
set -eu

timeout=${SLIPWAY_DB_WAIT_TIMEOUT:-120}
volume=${SLIPWAY_DB_VOLUME-/var/lib/postgresql/data}
secret=${POSTGRES_PASSWORD_FILE:-}
official=${SLIPWAY_DB_ENTRYPOINT:-docker-entrypoint.sh}

say() { echo "slipway-db: $*" >&2; }

# A mount point is a line of /proc/self/mountinfo whose fifth field is the path.
mounted() { [ -z "$volume" ] || awk -v p="$volume" '$5 == p { found = 1 } END { exit !found }' /proc/self/mountinfo; }
has_secret() { [ -z "$secret" ] || [ -s "$secret" ]; }

# What is still missing, as one line.
missing() {
  why=''
  mounted || why="the data volume is not mounted at $volume"
  if [ -n "$secret" ] && ! [ -e "$secret" ]; then
    why="${why:+$why; }the password file $secret does not exist"
  elif ! has_secret; then
    why="${why:+$why; }the password file $secret is empty"
  fi
  echo "$why"
}

if ! mounted || ! has_secret; then
  say "waiting up to ${timeout}s: $(missing)"
  start=$(date +%s)
  while ! mounted || ! has_secret; do
    if [ $(($(date +%s) - start)) -ge "$timeout" ]; then
      say "gave up after ${timeout}s: $(missing)"
      exit 1
    fi
    sleep 1
  done
  say "storage and secret ready after $(($(date +%s) - start))s"
fi

exec "$official" "$@"
