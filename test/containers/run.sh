#!/usr/bin/env bash
# npm run test:containers: the image and both compose files, run for real on a Docker engine.
#
#   1. Find a Docker engine, or start dockerd in the background (stopped again at the end).
#   2. Build the stand-in base images that are missing (standins/build.sh: no registry needed).
#   3. Build the image with the legacy builder and with BuildKit; check its size and its user.
#   4. Production: compose.prod.yaml with HAProxy in place of Traefik (compose.haproxy.yaml),
#      web scaled to 3; through the proxy: pages, round robin, one replica migrated, exec,
#      healthy, non-root; backups (a throwaway age key): exec web slipway backup create, list,
#      verify, a row and a media file deleted, restore, both back; the backup service's
#      schedule, and one scheduled run; `stop` exits 0 within the grace period; a second `up`
#      keeps the data. Replication: db-replica clones db and streams (pg_stat_replication, a row
#      written on db read on db-replica), web's /readyz shows its state and lag, the restart
#      does not clone again (same volume: a marker file, one clone in its log), and with db
#      stopped the polls pages answer 200 from db-replica while a vote gets 503; after
#      `failover.sh promote` (pg_promote() on db-replica) votes succeed again, without restarting
#      web; `failover.sh rejoin db` brings db back as a standby that streams from db-replica.
#   5. The Postgres wrapper in the real image: a missing secret exits 1 with the reason.
#   6. Development: compose.yaml on a copy of the checkout; a source edit shows without restart.
#
# Skips (exit 0, with the reason) where no engine can be had, unless CI=true: then it fails.
# Only 127.0.0.1 is contacted; everything it creates is named slipway-ctest-* and removed at the
# end, except images (kept as the cache for the next run). Budget: 20 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
T0=$(date +%s)
BUDGET=${SLIPWAY_CONTAINERS_BUDGET:-1200}
IMAGE=slipway-ctest:latest
PROD=slipway-ctest-prod
DEV=slipway-ctest-dev
PASSED=0
SUMMARY= # the closing line, printed last, after the clean-up

log() { printf '[containers %4ss] %s\n' "$(($(date +%s) - T0))" "$*"; }
ok() {
  PASSED=$((PASSED + 1))
  log "ok: $*"
}
fail() {
  log "FAIL: $*"
  SUMMARY="containers: $PASSED passed, 1 failed"
  exit 1
}
skip() {
  if [ "${CI:-}" = true ]; then fail "$* (CI=true: the container test must run)"; fi
  log "SKIP: $*"
  SUMMARY="containers: 0 passed, 0 failed, 1 skipped"
  exit 0
}
left() { echo $((BUDGET - ($(date +%s) - T0))); }

