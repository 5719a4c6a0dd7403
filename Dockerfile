# One image, both commands: `pulltrace server` and `pulltrace agent` (see docs/installation.md).
#
#   docker build -t registry.example.com/tools/pulltrace:0.1.0 .
#
# Build and runtime use the same Debian base, so better-sqlite3's native addon compiled
# (or downloaded) in the build stage matches the runtime's glibc and Node ABI. Node.js 24 (LTS),
# the release the tests run on (scripts/lts-node.mjs pins the same version; a test checks).
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

FROM ${NODE_IMAGE} AS build
# Compilers for native addons when no prebuilt binary matches (better-sqlite3 falls back to node-gyp).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so source edits do not re-download them.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# The real install: runs dependency install scripts (native addons) and `prepare`,
# which builds dist/ (server and CLI) and dist/web (the UI).
RUN npm ci --no-audit --no-fund \
 && test -f dist/cli/main.js \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
# Every interface of the container: `standalone` alone defaults to 127.0.0.1, which would be
# unreachable through `docker run -p`; publish with -p 127.0.0.1:8080:8080 to keep it on the host.
ENV NODE_ENV=production \
    PULLTRACE_DB=/data/history.db \
    PULLTRACE_HTTP_ADDR=:8080 \
    PULLTRACE_METRICS_ADDR=:9090
WORKDIR /app
# Only what the package ships (package.json "files") plus its production dependencies.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY --from=build /src/proto ./proto
COPY --from=build /src/docs/schemas ./docs/schemas
# Non-root by default (the server). The agent's chart/manifest runs it as uid 0 with no
# capabilities, because containerd's socket is root-owned; see docs/security.md.
RUN ln -s /app/bin/pulltrace /usr/local/bin/pulltrace \
 && groupadd --system --gid 10001 pulltrace \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin pulltrace \
 && mkdir -p /data \
 && chown 10001:10001 /data
USER 10001:10001
# History lives here; mount a volume so it survives the container.
VOLUME ["/data"]
EXPOSE 8080 9090
ENTRYPOINT ["pulltrace"]
CMD ["server"]
