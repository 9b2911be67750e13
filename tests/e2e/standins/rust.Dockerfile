# Stand-in for the official rust image (rust:<version>-trixie), from Debian
# packages: bookworm-security's rustc-web and cargo-web (Rust 1.96; the
# plain rustc of bookworm is 1.63, too old for edition 2024 and let
# chains). Like the official image it has a C toolchain, CA certificates,
# and CARGO_HOME at /usr/local/cargo with its bin on PATH (where `cargo
# install` puts cargo-chef). It has no rustup, so no musl target: the
# official image's `rustup target add` needs the Rust distribution server.
# Not the official image.
FROM localhost/shipit-e2e/debian:bookworm
RUN echo 'deb http://deb.debian.org/debian-security bookworm-security main' > /etc/apt/sources.list.d/security.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends rustc-web cargo-web gcc libc6-dev ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY host-ca.crt /etc/ssl/certs/host-ca.crt
# The crate registry is reached through this machine's TLS interception.
ENV CARGO_HOME=/usr/local/cargo PATH=/usr/local/cargo/bin:$PATH \
    CARGO_HTTP_CAINFO=/etc/ssl/certs/host-ca.crt SSL_CERT_FILE=/etc/ssl/certs/host-ca.crt