# Retries `cmd...` every second until it succeeds, for at most $1 seconds (and the budget).
wait_for() {
  local limit=$1
  shift
  local i
  for ((i = 0; i < limit; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    [ "$(left)" -gt 0 ] || fail "out of the ${BUDGET}s budget"
    sleep 1
  done
  return 1
}

WORK="$(mktemp -d "${TMPDIR:-/tmp}/slipway-ctest.XXXXXX")"
DOCKERD_PID=
COMPOSE=()
cleanup() {
  local rc=$?
  set +e
  if [ ${#COMPOSE[@]} -gt 0 ]; then
    [ -d "$WORK/prod" ] && (cd "$WORK/prod" && prod down -v --remove-orphans >/dev/null 2>&1)
    [ -d "$WORK/dev" ] && (cd "$WORK/dev" && dev down -v --remove-orphans >/dev/null 2>&1)
    docker rm -f slipway-ctest-pglite slipway-ctest-nosecret >/dev/null 2>&1
    docker volume rm slipway-ctest-nosecret >/dev/null 2>&1
  fi
  if [ -n "$DOCKERD_PID" ]; then
    log "stopping the dockerd this test started (pid $DOCKERD_PID)"
    kill "$DOCKERD_PID" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 1; done
  fi
  rm -rf "$WORK"
  [ -n "$SUMMARY" ] || SUMMARY="containers: $PASSED passed, 1 failed"
  echo "$SUMMARY"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. An engine ------------------------------------------------------------------------------
for tool in curl openssl git tar; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
command -v docker >/dev/null || skip "no docker CLI (Debian: apt-get install docker.io docker-compose)"
if ! docker info >/dev/null 2>&1; then
  command -v dockerd >/dev/null || skip "no Docker engine running and no dockerd to start"
  [ "$(id -u)" = 0 ] || skip "no Docker engine running, and starting dockerd needs root"
  log "starting dockerd in the background (log: dockerd.log in the work folder)"
  dockerd >"$WORK/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  if ! wait_for 60 docker info; then
    tail -5 "$WORK/dockerd.log" >&2
    skip "dockerd did not start within 60 s"
  fi
fi
if docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
elif command -v docker-compose >/dev/null; then
  COMPOSE=(docker-compose)
else
  skip "neither 'docker compose' nor docker-compose is installed"
fi
prod() { "${COMPOSE[@]}" -p "$PROD" -f compose.prod.yaml -f test/containers/compose.haproxy.yaml "$@" 2> >(grep -v 'are not supported and have been ignored' >&2); }
dev() { "${COMPOSE[@]}" -p "$DEV" -f compose.yaml "$@"; }
log "engine: $(docker version --format 'Docker {{.Server.Version}}'), compose: $("${COMPOSE[@]}" version --short 2>/dev/null || echo '?')"

# Ports on 127.0.0.1 that nothing listens on.
free_port() {
  local p
  for p in $(seq "$1" $(($1 + 200))); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  fail "no free port from $1"
}
HTTP_PORT=$(free_port 18080)
DEV_WEB_PORT=$(free_port $((HTTP_PORT + 1)))
DEV_DB_PORT=$(free_port $((DEV_WEB_PORT + 1)))

# --- 2. Base images ------------------------------------------------------------------------------
missing=()
for tag in node:22-bookworm-slim postgres:15 slipway-test-haproxy:latest; do
  docker image inspect "$tag" >/dev/null 2>&1 || missing+=("$tag")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "building stand-ins for ${missing[*]}"
  if ! docker image inspect debian:bookworm-slim >/dev/null 2>&1; then
    command -v mmdebstrap >/dev/null || skip "no base images and no mmdebstrap to build them (apt-get install mmdebstrap)"
  fi
  bash test/containers/standins/build.sh || fail "building the stand-in base images"
fi
ok "base images: node:22-bookworm-slim, postgres:15, HAProxy"

# --- 3. The image ----------------------------------------------------------------------------------
log "building $IMAGE with the legacy builder"
start=$(date +%s)
DOCKER_BUILDKIT=0 docker build -q -t "$IMAGE" . >"$WORK/build.log" 2>&1 || {
  tail -30 "$WORK/build.log"
  fail "docker build (legacy builder)"
}
ok "legacy builder: built in $(($(date +%s) - start)) s"

# BuildKit: `docker buildx` where installed; Docker 20.10's own CLI has it built in.
buildkit=()
if docker buildx version >/dev/null 2>&1; then
  buildkit=(docker buildx build --load)
else
  for cli in /usr/bin/docker /usr/local/bin/docker; do
    if [ -x "$cli" ] && "$cli" version --format '{{.Client.Version}}' 2>/dev/null | grep -Eq '^(1[89]|20)\.'; then
      buildkit=(env DOCKER_BUILDKIT=1 "$cli" build)
      break
    fi
  done
fi
if [ ${#buildkit[@]} -gt 0 ]; then
  log "building with BuildKit (${buildkit[*]})"
  start=$(date +%s)
  "${buildkit[@]}" -q -t slipway-ctest:buildkit . >"$WORK/buildkit.log" 2>&1 || {
    tail -30 "$WORK/buildkit.log"
    fail "BuildKit build"
  }
  ok "BuildKit: built in $(($(date +%s) - start)) s"
  docker rmi slipway-ctest:buildkit >/dev/null 2>&1 || true
else
  log "BuildKit: no buildx and no Docker 20.10 CLI here, not tried"
fi

size=$(docker image inspect "$IMAGE" --format '{{.Size}}')
base=$(docker image inspect node:22-bookworm-slim --format '{{.Size}}')
own=$(((size - base) / 1000000))
[ "$own" -lt 80 ] || fail "Slipway's layers are ${own} MB over the base (target: under 80 MB)"
ok "image $((size / 1000000)) MB: base $((base / 1000000)) MB + Slipway's layers ${own} MB"

[ "$(docker run --rm --entrypoint id "$IMAGE" -u)" != 0 ] || fail "the image runs as root"
# The PostgreSQL client programs for `slipway backup`, without Debian's client packages and the
# perl they bring: the Debian packages the image adds to its base are listed and checked.
clients=$(docker run --rm --entrypoint sh "$IMAGE" -c \
  'for p in pg_dump pg_restore psql; do /usr/lib/postgresql/15/bin/$p --version || exit 1; done' 2>&1) ||
  fail "pg_dump, pg_restore and psql 15 in the image: $clients"
packages() { docker run --rm --entrypoint dpkg-query "$1" -W -f '${Package}\n' | sort; }
added=$(comm -13 <(packages node:22-bookworm-slim) <(packages "$IMAGE") | tr '\n' ' ')
grep -Eq '(^| )(perl|libperl|postgresql)' <<<"$added" && fail "the image adds Debian packages it should not: $added"
ok "the image has $(echo "$clients" | tr '\n' ',' | sed 's/,$//; s/,/, /g'); Debian packages added: $added"
ok "the image runs as $(docker run --rm --entrypoint id "$IMAGE" -un) (uid $(docker run --rm --entrypoint id "$IMAGE" -u))"

# No database configured: refused in one line, unless SLIPWAY_ALLOW_EMBEDDED=1.
key=$(openssl rand -hex 32)
out=$(docker run --rm -e SECRET_KEY="$key" "$IMAGE" 2>&1) && code=0 || code=$?
[ "$code" = 1 ] && [ "$(echo "$out" | grep -c .)" = 1 ] && grep -q 'SLIPWAY_ALLOW_EMBEDDED=1' <<<"$out" ||
  fail "the image with no database exited $code: $out"
ok "with no database configured the image refuses PGlite: $out"
docker run -d --name slipway-ctest-pglite -e SECRET_KEY="$key" -e SLIPWAY_ALLOW_EMBEDDED=1 "$IMAGE" >/dev/null
wait_for 90 docker exec slipway-ctest-pglite node /app/bin/healthcheck.js || {
  docker logs slipway-ctest-pglite 2>&1 | tail -20
  fail "the image on PGlite (SLIPWAY_ALLOW_EMBEDDED=1) did not answer /livez within 90 s"
}
out=$(docker exec slipway-ctest-pglite slipway check 2>&1 || true)
grep -q 'models: not checked here' <<<"$out" ||
  fail "slipway check in the image did not skip the model drift check (no drizzle-kit there): $out"
docker stop -t 30 slipway-ctest-pglite >/dev/null
code=$(docker inspect --format '{{.State.ExitCode}}' slipway-ctest-pglite)
docker rm slipway-ctest-pglite >/dev/null
[ "$code" = 0 ] || fail "the image on PGlite exited $code on docker stop"
ok "with SLIPWAY_ALLOW_EMBEDDED=1 it serves on PGlite, 'slipway check' runs, docker stop exits 0"

# --- 4. Production compose ------------------------------------------------------------------------
# A project folder of its own: generated secrets, never the checkout's secrets/.
mkdir -p "$WORK/prod/secrets" "$WORK/prod/deploy/postgres" "$WORK/prod/test/containers"
cp compose.prod.yaml "$WORK/prod/"
cp deploy/postgres/*.sh "$WORK/prod/deploy/postgres/"
cp test/containers/compose.haproxy.yaml test/containers/haproxy.cfg "$WORK/prod/test/containers/"
openssl rand -hex 24 >"$WORK/prod/secrets/db_password.txt"
openssl rand -hex 32 >"$WORK/prod/secrets/secret_key.txt"
openssl rand -hex 24 >"$WORK/prod/secrets/db_replication_password.txt"
# A throwaway age key: the public half is the backup_recipients secret, the identity stays here.
if command -v age-keygen >/dev/null; then
  age-keygen -o "$WORK/backup-key.txt" 2>/dev/null
  age-keygen -y "$WORK/backup-key.txt" >"$WORK/prod/secrets/backup_recipients.txt"
else
  (cd "$ROOT" && node --input-type=module -e "import { generateIdentity, identityToRecipient } from 'age-encryption';
    const id = await generateIdentity(); console.log(id); console.error(await identityToRecipient(id));") \
    >"$WORK/backup-key.txt" 2>"$WORK/prod/secrets/backup_recipients.txt" || fail "no age-keygen, and age-encryption failed"
fi
grep -q '^age1' "$WORK/prod/secrets/backup_recipients.txt" || fail "no age recipient generated"
chmod 644 "$WORK/prod/secrets/"*.txt
export SLIPWAY_IMAGE=$IMAGE SLIPWAY_HTTP_PORT=$HTTP_PORT SLIPWAY_DOMAIN=localhost
URL="http://127.0.0.1:$HTTP_PORT"
cd "$WORK/prod"

web_ids() { prod ps -q web; }
all_healthy() {
  local ids
  ids=$(web_ids)
  [ "$(echo "$ids" | grep -c .)" = 3 ] || return 1
  # shellcheck disable=SC2086
  [ "$(docker inspect --format '{{.State.Health.Status}}' $ids | sort -u)" = healthy ]
}
ready() { curl -fsS -m 5 "$URL/readyz" >/dev/null; }

log "compose.prod.yaml: up --scale web=3 (proxy on 127.0.0.1:$HTTP_PORT)"
prod up -d --scale web=3 >"$WORK/up1.log" 2>&1 || {
  cat "$WORK/up1.log"
  fail "compose up"
}
wait_for 120 ready || {
  prod logs --tail 20
  fail "no answer through the proxy within 120 s"
}
ok "the proxy answers /readyz"
wait_for 150 all_healthy || {
  # shellcheck disable=SC2046
  docker inspect --format '{{.Name}} {{.State.Health.Status}} {{json .State.Health.Log}}' $(web_ids) | cut -c1-400
  fail "the three web containers did not turn healthy within 150 s"
}
ok "3 web replicas, all healthy"

# Docker's own record of the probes (exec overhead included, the first ones while 3 replicas
# were starting), then the HEALTHCHECK command itself, timed inside a replica at rest.
docker_ms=$(docker inspect --format '{{range .State.Health.Log}}{{.Start.UnixNano}} {{.End.UnixNano}}{{"\n"}}{{end}}' $(web_ids) |
  awk 'NF == 2 { ms = ($2 - $1) / 1e6; if (ms > max) max = ms } END { printf "%d", max }')
[ "$docker_ms" -lt 5000 ] || fail "a HEALTHCHECK probe took ${docker_ms} ms, past its 5 s timeout"
probes=$(for _ in 1 2 3 4 5; do
  docker exec "$(web_ids | head -1)" sh -c 's=$(date +%s%N); node /app/bin/healthcheck.js || exit 1; e=$(date +%s%N); echo $(((e - s) / 1000000))'
done | sort -n | tr '\n' ' ')
[ "$(echo "$probes" | wc -w)" = 5 ] || fail "bin/healthcheck.js failed in a healthy replica"
probe_max=$(echo "$probes" | awk '{ print $NF }')
[ "$probe_max" -lt 1000 ] || fail "bin/healthcheck.js took ${probe_max} ms (must stay well under 1 s): $probes"
ok "HEALTHCHECK: bin/healthcheck.js took ${probes}ms; Docker's slowest probe ${docker_ms} ms (load $(cut -d' ' -f1 /proc/loadavg))"

for path in / /polls/ /admin/login/ /api/docs; do
  code=$(curl -sS -m 10 -o /dev/null -w '%{http_code}' -H 'Host: localhost' "$URL$path")
  [ "$code" = 200 ] || fail "GET $path through the proxy answered $code"
done
servers=$(for _ in $(seq 1 9); do curl -sS -m 10 -o /dev/null -D - -H 'Host: localhost' "$URL/polls/" | tr -d '\r' | awk 'tolower($1) == "x-served-by:" { print $2 }'; done | sort -u | grep -c .)
[ "$servers" = 3 ] || fail "9 requests reached $servers replicas, not 3"
ok "pages answer 200 through the proxy, spread over the 3 replicas"

migrations=$(find "$ROOT/src" -path '*/migrations/*.sql' | grep -c .)
applied=$(for id in $(web_ids); do docker logs "$id" 2>&1 | grep -c '"msg":"migration applied"' || true; done | sort -n | tr '\n' ' ')
[ "$applied" = "0 0 $migrations " ] || fail "migrations applied per replica: $applied(expected one replica $migrations, the others 0)"
ok "one replica applied the $migrations migrations, the other two none"

shown=$(prod exec -T web slipway showmigrations)
[ "$(echo "$shown" | grep -c '^ \[X\] ')" = "$migrations" ] || fail "showmigrations: $shown"
ok "compose exec web slipway showmigrations: $migrations applied"
[ "$(prod exec -T web id -u | tr -d '\r')" = 1000 ] || fail "web does not run as uid 1000"
ok "web runs as uid 1000 (node)"

# --- Replication: db-replica, a streaming hot standby of db (README: Replication) ----------------
on_db() { prod exec -T db psql -U slipway -d slipway -qtAc "$1" | tr -d '\r'; }
on_replica() { prod exec -T db-replica psql -U slipway -d slipway -qtAc "$1" | tr -d '\r'; }
streaming() { [ "$(on_db "SELECT application_name || ' ' || state FROM pg_stat_replication")" = "db-replica streaming" ]; }
wait_for 90 streaming || {
  prod logs --tail 20 db-replica
  fail "db-replica is not streaming from db within 90 s: $(on_db 'SELECT application_name, state FROM pg_stat_replication')"
}
slot=$(on_db "SELECT slot_name || ' ' || active FROM pg_replication_slots")
[ "$slot" = "db_replica true" ] || fail "the replication slot on db: '$slot' (expected db_replica, active)"
[ "$(prod logs --no-color db-replica 2>&1 | grep -c 'cloning db:5432 with pg_basebackup')" = 1 ] ||
  fail "db-replica did not clone db once: $(prod logs --no-color --tail 10 db-replica 2>&1)"
ok "db-replica cloned db and streams (pg_stat_replication on db: streaming, slot db_replica active)"

# A question and its choice written on db, published a minute ago, then read on the standby.
qid=$(on_db "INSERT INTO polls_question (question_text, pub_date) VALUES ('ctest-replica', now() - interval '1 minute') RETURNING id")
cid=$(on_db "INSERT INTO polls_choice (question_id, choice_text, votes) VALUES ($qid, 'Yes', 0) RETURNING id")
[[ "$qid" =~ ^[0-9]+$ && "$cid" =~ ^[0-9]+$ ]] || fail "inserting a question and a choice on db: '$qid' '$cid'"
replayed() { [ "$(on_replica "SELECT count(*) FROM polls_choice WHERE id = $cid")" = 1 ]; }
wait_for 15 replayed || fail "a row written on db was not readable on db-replica within 15 s"
[ "$(on_replica 'SELECT pg_is_in_recovery()')" = t ] || fail "db-replica is not in recovery (not a standby)"
out=$(on_replica "DELETE FROM polls_choice WHERE id = $cid" 2>&1) && fail "db-replica accepted a write"
grep -q 'read-only transaction' <<<"$out" || fail "a write on db-replica failed for another reason: $out"
ok "a row written on db is read on db-replica, which refuses writes (read-only transaction)"

# Every web replica measures the standby: through the proxy, each /readyz shows it streaming.
replica_states() {
  local i
  for i in 1 2 3; do
    curl -fsS -m 5 "$URL/readyz" | grep -Eo '"replicas":\[\{"name":"db-replica:5432","state":"[a-z]+","lagMs":[0-9]+' || return 1
  done
}
all_streaming() { [ "$(replica_states | grep -c '"state":"streaming","lagMs":[0-9]')" = 3 ]; }
wait_for 30 all_streaming || fail "web's /readyz does not show db-replica streaming: $(curl -sS -m 5 "$URL/readyz")"
ok "web's /readyz shows the standby: $(replica_states | head -1 | sed 's/.*"name"/"name"/')}"

# --- Backups, as the README tells an operator ----------------------------------------------------
sched_started() { prod logs --no-color backup 2>/dev/null | grep -q '"event":"schedule-started"'; }
wait_for 60 sched_started || {
  prod logs --tail 20 backup
  fail "the backup service did not start its schedule within 60 s"
}
ok "backup service: $(prod logs --no-color backup | grep -o '{.*"schedule-started".*}' | tail -1)"
sql() { prod exec -T db psql -U slipway -d slipway -qtAc "$1" | tr -d '\r'; }
marked() { sql "SELECT count(*) FROM polls_question WHERE question_text = 'ctest-backup'"; }
sql "INSERT INTO polls_question (question_text, pub_date) VALUES ('ctest-backup', now())" >/dev/null ||
  fail "inserting a row"
prod exec -T web sh -c 'echo ctest-backup >/app/data/media/ctest-backup.txt' || fail "writing a media file in web"
start=$(date +%s)
out=$(prod exec -T web slipway backup create --label ctest 2>&1) || fail "exec web slipway backup create: $out"
ok "exec web slipway backup create ($(($(date +%s) - start)) s): $(echo "$out" | tr -d '\r' | tail -1)"
out=$(prod exec -T web slipway backup list 2>&1) || fail "backup list: $out"
grep -q -- '-ctest' <<<"$out" || fail "backup list does not show the archive: $out"
ok "exec web slipway backup list shows it"
# The identity never lands on the server: it comes on stdin, for this one command.
with_key() { prod exec -T -e BACKUP_AGE_IDENTITY_FILE=/dev/stdin web slipway backup "$@" <"$WORK/backup-key.txt"; }
out=$(with_key verify latest 2>&1) || fail "backup verify latest: $out"
ok "backup verify latest: $(echo "$out" | tr -d '\r' | tail -1)"
sql "DELETE FROM polls_question WHERE question_text = 'ctest-backup'" >/dev/null
prod exec -T web rm /app/data/media/ctest-backup.txt
[ "$(marked)" = 0 ] || fail "the row was not deleted"
start=$(date +%s)
out=$(with_key restore latest --no-input 2>&1) || fail "backup restore latest --no-input: $out"
took=$(($(date +%s) - start))
[ "$(marked)" = 1 ] || fail "the row is not back after the restore: $out"
[ "$(prod exec -T web cat /app/data/media/ctest-backup.txt | tr -d '\r')" = ctest-backup ] ||
  fail "the media file is not back after the restore: $out"
wait_for 30 ready || fail "no answer through the proxy after the restore"
ok "a row and a media file deleted, backup restore latest --no-input ($took s): both back, still serving"

# One scheduled run: the backup service again, every 10 seconds, then back to its default.
SLIPWAY_BACKUP_SCHEDULE='*/10 * * * * *' prod up -d --no-deps backup >/dev/null 2>&1 || fail "recreating backup"
scheduled() { prod logs --no-color backup 2>/dev/null | grep -q '"event":"backup"'; }
wait_for 90 scheduled || {
  prod logs --tail 20 backup
  fail "the backup service made no scheduled backup within 90 s"
}
ok "backup service, scheduled: $(prod logs --no-color backup | grep -o '{.*"event":"backup".*}' | head -1 | cut -c1-200)"
prod up -d --no-deps backup >/dev/null 2>&1 || fail "recreating backup"

prod exec -T db psql -U slipway -d slipway -qc 'CREATE TABLE ctest_marker (id int)' >/dev/null || fail "psql in db"
# A file in db-replica's data folder: a new clone would empty the folder first.
prod exec -T db-replica touch /var/lib/postgresql/data/ctest-marker || fail "writing a marker in db-replica"
log "compose stop"
ids=$(web_ids)
backup_id=$(prod ps -q backup)
start=$(date +%s)
prod stop >/dev/null 2>&1
took=$(($(date +%s) - start))
for id in $ids; do
  code=$(docker inspect --format '{{.State.ExitCode}}' "$id")
  [ "$code" = 0 ] || fail "web container $id exited $code on stop"
done
[ "$took" -lt 40 ] || fail "stop took ${took} s, past the 40 s grace period"
code=$(docker inspect --format '{{.State.ExitCode}}' "$backup_id")
[ "$code" = 0 ] || fail "the backup service exited $code on stop"
ok "compose stop: every web replica and backup exited 0, in ${took} s (grace period 40 s)"

log "compose up again"
prod up -d --scale web=3 >"$WORK/up2.log" 2>&1 || {
  cat "$WORK/up2.log"
  fail "second compose up"
}
wait_for 120 ready || fail "no answer through the proxy after the second up"
dblog=$(prod logs --no-color db 2>&1)
inits=$(echo "$dblog" | grep -c 'init process complete' || true)
[ "$inits" = 1 ] || fail "the database was initialised $inits times"
grep -q 'Skipping initialization' <<<"$dblog" || fail "no 'Skipping initialization' after the restart"
prod exec -T db psql -U slipway -d slipway -qtAc "SELECT to_regclass('ctest_marker') IS NOT NULL" | grep -q t ||
  fail "the data did not survive the restart"
ok "a second up kept the database: initialised once, data still there"

wait_for 60 streaming || fail "db-replica did not stream again after the restart"
prod exec -T db-replica test -e /var/lib/postgresql/data/ctest-marker || fail "db-replica's data folder was replaced on restart"
clones=$(prod logs --no-color db-replica 2>&1 | grep -c 'cloning db:5432 with pg_basebackup' || true)
[ "$clones" = 1 ] || fail "db-replica cloned $clones times (expected once, before the restart)"
ids=$(on_db 'SELECT system_identifier FROM pg_control_system()') replica_ids=$(on_replica 'SELECT system_identifier FROM pg_control_system()')
[ -n "$ids" ] && [ "$ids" = "$replica_ids" ] || fail "system identifiers differ: db $ids, db-replica $replica_ids"
on_db "UPDATE polls_choice SET votes = 7 WHERE id = $cid" >/dev/null
replayed_again() { [ "$(on_replica "SELECT votes FROM polls_choice WHERE id = $cid")" = 7 ]; }
wait_for 15 replayed_again || fail "db-replica does not replay db's writes after the restart"
ok "the restart kept db-replica's volume (marker there, cloned once, system identifier $ids as db's) and it streams again"

# The primary lost: the site is read-only, not down. Reads answer from db-replica, writes 503.
log "stopping db"
prod stop db >/dev/null 2>&1
readonly_ready() { curl -fsS -m 10 "$URL/readyz" | grep -q '"mode":"read-only"'; }
wait_for 30 readonly_ready || fail "with db stopped, /readyz is not 200 read-only: $(curl -sS -m 10 "$URL/readyz")"
for path in /polls/ "/polls/$qid/" "/polls/$qid/results/"; do
  code=$(curl -sS -m 15 -o "$WORK/page.html" -w '%{http_code}' -H 'Host: localhost' "$URL$path")
  [ "$code" = 200 ] || fail "with db stopped, GET $path answered $code"
done
grep -q '7 vote' "$WORK/page.html" || fail "the results page from db-replica does not show the 7 votes"
csrf=ctest-csrf-token-0123456789abcdefghijklmnop
start=$(date +%s%N)
code=$(curl -sS -m 30 -o /dev/null -D "$WORK/vote.headers" -w '%{http_code}' -H 'Host: localhost' \
  -H "Cookie: csrftoken=$csrf" -H "X-CSRF-Token: $csrf" --data "choice=$cid" "$URL/polls/$qid/vote/")
took=$((($(date +%s%N) - start) / 1000000))
[ "$code" = 503 ] || fail "with db stopped, a vote answered $code, not 503"
grep -qi '^retry-after:' "$WORK/vote.headers" || fail "the vote's 503 has no Retry-After"
ok "db stopped: /readyz 200 (read-only), /polls/ and question $qid's pages 200 from db-replica, a vote 503 with Retry-After in $took ms"

# The runbook's step 1, its script: promote the standby; web follows it without a restart
# (SQL_HOST=db,db-replica).
web_started=$(docker inspect --format '{{.State.StartedAt}}' $(web_ids) | sort | tr '\n' ' ')
export SLIPWAY_COMPOSE="${COMPOSE[*]} -p $PROD -f compose.prod.yaml -f test/containers/compose.haproxy.yaml"
sh deploy/postgres/failover.sh promote >"$WORK/failover.log" 2>&1 || {
  grep -v 'not supported' "$WORK/failover.log"
  fail "failover.sh promote"
}
start=$(date +%s)
voted() {
  [ "$(curl -sS -m 15 -o /dev/null -w '%{http_code}' -H 'Host: localhost' -H "Cookie: csrftoken=$csrf" \
    -H "X-CSRF-Token: $csrf" --data "choice=$cid" "$URL/polls/$qid/vote/")" = 303 ]
}
wait_for 30 voted || fail "no vote succeeded within 30 s of promoting db-replica: $(curl -sS -m 10 "$URL/readyz")"
took=$(($(date +%s) - start))
[ "$(on_replica "SELECT votes FROM polls_choice WHERE id = $cid")" -gt 7 ] || fail "the vote is not on db-replica"
[ "$(docker inspect --format '{{.State.StartedAt}}' $(web_ids) | sort | tr '\n' ' ')" = "$web_started" ] ||
  fail "web restarted during the failover"
ok "failover.sh promote (pg_promote() on db-replica): votes answer 303 again within $took s, written on db-replica, no web restart"

# The runbook's step 2: the old primary comes back as a standby of the promoted one.
start=$(date +%s)
sh deploy/postgres/failover.sh rejoin db >"$WORK/failover.log" 2>&1 || {
  grep -v 'not supported' "$WORK/failover.log"
  prod logs --tail 20 db
  fail "failover.sh rejoin db"
}
took=$(($(date +%s) - start))
how=$(grep -q 'cloning db-replica afresh' "$WORK/failover.log" && echo 'pg_rewind refused, cloned afresh' || echo 'pg_rewind')
[ "$(on_db 'SELECT pg_is_in_recovery()')" = t ] || fail "db is not a standby after failover.sh rejoin"
rejoined() { [ "$(on_replica "SELECT application_name || ' ' || state FROM pg_stat_replication")" = "db streaming" ]; }
wait_for 15 rejoined || fail "db-replica's pg_stat_replication does not show db streaming: $(on_replica 'SELECT * FROM pg_stat_replication')"
on_replica "UPDATE polls_choice SET votes = 42 WHERE id = $cid" >/dev/null || fail "writing on db-replica, the new primary"
replayed_back() { [ "$(on_db "SELECT votes FROM polls_choice WHERE id = $cid")" = 42 ]; }
wait_for 15 replayed_back || fail "db does not replay db-replica's writes after the rejoin"
ok "failover.sh rejoin db ($how, $took s): db streams from db-replica (pg_stat_replication) and replays its writes"

# --- 5. The wrapper in the real postgres image ---------------------------------------------------
out=$(docker run --name slipway-ctest-nosecret -v slipway-ctest-nosecret:/var/lib/postgresql/data \
  -v "$WORK/prod/deploy/postgres/wait-then-entrypoint.sh:/usr/local/bin/wait-then-entrypoint.sh:ro" \
  -e POSTGRES_PASSWORD_FILE=/run/secrets/db_password -e SLIPWAY_DB_WAIT_TIMEOUT=3 \
  --entrypoint sh postgres:15 /usr/local/bin/wait-then-entrypoint.sh postgres 2>&1) && code=0 || code=$?
docker rm slipway-ctest-nosecret >/dev/null
docker volume rm slipway-ctest-nosecret >/dev/null
[ "$code" = 1 ] || fail "db without its secret exited $code, not 1: $out"
grep -q 'gave up after 3s: the password file /run/secrets/db_password does not exist' <<<"$out" ||
  fail "db without its secret did not say why: $out"
grep -q 'initialising' <<<"$out" && fail "db without its secret initialised anyway: $out"
ok "db without its password file waits, then exits 1: $(echo "$out" | tail -1)"
prod down -v >/dev/null 2>&1
cd "$ROOT"

# --- 6. Development compose ----------------------------------------------------------------------
# A copy of the checkout's tracked files, so that the edit never touches the checkout itself.
mkdir -p "$WORK/dev"
# Tracked and untracked-but-not-ignored files, as they are now (uncommitted edits included).
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -xf - -C "$WORK/dev"
mkdir -p "$WORK/dev/secrets"
openssl rand -hex 24 >"$WORK/dev/secrets/db_password.txt"
chmod 644 "$WORK/dev/secrets/db_password.txt"
# The server writes into the mounted copy (.slipway/, data/) as its owner.
SLIPWAY_UID=$(id -u)
SLIPWAY_GID=$(id -g)
export SLIPWAY_WEB_PORT=$DEV_WEB_PORT SLIPWAY_DB_PORT=$DEV_DB_PORT SLIPWAY_UID SLIPWAY_GID
cd "$WORK/dev"
DEV_URL="http://127.0.0.1:$DEV_WEB_PORT"
log "compose.yaml: up --build (web on 127.0.0.1:$DEV_WEB_PORT, db on 127.0.0.1:$DEV_DB_PORT)"
dev up -d --build >"$WORK/dev-up.log" 2>&1 || {
  tail -30 "$WORK/dev-up.log"
  fail "development compose up"
}
wait_for 180 curl -fsS -m 5 "$DEV_URL/readyz" || {
  dev logs --tail 30 web
  fail "the development server did not answer within 180 s"
}
ok "development stack answers on 127.0.0.1:$DEV_WEB_PORT (db on 127.0.0.1:$DEV_DB_PORT)"
shown=$(dev exec -T web slipway showmigrations 2>&1) || fail "compose exec web slipway showmigrations (development): $shown"
[ "$(grep -c '^ \[X\] ' <<<"$shown")" = "$migrations" ] || fail "showmigrations (development): $shown"
ok "development: compose exec web slipway showmigrations works"

web=$(dev ps -q web)
before=$(docker inspect --format '{{.State.StartedAt}} {{.RestartCount}}' "$web")
target=src/core/http/health.ts
grep -q "send({ status: 'ok' })" "$target" || fail "the edit target moved: update run.sh's development check"
sed -i "0,/send({ status: 'ok' })/s//send({ status: 'edited-in-the-container-test' })/" "$target"
edited() { curl -fsS -m 5 "$DEV_URL/livez" | grep -q edited-in-the-container-test; }
wait_for 90 edited || {
  dev logs --tail 30 web
  fail "the source edit did not show within 90 s (does runserver reload on changes?)"
}
after=$(docker inspect --format '{{.State.StartedAt}} {{.RestartCount}}' "$web")
[ "$before" = "$after" ] || fail "the container restarted ($before -> $after)"
ok "a source edit showed without restarting the container"
dev down -v >/dev/null 2>&1
cd "$ROOT"

bash test/containers/swarm.sh "$IMAGE" && ok "Swarm: a rolling update of web under load, 0 failed requests (test/containers/swarm.sh)" || fail "test/containers/swarm.sh: the rolling update on a one-node Swarm"
log "done in $(($(date +%s) - T0)) s"
SUMMARY="containers: $PASSED passed, 0 failed"
