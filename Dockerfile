# syntax=docker/dockerfile:1
# nwa-kit in a container (docs/container.md): `nwa mock` by default, listening on every interface of the container,
# its Long-Term Archive journal, mark key and certificate in the /data volume; any other command by name
# (`docker run IMAGE check --target …`). Two stages: the production dependencies installed in the first, only they and
# the kit's sources in the second, which runs as an unprivileged user.
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /opt/nwa-kit
COPY package.json package-lock.json ./
# Exactly the locked versions, without the development tools; npm's cache stays out of the layer.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
LABEL org.opencontainers.image.title="nwa-kit" \
      org.opencontainers.image.description="Reference mock and conformance suite for the Netwrix Auditor Integration API v1"
ENV NODE_ENV=production
WORKDIR /opt/nwa-kit
COPY --from=deps /opt/nwa-kit/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY openapi ./openapi
COPY mock ./mock
COPY conformance ./conformance
COPY cli ./cli
COPY fixtures ./fixtures
# The sample connectors: nwa grade --selftest grades them, and a connector author can start from them.
COPY examples ./examples
COPY ci/container/nwa ci/container/health.mjs /usr/local/bin/
# The volume belongs to the user the server runs as, by number, so an orchestrator can tell it is not root.
RUN mkdir -p /data && chown 1000:1000 /data
USER 1000:1000
VOLUME ["/data"]
EXPOSE 9699
# GET /nwa/health needs no token (docs/control.md) and answers only with --control, which the default command gives.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/usr/local/bin/health.mjs"]
ENTRYPOINT ["nwa"]
CMD ["mock", "--host", "0.0.0.0", "--port", "9699", "--data-dir", "/data", "--control"]
