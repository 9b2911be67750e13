# Stand-in for the official golang image, from Debian packages (Go 1.19):
# the real image cannot be pulled here. Like the official image it has a C
# toolchain, so cgo is on unless a template turns it off. Not the official
# image.
FROM localhost/shipit-e2e/debian:bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends golang-go gcc libc6-dev ca-certificates \
    && rm -rf /var/lib/apt/lists/*
ENV GOPATH=/go PATH=/go/bin:/usr/lib/go/bin:$PATH GOPROXY=off GOTOOLCHAIN=local
WORKDIR /go
