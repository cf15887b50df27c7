# Hài Lòng container image.
#
#   docker build -t hailong .
#   docker run --rm -p 8080:8080 -e HAILONG_ADMIN_PASSWORD=... hailong
#
# No `# syntax=` line: BuildKit's built-in frontend has everything used here (the cache mount
# included), and naming a frontend image would make every build fetch it from Docker Hub. Where
# no container registry can be reached, deploy/base-images.sh makes the two base images from
# Debian's packages and the Go module proxy and builds this file with them.
#
# Without MONGODB_URI the server runs its embedded store under /var/lib/hailong (a volume);
# with MONGODB_URI and REDIS_URL set the container holds no state and can run read-only.
#
# There is deliberately no HEALTHCHECK: the runtime image has no shell or curl. Orchestrators
# probe GET /healthz (process up) and GET /readyz (store reachable) over HTTP; Compose uses
# `/hailong healthcheck` (see deploy/compose.yaml).

ARG GO_IMAGE=golang:1.26-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot

# ---- build -----------------------------------------------------------------------------
FROM ${GO_IMAGE} AS build
WORKDIR /src

# Modules first, in their own layer: it is rebuilt only when go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download && go mod verify

COPY . .
# CGO_ENABLED=0: the embedded store uses modernc.org/sqlite (pure Go), so the binary is fully
# static and runs on distroless/static. The build cache mount only speeds up rebuilds.
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/hailong ./cmd/hailong

# The data directory must exist and belong to nonroot (65532) in the image, so that a named
# volume mounted there starts out writable. distroless has no shell to mkdir/chown with.
RUN mkdir -p /out/data

# ---- runtime ---------------------------------------------------------------------------
# distroless/static: no shell, no package manager; ships CA certificates, tzdata and
# /etc/passwd with the nonroot user (the binary also embeds time/tzdata for Asia/Ho_Chi_Minh).
FROM ${RUNTIME_IMAGE}
COPY --from=build /out/hailong /hailong
COPY --from=build --chown=65532:65532 /out/data /var/lib/hailong

USER nonroot:nonroot
WORKDIR /var/lib/hailong
ENV HAILONG_ADDR=:8080 \
    HAILONG_DATA_DIR=/var/lib/hailong
VOLUME ["/var/lib/hailong"]
EXPOSE 8080

ENTRYPOINT ["/hailong"]
CMD ["serve"]
