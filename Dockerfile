# syntax=docker/dockerfile:1
# One multi-stage build for the whole platform. Build a service image with its target:
#   docker build --target ingest -t tessera/ingest .        (also: identity, profile-store, consent)
#   docker build --target cli -t tessera/cli .              (the `tessera` operator command)
# Stages: deps (all dependencies, cached on package files) -> build (tsc) -> prod-deps (runtime
# dependencies only) -> runtime (slim, non-root) -> one target per service.
ARG NODE_IMAGE=node:20.19-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

# Every workspace's package.json, so `npm ci` sees the same workspace set as the lockfile
# (tools/cli's deploy check fails when a workspace is missing here).
FROM base AS manifests
COPY package.json package-lock.json ./
COPY libs/access/package.json libs/access/
COPY libs/config/package.json libs/config/
COPY libs/contracts/package.json libs/contracts/
COPY libs/crypto/package.json libs/crypto/
COPY libs/db/package.json libs/db/
COPY libs/identifiers/package.json libs/identifiers/
COPY libs/kafka/package.json libs/kafka/
COPY libs/observability/package.json libs/observability/
COPY libs/outbox/package.json libs/outbox/
COPY libs/runtime/package.json libs/runtime/
COPY libs/testkit/package.json libs/testkit/
COPY services/consent/package.json services/consent/
COPY services/identity/package.json services/identity/
COPY services/ingest/package.json services/ingest/
COPY services/profile-store/package.json services/profile-store/
COPY tools/cli/package.json tools/cli/
COPY tools/traffic/package.json tools/traffic/
COPY tests/package.json tests/
COPY bench/package.json bench/

FROM manifests AS deps
RUN --mount=type=cache,target=/root/.npm npm ci

FROM deps AS build
COPY tsconfig.base.json tsconfig.build.json ./
COPY libs libs
COPY services services
COPY tools tools
RUN npm run build
# Keep only what runs: package.json, compiled output and SQL migrations of each package.
RUN set -eu; mkdir -p /out; \
    for pkg in libs/* services/* tools/*; do \
      mkdir -p "/out/$pkg"; \
      cp "$pkg/package.json" "/out/$pkg/"; \
      cp -R "$pkg/dist" "/out/$pkg/dist"; \
      if [ -d "$pkg/migrations" ]; then cp -R "$pkg/migrations" "/out/$pkg/migrations"; fi; \
    done; \
    find /out -name '*.tsbuildinfo' -delete

FROM manifests AS prod-deps
# Runtime dependencies only; no install scripts are needed by what the services load.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# The whole prod-deps tree: root node_modules plus any nested workspace node_modules npm created.
COPY --from=prod-deps --chown=root:root /app/ ./
COPY --from=build --chown=root:root /out/ ./
# The one writable place (compose mounts a volume here for tokens the init step creates).
RUN mkdir -p /var/lib/tessera && chown 1000:1000 /var/lib/tessera
# Numeric uid so Kubernetes can verify runAsNonRoot; files stay root-owned and read-only to it.
USER 1000:1000
# Services shut down gracefully on SIGTERM (stop consuming, commit, close) within 25 s.
STOPSIGNAL SIGTERM

FROM runtime AS ingest
ENV PORT=8080
EXPOSE 8080
CMD ["node", "services/ingest/dist/main.js"]

FROM runtime AS identity
ENV PORT=8081
EXPOSE 8081
CMD ["node", "services/identity/dist/main.js"]

FROM runtime AS profile-store
ENV PORT=8082
EXPOSE 8082
CMD ["node", "services/profile-store/dist/main.js"]

FROM runtime AS consent
ENV PORT=8083
EXPOSE 8083
CMD ["node", "services/consent/dist/main.js"]

FROM runtime AS cli
ENTRYPOINT ["node", "tools/cli/dist/main.js"]
CMD ["--help"]
