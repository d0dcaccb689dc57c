# syntax=docker/dockerfile:1
#
# Sertika's container image: one static binary on distroless, running as the nonroot user.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t sertika .
#   docker run -p 8080:8080 -v sertika-data:/data sertika                 # SQLite in /data
#   docker run -p 8080:8080 -v sertika-data:/data \
#     -e DATABASE_URL=postgres://sertika@db:5432/sertika \
#     -e SERTIKA_PUBLIC_URL=https://sertika.example.go.id sertika          # PostgreSQL
#
# No Docker engine runs on the development or CI machines, so this file is kept correct by
# reading it against README.md ("Container"), not by building it in CI. CI does build the
# same binary the same way (CGO_ENABLED=0, -trimpath).
#
# Health: the final image has no shell and no curl, so there is no HEALTHCHECK instruction.
# Use the orchestrator's HTTP probes instead: liveness GET /healthz, readiness GET /readyz
# (503 while the database cannot be reached), both on port 8080.

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.Version=${VERSION}" \
      -o /out/sertika ./cmd/sertika \
 && mkdir -p /out/data

# distroless/static has CA certificates, tzdata and a nonroot user (uid 65532), nothing else.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/sertika /sertika
# /data belongs to nonroot so that a fresh named volume is writable (SQLite file, keys).
COPY --from=build --chown=65532:65532 /out/data /data
ENV SERTIKA_DATA_DIR=/data \
    SERTIKA_ADDR=:8080
USER nonroot
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/sertika"]
CMD ["serve"]
