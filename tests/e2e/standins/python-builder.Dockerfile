# Stand-in for the official python image, from Debian packages (Python
# 3.11). It trusts the host's CA bundle so pip reaches PyPI through this
# machine's TLS interception. Not the official image.
FROM localhost/shipit-e2e/debian:bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv python3-pip python-is-python3 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY host-ca.crt /etc/ssl/certs/host-ca.crt
ENV SSL_CERT_FILE=/etc/ssl/certs/host-ca.crt PIP_CERT=/etc/ssl/certs/host-ca.crt REQUESTS_CA_BUNDLE=/etc/ssl/certs/host-ca.crt
