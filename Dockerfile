# The Slipway production image, in stages:
#   deps   - every dependency, from the lock file (npm ci);
#   dev    - deps + the development command, for compose.yaml (the source is bind-mounted);
#   build  - compiles src/ to dist/ with tsc, then prunes the dev dependencies (typescript,
#            vitest, biome...) and drizzle-kit from node_modules;
#   pgclient - Debian's PostgreSQL client packages, only to take pg_dump, pg_restore and psql
#            from them (for `slipway backup`), without the perl wrapper the packages bring;
#   final  - node + tini + those three programs and their libraries (libpq5...) + the pruned
#            node_modules, dist/ (with each app's migrations/) and bin/ only: no src/, no compiler, no dev
#            dependency, no perl. bin/slipway.js runs dist/ because src/ is absent.
#
#   docker build -t slipway .            # also: DOCKER_BUILDKIT=1, podman build --format docker
#   docker run --rm -p 8000:8000 -e SECRET_KEY=... -e DATABASE_URL=postgres://... slipway
#
# The default command is `slipway start`: wait for the database, apply pending migrations under
# an advisory lock shared by all instances, then serve on HOST:PORT. No `# syntax=` line: with
# it, BuildKit fetches a frontend image from a registry, which a registry-free machine cannot.

# ---------------------------------------------------------------------------------------------
FROM node:22-bookworm-slim AS deps
WORKDIR /app

# The lock file first, so the dependency layer is rebuilt only when the dependencies change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# ---------------------------------------------------------------------------------------------
# compose.yaml's `web`: the checkout is mounted over /app (node_modules stays the image's, in a
# volume), and `slipway runserver` restarts the server when a source file changes. Only
# metadata and one symlink here (`docker compose exec web slipway ...` finds the mounted
# bin/slipway.js), so building the production image (the legacy builder builds every stage)
# costs nothing more.
FROM deps AS dev
RUN ln -s /app/bin/slipway.js /usr/local/bin/slipway
ENV HOST=0.0.0.0 \
    PORT=8000
EXPOSE 8000
CMD ["node", "bin/slipway.js", "runserver"]

# ---------------------------------------------------------------------------------------------
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
# After the build, node_modules keeps what the server and the runtime commands load:
#  - dev dependencies go (npm prune);
#  - drizzle-kit goes too, with the esbuild and tsx under it (about 45 MB): only `makemigrations`
#    and the model drift part of `check` load it, and both belong in a checkout, next to the
#    models. In the image, `slipway check` says it skipped that part;
#  - type declarations and source maps go: nothing reads them at run time.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm uninstall --omit=dev --no-save --no-audit --no-fund drizzle-kit \
 && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.cts' -o -name '*.d.mts' -o -name '*.map' \) -delete \
 && rm -rf node_modules/@types

# ---------------------------------------------------------------------------------------------
# pg_dump must be at least as new as the server it dumps. PG_MAJOR=15 (the default) is what
# Debian 12 ships, and what compose.yaml and compose.prod.yaml run (postgres:15). For a
# PostgreSQL 16 server: `docker build --build-arg PG_MAJOR=16 .`, which takes the client from
# the PostgreSQL project's apt repository (PGDG, apt.postgresql.org), the client programs here
# and libpq5 in the final stage alike; then move the compose files to postgres:16. (The PGDG
# path could not be tried on the machine this was written on: it cannot reach PGDG.)
FROM node:22-bookworm-slim AS pgclient
ARG PG_MAJOR=15
RUN set -eux; \
    apt-get update; \
    mkdir -p /out/apt/sources.list.d /out/apt/keyrings; \
    if [ "$PG_MAJOR" != 15 ]; then \
      apt-get install -y --no-install-recommends ca-certificates postgresql-common; \
      /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y; \
      cp /etc/apt/sources.list.d/pgdg.sources /out/apt/sources.list.d/; \
      cp /usr/share/postgresql-common/pgdg/apt.postgresql.org.* /out/apt/keyrings/; \
      sed -i 's#/usr/share/postgresql-common/pgdg/#/etc/apt/keyrings/#; s#https://#http://#' \
        /out/apt/sources.list.d/pgdg.sources; \
    fi; \
    apt-get install -y --no-install-recommends "postgresql-client-$PG_MAJOR"; \
    mkdir -p "/out/usr/lib/postgresql/$PG_MAJOR/bin"; \
    for p in pg_dump pg_restore psql; do \
      cp "/usr/lib/postgresql/$PG_MAJOR/bin/$p" "/out/usr/lib/postgresql/$PG_MAJOR/bin/"; \
    done

# ---------------------------------------------------------------------------------------------
FROM node:22-bookworm-slim AS final

# tini is PID 1: it forwards SIGTERM/SIGINT to node and reaps zombies, so `docker stop` reaches
# the server's graceful shutdown (/readyz turns 503, in-flight requests finish).
# libpq5 and libreadline8 are what pg_dump, pg_restore and psql link to beyond the base (ldd);
# the programs themselves come from the pgclient stage, into Debian's layout
# (/usr/lib/postgresql/<major>/bin), where `slipway backup` looks for the newest pg_dump. For
# PG_MAJOR other than 15, /out/apt holds PGDG's source (over plain http: apt checks its
# signature), so that libpq5 comes from the same release as the programs.
COPY --from=pgclient /out/apt/ /etc/apt/
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini libpq5 libreadline8 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=pgclient /out/usr/ /usr/
RUN for p in /usr/lib/postgresql/*/bin/*; do \
      if ldd "$p" | grep 'not found'; then exit 1; fi; "$p" --version; \
    done

ENV NODE_ENV=production \
    WEB_CONCURRENCY=auto \
    PORT=8000 \
    HOST=0.0.0.0 \
    DATA_DIR=/app/data

WORKDIR /app

# The application files stay owned by root (the server cannot rewrite its own code); only
# DATA_DIR (media, backups, or PGlite when allowed) is writable by `node`. data/media and
# data/backups exist in the image so that a volume mounted there starts out owned by `node` too.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin

# `slipway` on PATH, e.g. `docker compose exec web slipway showmigrations`. The symlink's
# target is resolved by node, so bin/slipway.js still finds /app/dist.
RUN chmod 0755 /app/bin/slipway.js \
 && ln -s /app/bin/slipway.js /usr/local/bin/slipway \
 && mkdir -p /app/data/media /app/data/backups \
 && chown -R node:node /app/data

USER node

EXPOSE 8000

# bin/healthcheck.js GETs http://127.0.0.1:$PORT/livez and exits 0 or 1: node:http only, no CLI,
# no curl (well under a second on a loaded 2-core machine; `slipway healthcheck` takes seconds).
# /livez has no dependencies, so a database outage never gets the container restarted; readiness
# (/readyz: database and migrations) is for the proxy. The start period covers waiting for the
# database (DB_WAIT_TIMEOUT, 60 s) and migrating; Swarm and Compose count no failure before it.
# Kubernetes ignores HEALTHCHECK: point its livenessProbe at /livez, its readinessProbe at /readyz.
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
  CMD ["node", "/app/bin/healthcheck.js"]

# On SIGTERM the server drains within SHUTDOWN_DELAY + SHUTDOWN_TIMEOUT (0 + 25 s by default;
# compose.prod.yaml sets 5 + 25 and gives it a 40 s stop_grace_period).
STOPSIGNAL SIGTERM

ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/slipway.js"]
CMD ["start"]
