# Stand-in for the official Debian-based node images (node:<v>-trixie):
# the official Node build (this machine's own node and npm, copied in by
# run.sh) at /usr/local/bin, as those images have it. Debian's nodejs
# package cannot stand in here: its node is a small program linked
# against libnode, with no single-executable-application fuse to inject
# into. It trusts the host's CA bundle for npm. Not the official image.
FROM localhost/shipit-e2e/debian:bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libstdc++6 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 1000 --create-home node
COPY node-official/node /usr/local/bin/node
COPY node-official/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
COPY host-ca.crt /etc/ssl/certs/host-ca.crt
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/host-ca.crt
