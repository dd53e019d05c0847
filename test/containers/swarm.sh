#!/usr/bin/env bash
# A rolling update on a one-node Docker Swarm, under load, counting failed requests (target: 0).
# Run by test/containers/run.sh after its own checks (the image is the one it just built); alone:
#   bash test/containers/swarm.sh [image]        (default slipway-ctest:latest)
#
#   1. `docker swarm init` on 127.0.0.1 if the engine is in no Swarm (and `swarm leave` at the
#      end, only then).
#   2. `docker stack deploy` of compose.prod.yaml + compose.swarm.yaml + compose.swarm-test.yaml
#      (3 web tasks; no standby or backup task), without the proxy service: Traefik cannot be
#      installed here, so HAProxy (test/containers/haproxy.cfg, the labels' contract) runs as a
#      plain container on the stack's network, published on 127.0.0.1 only.
#   3. A steady load (GET pages, the API docs and POST a form, 20 requests/s) through it while
#      `docker service update --image` rolls web (start-first, one task at a time).
#   4. Passes when the update completed (no rollback), 3 tasks run the new image, and no request
#      failed. Then removes the stack, its volumes and secrets.
# Skips (exit 0) without an engine or the images, unless CI=true: then it fails. Budget: 3 min.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
IMAGE=${1:-slipway-ctest:latest}
NEXT=slipway-ctest:swarm-next
STACK=slipway-ctest-swarm
PROXY=slipway-ctest-swarm-proxy
T0=$(date +%s)
BUDGET=${SLIPWAY_SWARM_BUDGET:-180}
INITIALISED=
WORK=

log() { printf '[swarm %4ss] %s\n' "$(($(date +%s) - T0))" "$*"; }
fail() {
  log "FAIL: $*"
  exit 1
}
skip() {
  if [ "${CI:-}" = true ]; then fail "$* (CI=true: the Swarm test must run)"; fi
  log "SKIP: $*"
  exit 0
}
left() { echo $((BUDGET - ($(date +%s) - T0))); }
# Retries `cmd...` every second until it succeeds, for at most $1 seconds (and the budget).
wait_for() {
  local limit=$1 i
  shift
  for ((i = 0; i < limit; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    [ "$(left)" -gt 0 ] || fail "out of the ${BUDGET} s budget"
    sleep 1
  done
  return 1
}

cleanup() {
  local rc=$?
  set +e
  if [ -n "$WORK" ]; then
    docker rm -f "$PROXY" >/dev/null 2>&1
    docker stack rm "$STACK" >/dev/null 2>&1
    # The stack's containers go first, then its network and volumes can.
    for _ in $(seq 1 60); do
      [ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$STACK")" ] && break
      sleep 1
    done
    docker network rm "${STACK}_default" >/dev/null 2>&1
    docker volume ls -q --filter "label=com.docker.stack.namespace=$STACK" | xargs -r docker volume rm >/dev/null 2>&1
    docker rmi "$NEXT" >/dev/null 2>&1
    rm -rf "$WORK"
  fi
  if [ -n "$INITIALISED" ]; then
    log "leaving the Swarm this test initialised"
    docker swarm leave --force >/dev/null 2>&1
    docker network rm docker_gwbridge >/dev/null 2>&1
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v docker >/dev/null || skip "no docker CLI (Debian: apt-get install docker.io)"
docker info >/dev/null 2>&1 || skip "no Docker engine running"
for tag in "$IMAGE" postgres:15 slipway-test-haproxy:latest; do
  docker image inspect "$tag" >/dev/null 2>&1 || skip "no image $tag (npm run test:containers builds it)"
done

case "$(docker info --format '{{.Swarm.LocalNodeState}}')" in
  inactive)
    log "docker swarm init (127.0.0.1)"
    docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377 >/dev/null ||
      fail "docker swarm init"
    INITIALISED=1
    ;;
  active) log "using the Swarm this engine is already in" ;;
  *) skip "the engine's Swarm state is $(docker info --format '{{.Swarm.LocalNodeState}}')" ;;
