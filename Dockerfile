# odoo-ops: the Slack bot and CLI, as a small non-root image.
#
#   docker build -t odoo-ops .                              (docker-compose.yml does this)
#   docker build --build-arg BASE_IMAGE=<image> -t odoo-ops .
#
# BASE_IMAGE: any Debian bookworm image with Node.js >= 20 and npm. When it
# already has PostgreSQL 15's client tools, nothing is fetched from apt (the
# image test builds offline that way); otherwise postgresql-client-15 comes
# from Debian bookworm.
ARG BASE_IMAGE=node:22-bookworm-slim

# ---- build: compile the TypeScript with the dev dependencies ---------------
FROM ${BASE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY src ./src
COPY commands ./commands
COPY services ./services
RUN npm run build

# ---- runtime: production dependencies and the compiled code only -----------
FROM ${BASE_IMAGE}
# The user first, before a package can take the id. uid/gid 101 is the `odoo`
# user of the odoo:17 image: files the bot writes in Odoo's data volume
# (restored attachments) are then Odoo's own.
ARG APP_UID=101
RUN groupadd --system --gid ${APP_UID} odoo-ops \
    && useradd --system --uid ${APP_UID} --gid ${APP_UID} --home-dir /app --no-create-home --shell /usr/sbin/nologin odoo-ops
# pg_restore / psql of PostgreSQL 15 (archive verification); the dump itself
# runs with the db container's own pg_dump.
RUN if pg_restore --version 2>/dev/null | grep -q ' 15\.'; then echo "PostgreSQL 15 client tools: in the base image"; \
    else apt-get update \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-client-15 \
      && rm -rf /var/lib/apt/lists/*; fi
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY config ./config
# The relative defaults ADDONS_DIR=./addons and BACKUP_DIR=./backup resolve here (mount points).
RUN mkdir -p addons backup && chown odoo-ops:odoo-ops backup \
    && ln -s /app/bin/odoo-ops.js /usr/local/bin/odoo-ops
# Memory settings for streaming backups, as in bin/odoo-ops.js (why, there):
# a bounded heap, a small young generation, glibc malloc keeping Buffers.
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=2" \
    MALLOC_MMAP_THRESHOLD_=33554432 \
    MALLOC_TRIM_THRESHOLD_=33554432 \
    PORT=3000
USER odoo-ops
EXPOSE 3000
# /healthz on PORT answers in both Slack modes (HTTP and Socket Mode).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The bot stops taking commands on SIGTERM, lets a running backup finish for
# 30 s or cancels it cleanly, and exits within about 50 s: give `docker stop`
# (compose: stop_grace_period) 60 s.
STOPSIGNAL SIGTERM
# The preflight first (its report is in `docker logs`), then the bot as PID 1.
CMD ["sh", "-c", "node bin/odoo-ops.js doctor || echo 'odoo-ops: doctor found problems (above); starting the bot anyway' >&2; exec node bin/odoo-ops.js bot"]
