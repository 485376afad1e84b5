# The sshresume image: one static binary on a minimal base, run as a non-root user.
#
#   docker build --build-arg VERSION="$(git describe --tags --always)" -t sshresume .
#   docker run -d -p 22:23234 -p 80:8080 -v sshresume-data:/data --stop-timeout 15 sshresume
#
# docs/DEPLOY.md covers fly.io, Docker and Podman. There is deliberately no
# "# syntax=" line: the Dockerfile frontend built into BuildKit (and buildah's
# own) reads this file, so a build needs nothing from a registry but the two
# base images below.

# At least the go directive of go.mod.
ARG GO_VERSION=1.26.8
# Any image with a non-root user 65532 and no need for a shell works; the
# default has CA certificates, tzdata and /tmp, and nothing else.
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot

# The builder runs on the machine's own platform and cross-compiles, so a
# build for another architecture never emulates the compiler.
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
WORKDIR /src
ENV CGO_ENABLED=0
# No separate "go mod download" step: it would fetch every module go.mod
# lists, the tests' too (19.6 MB), where go build fetches only those the
# binary's packages come from (8.3 MB). The cache mount keeps them across
# builds, so editing the code downloads nothing again.
COPY . .
ARG VERSION=dev
ARG TARGETOS
ARG TARGETARCH
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
        -o /out/sshresume ./cmd/sshresume \
 && mkdir -p -m 0700 /out/data

FROM ${RUNTIME_IMAGE}
COPY --from=build /out/sshresume /usr/local/bin/sshresume
# The host key's directory, owned by the server's user: a new named volume
# mounted here starts as a copy of it, so the server can write its key there.
COPY --from=build --chown=65532:65532 /out/data /data
# SSH on 23234, the web door (page and downloads over HTTP) on 8080.
ENV SSHRESUME_ADDR=:23234 \
    SSHRESUME_HTTP_ADDR=:8080 \
    SSHRESUME_HOST_KEY_FILE=/data/ssh_host_ed25519_key
# Numeric, so that runtimes can check it is not root without reading
# /etc/passwd (Kubernetes' runAsNonRoot) and any base image works.
USER 65532:65532
VOLUME ["/data"]
EXPOSE 23234/tcp 8080/tcp
# The server ends sessions cleanly on SIGTERM within its shutdown grace (10s by
# default): give it longer than that before a kill (docker run --stop-timeout 15).
STOPSIGNAL SIGTERM
# The healthcheck subcommand gives up after 5s and says why; the longer
# timeout here lets its reason reach the health log.
HEALTHCHECK --interval=30s --timeout=10s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/sshresume", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/sshresume"]
CMD ["serve"]
