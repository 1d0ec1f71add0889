# Supreme Bot. Build: docker build -t supreme-bot .   Run: see docker-compose.yml and README "Run in a container".
# tests/selfhost/container.test.ts replays these steps on the host (no Docker engine there) and starts the result.

# Build stage: dev dependencies (TypeScript), the build, then only production dependencies kept.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY . .
# i18next names TypeScript as an optional peer, so npm keeps it ("devOptional") after --omit=dev; the bot never loads it.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund && rm -rf node_modules/typescript node_modules/.bin/tsc node_modules/.bin/tsserver

# Runtime stage: the built bot and its production dependencies, run as the unprivileged `node` user.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production DATA_DIR=/app/data HEALTH_PORT=8080
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/data && chown node:node /app/data
USER node
# Invites, settings, giveaways and backups: keep this on a volume so it outlives the container.
VOLUME ["/app/data"]
# The slim image has no curl; Node's fetch asks the bot's health endpoint (200 once connected with healthy storage).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.HEALTH_PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node runs as PID 1 and the bot handles SIGTERM itself (flushes storage, then exits); give it the stop grace it needs.
STOPSIGNAL SIGTERM
CMD ["node", "dist/index.js"]
