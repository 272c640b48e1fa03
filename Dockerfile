# syntax=docker/dockerfile:1
# One image for every role (PUENTE_ROLE=api|worker|all).
#
# Node 26, the Active LTS line (Node 20 reached end of life on 2026-04-30), pinned by the digest of
# the multi-arch `node:26-bookworm-slim` index, so a rebuild gets the same bytes until the pin is
# moved on purpose. To move it (a Node security release, a Debian fix):
#   docker buildx imagetools inspect node:26-bookworm-slim   # the index digest on the first lines
# then replace the digest in NODE_IMAGE below and run `.ci/run`, which tests on Node 26 as well as on Node 20.
ARG NODE_IMAGE=node:26-bookworm-slim@sha256:2d49d876e96237d76de412761cf05dbfe5aee325cc4406a4d41d5824c5bb8beb

FROM ${NODE_IMAGE} AS build
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

FROM ${NODE_IMAGE} AS runtime
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
