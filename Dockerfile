# syntax=docker/dockerfile:1
#
# The Slipway production image, in two stages:
#   build  - installs every dependency, compiles src/ to dist/ with tsc, then prunes the dev
#            dependencies (typescript, vitest, biome...) from node_modules;
#   final  - node + tini + the pruned node_modules, dist/, migrations/ and bin/ only: no src/, no
#            compiler, no dev dependency. bin/slipway.js runs dist/ because src/ is absent.
#
#   docker build -t slipway .
#   docker run --rm -p 8000:8000 -e SECRET_KEY=... -e DATABASE_URL=postgres://... slipway
#
# The default command is `slipway start`: wait for the database, apply pending migrations under
# an advisory lock shared by all instances, then serve on HOST:PORT.

# ---------------------------------------------------------------------------------------------
FROM node:22-bookworm-slim AS build
WORKDIR /app

# The lock file first, so the dependency layer is rebuilt only when the dependencies change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---------------------------------------------------------------------------------------------
FROM node:22-bookworm-slim AS final

# tini is PID 1: it forwards SIGTERM/SIGINT to node and reaps zombies, so `docker stop` reaches
# the server's graceful shutdown (/readyz turns 503, in-flight requests finish).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    PORT=8000 \
    HOST=0.0.0.0 \
    DATA_DIR=/app/data

WORKDIR /app

# The application files stay owned by root (the server cannot rewrite its own code); only
# DATA_DIR (media, or PGlite when no server database is configured) is writable by `node`.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
COPY bin ./bin

# `slipway` on PATH, e.g. `docker compose exec web slipway showmigrations`. The symlink's
# target is resolved by node, so bin/slipway.js still finds /app/dist.
RUN chmod 0755 /app/bin/slipway.js \
 && ln -s /app/bin/slipway.js /usr/local/bin/slipway \
 && mkdir -p /app/data \
 && chown node:node /app/data

USER node

EXPOSE 8000

# `slipway healthcheck` GETs http://127.0.0.1:$PORT/livez and exits 0 or 1 (no curl needed).
# The start period covers waiting for the database (DB_WAIT_TIMEOUT, 60 s) and migrating.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "/app/bin/slipway.js", "healthcheck"]

# The server drains on SIGTERM within SHUTDOWN_TIMEOUT (25 s), less than compose's 30 s grace.
STOPSIGNAL SIGTERM

ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/slipway.js"]
CMD ["start"]
