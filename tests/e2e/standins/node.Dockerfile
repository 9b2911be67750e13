# Stand-in for the official node alpine image, from Debian packages (Node
# 18, glibc rather than musl). It trusts the host's CA bundle for npm, has
# the `node` user the official images have, and an `apk` that installs
# Debian packages (runtime.packages, tini). Not the official image.
FROM localhost/shipit-e2e/debian:bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 1000 --create-home node
COPY host-ca.crt /etc/ssl/certs/host-ca.crt
COPY apk /sbin/apk
# The npm registry reachable here serves metadata without npm's signatures,
# which corepack checks: an environment quirk, not the rendered file's.
# Yarn 2+ comes from repo.yarnpkg.com unless corepack is sent to the npm
# registry (@yarnpkg/cli-dist): the same quirk.
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/host-ca.crt COREPACK_INTEGRITY_KEYS=0 \
    COREPACK_NPM_REGISTRY=https://registry.npmjs.org
