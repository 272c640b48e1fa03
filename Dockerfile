# syntax=docker/dockerfile:1
# One image for every role (PUENTE_ROLE=api|worker|all).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY bot ./bot
COPY queues ./queues
COPY crm-bridge ./crm-bridge
COPY devstack ./devstack
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
# PORT: the public listener (webhook, APIs). OPS_PORT: the ops listener (health, readiness, metrics,
# Bull Board) of every role, on 127.0.0.1 unless OPS_HOST says otherwise (docs/operations.md).
ENV NODE_ENV=production PORT=3000 OPS_PORT=9091
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# Data files read at run time (e.g. the plans catalog) live beside the code.
COPY --from=build --chown=node:node /app/bot ./bot
USER node
EXPOSE 3000
# The ops listener's /healthz: every role serves it (the worker has no public listener).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.OPS_PORT||9091)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/app/main.js"]
