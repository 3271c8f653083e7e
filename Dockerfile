# One image, four shapes: APP=chat-gateway | prefetch-scheduler | post-processor | health-checker.
#   docker build -t manga-assist .                      (official Node 20 base)
#   docker build --build-arg BASE_IMAGE=… -t manga-assist .   (any Debian-based image with Node 20)
#   docker run -e APP=chat-gateway -e CONTROL_TOKEN=… -p 3000:3000 manga-assist
ARG BASE_IMAGE=node:20-bookworm-slim

# Everything needed to build: dev dependencies, compilers for the native addons (hnswlib-node).
FROM ${BASE_IMAGE} AS deps
WORKDIR /src
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# Native addons compile against the headers of the node in the image, not a download.
ENV npm_config_nodedir=/usr \
    npm_config_fund=false \
    npm_config_audit=false \
    npm_config_update_notifier=false
COPY package.json package-lock.json ./
# `npm install` from the lockfile: `npm ci` trips over optional binaries it leaves out (TOOLCHAIN.md).
RUN --mount=type=cache,target=/root/.npm \
    if [ -d /usr/local/include/node ]; then export npm_config_nodedir=/usr/local; fi; npm install

# Only what runs: production dependencies (a separate tree, so no build tool reaches the image).
FROM deps AS prod-deps
RUN --mount=type=cache,target=/root/.npm \
    if [ -d /usr/local/include/node ]; then export npm_config_nodedir=/usr/local; fi; npm install --omit=dev

# The four apps bundled by esbuild, the pages built by Vite, and the HNSW index of the catalog built once, here.
FROM deps AS build
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NX_SKIP_NX_CACHE=true
COPY . .
RUN npx nx run-many -t build -p chat-gateway prefetch-scheduler post-processor health-checker web --outputStyle=static
RUN npx tsx --tsconfig tools/tsconfig.json tools/container/build-index.ts /src/index

FROM ${BASE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    INDEX_DIR=/app/index \
    CATALOG_PATH=/app/data/catalog/catalog.jsonl.gz \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=build /src/dist/apps ./dist/apps
COPY --from=build /src/index ./index
COPY data/catalog/catalog.jsonl.gz ./data/catalog/catalog.jsonl.gz
COPY data/madb/SOURCE.md ./data/madb/SOURCE.md
COPY ops/container/start.cjs ops/container/healthcheck.cjs ./
# The one writable place: the file audit sink (the default outside AWS) writes under .data.
RUN install -d -o 1000 -g 1000 /app/.data
# Unprivileged; numeric so it needs no passwd entry in whatever base is used.
USER 1000:1000
EXPOSE 3000 3001 3002 3003
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/app/healthcheck.cjs"]
# Exec form: node is PID 1's direct program and receives SIGTERM itself (no shell in between).
ENTRYPOINT ["node", "/app/start.cjs"]