esac

# --- The stack: the production file, the Swarm file, the test's settings, minus Traefik --------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/slipway-swarm.XXXXXX")"
mkdir -p "$WORK/secrets" "$WORK/deploy/postgres"
cp compose.prod.yaml compose.swarm.yaml test/containers/compose.swarm-test.yaml "$WORK/"
cp deploy/postgres/*.sh "$WORK/deploy/postgres/"
openssl rand -hex 24 >"$WORK/secrets/db_password.txt"
openssl rand -hex 32 >"$WORK/secrets/secret_key.txt"
openssl rand -hex 24 >"$WORK/secrets/db_replication_password.txt"
echo age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq >"$WORK/secrets/backup_recipients.txt"
chmod 644 "$WORK/secrets/"*.txt
# No proxy service in the test's copies (Traefik's image cannot be had here); the Compose file
# version that Docker 20.10's `stack deploy` asks for where a file names none.
node --input-type=module -e "
  import { readFileSync, writeFileSync } from 'node:fs';
  import { parse, stringify } from 'yaml';
  for (const file of process.argv.slice(1)) {
    const stack = parse(readFileSync(file, 'utf8'));
    delete stack.services.proxy;
    writeFileSync(file, stringify({ version: '3.9', ...stack }));
  }
" "$WORK/compose.prod.yaml" "$WORK/compose.swarm.yaml" "$WORK/compose.swarm-test.yaml" ||
  fail "rewriting the stack files"

log "docker stack deploy $STACK ($IMAGE, 3 web tasks)"
(cd "$WORK" && SLIPWAY_IMAGE=$IMAGE SLIPWAY_DOMAIN=localhost docker stack deploy --resolve-image never \
  -c compose.prod.yaml -c compose.swarm.yaml -c compose.swarm-test.yaml "$STACK") >"$WORK/deploy.log" 2>&1 || {
  cat "$WORK/deploy.log"
  fail "docker stack deploy"
}
healthy_tasks() {
  docker ps --filter "label=com.docker.swarm.service.name=${STACK}_web" --filter health=healthy -q | grep -c .
}
three_healthy() { [ "$(healthy_tasks)" -ge 3 ]; }
wait_for 150 three_healthy || {
  docker service ps --no-trunc "${STACK}_web" | head -10
  docker service logs --tail 20 "${STACK}_web" 2>&1 | tail -20
  fail "3 healthy web tasks within 150 s (have $(healthy_tasks))"
}
log "ok: 3 web tasks healthy"

PORT=$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")
docker run -d --name "$PROXY" --network "${STACK}_default" -p "127.0.0.1:$PORT:80" \
  -v "$ROOT/test/containers/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" \
  slipway-test-haproxy:latest >/dev/null || fail "starting HAProxy on the stack's network"
URL="http://127.0.0.1:$PORT"
through_proxy() { [ "$(curl -sS -m 5 -o /dev/null -w '%{http_code}' -H 'Host: localhost' "$URL/readyz")" = 200 ]; }
wait_for 30 through_proxy || {
  docker logs --tail 20 "$PROXY"
  fail "no 200 from /readyz through HAProxy within 30 s"
}
log "ok: HAProxy answers on 127.0.0.1:$PORT"

# --- The load, and the update under it ----------------------------------------------------------
# 20 requests/s at fixed times whatever the answers: GET /polls/, GET /api/docs, GET the admin's
# login page, POST it with no password (the form again, 200: the request reached the app; no
# password, so the login throttle never counts it).
# Runs until the file $WORK/stop exists; prints a JSON summary.
node --input-type=module -e "
  import { request } from 'node:http';
  import { existsSync } from 'node:fs';
  const [url, stopFile] = process.argv.slice(1);
  const agent = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: 50 });
  const send = (method, path, body, headers = {}) => new Promise((resolve) => {
    const started = Date.now();
    const req = request(url + path, { method, agent, timeout: 15000,
      headers: { host: 'localhost', ...headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) } },
      (res) => { let text = ''; res.setEncoding('utf8'); res.on('data', (c) => { text += c; });
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text, ms: Date.now() - started })); });
    req.on('timeout', () => req.destroy(new Error('TIMEOUT')));
    req.on('error', (e) => resolve({ status: e.code ?? e.message, ms: Date.now() - started }));
    if (body) req.write(body);
    req.end();
  });
  const login = await send('GET', '/admin/login/');
  const cookie = (login.headers?.['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
  const token = /name=\"csrf_token\" value=\"([^\"]+)\"/.exec(login.text ?? '')?.[1];
  if (!token) { console.error('no CSRF token in /admin/login/ (status ' + login.status + ')'); process.exit(2); }
  const form = 'username=nobody&password=&csrf_token=' + encodeURIComponent(token);
  const kinds = [
    () => send('GET', '/polls/'),
    () => send('GET', '/api/docs'),
    () => send('GET', '/admin/login/', null, { cookie }),
    () => send('POST', '/admin/login/', form, { cookie, 'content-type': 'application/x-www-form-urlencoded' }),
  ];
  const results = [], pending = [];
  const started = Date.now();
  for (let i = 0; !existsSync(stopFile); i++) {
    const wait = started + i * 50 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(kinds[i % 4]().then((r) => results.push({ kind: i % 4, at: Date.now() - started, ...r, text: undefined, headers: undefined })));
  }
  await Promise.all(pending);
  const failed = results.filter((r) => r.status !== 200);
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  console.log(JSON.stringify({ requests: results.length, failed: failed.length,
    p50: ms[Math.floor(ms.length * 0.5)], p99: ms[Math.ceil(ms.length * 0.99) - 1], failures: failed.slice(0, 10) }));
" "$URL" "$WORK/stop" >"$WORK/load.json" 2>"$WORK/load.err" &
LOAD_PID=$!
sleep 3
kill -0 "$LOAD_PID" 2>/dev/null || fail "the load did not start: $(cat "$WORK/load.err")"

[ "$(left)" -gt 10 ] || fail "out of the ${BUDGET} s budget before the update"
docker tag "$IMAGE" "$NEXT"
log "docker service update --image $NEXT ${STACK}_web (start-first, under load)"
start=$(date +%s)
timeout "$(left)" docker service update --detach=false --quiet --no-resolve-image --image "$NEXT" "${STACK}_web" \
  >"$WORK/update.log" 2>&1 || {
  tail -5 "$WORK/update.log"
  touch "$WORK/stop"
  fail "docker service update did not complete within the budget"
}
took=$(($(date +%s) - start))
sleep 3 # the last old task's drain is over (SHUTDOWN_DELAY 5 s counts from its SIGTERM)
touch "$WORK/stop"
wait "$LOAD_PID" || fail "the load failed: $(cat "$WORK/load.err")"

state=$(docker service inspect --format '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' "${STACK}_web")
[ "$state" = completed ] || fail "the update ended in state '$state', not completed"
running=$(docker service ps --filter desired-state=running --format '{{.Image}} {{.CurrentState}}' "${STACK}_web")
[ "$(grep -c "^$NEXT Running" <<<"$running")" = 3 ] || fail "tasks after the update: $running"
summary=$(cat "$WORK/load.json")
log "update done in $took s; load: $summary"
failed=$(node -e "console.log(JSON.parse(process.argv[1]).failed)" "$summary")
requests=$(node -e "console.log(JSON.parse(process.argv[1]).requests)" "$summary")
[ "$requests" -gt 100 ] || fail "only $requests requests were sent"
[ "$failed" = 0 ] || fail "$failed of $requests requests failed during the rolling update"
log "ok: rolling update of 3 tasks (start-first) in $took s under load: $requests requests, 0 failed"
log "done in $(($(date +%s) - T0)) s"
