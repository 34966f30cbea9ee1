# whyping: the Slack app (or, with no Slack token, the shell) as a small image of compiled JavaScript.
#   docker build -t whyping .            then   docker run -it --rm whyping        (the shell on the sandbox)
#   docker run --rm whyping diagnose "Instance - NextWork VPC 1" "Instance - NextWork VPC 2" --sandbox
# Any Debian-based image with node (22 or 24) and npm works as the base: --build-arg NODE_IMAGE=… (see docs/deploy.md;
# scripts/image-check.sh builds one with debootstrap where no container registry is reachable).
ARG NODE_IMAGE=node:22-bookworm-slim

# Stage 1: bundle the TypeScript into dist/ with esbuild (all dependencies, including the bundler; `npm run build`).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# An optional CA bundle (build secret `npm_ca`) for registries reached through a TLS-inspecting proxy; never stored.
RUN --mount=type=secret,id=npm_ca,required=false \
    if [ -s /run/secrets/npm_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca; fi; \
    npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY scripts/build.js ./scripts/build.js
COPY src ./src
# The image's sources are type-checked here (esbuild only strips types), then bundled.
RUN npx tsc --noEmit -p tsconfig.build.json && npm run build

# Stage 2: production dependencies only.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npm_ca,required=false \
    if [ -s /run/secrets/npm_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca; fi; \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# Stage 3: what runs. No compiler, no tsx, no sources: bin/whyping.js runs dist/.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY package.json ./
COPY bin/whyping.js bin/build-stamp.js ./bin/
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# `whyping` on the PATH; a user of its own with no login shell and no home (numeric, for runAsNonRoot).
RUN ln -s /app/bin/whyping.js /usr/local/bin/whyping \
    && groupadd --system --gid 10001 whyping \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin whyping
USER 10001:10001
EXPOSE 3000
# Alive when the Slack app answers GET /healthz on PORT; with no Slack app configured (the shell) it always passes.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD ["node", "/app/bin/whyping.js", "healthcheck"]
ENTRYPOINT ["node", "/app/bin/whyping.js"]
CMD ["start"]
