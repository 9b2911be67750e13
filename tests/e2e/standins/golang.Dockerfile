# Stand-in for the official golang image, from Debian packages (Go 1.19):
# the real image cannot be pulled here. Not the official image.
FROM localhost/shipit-e2e/debian:bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends golang-go ca-certificates \
    && rm -rf /var/lib/apt/lists/*
ENV GOPATH=/go PATH=/go/bin:/usr/lib/go/bin:$PATH GOPROXY=off GOTOOLCHAIN=local
WORKDIR /go
