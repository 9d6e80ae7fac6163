# Masthead as a container image: one static binary on a distroless base.
#
#   docker build -t masthead .
#   docker run -p 8080:8080 -v masthead-data:/data masthead
#
# The binary is built with CGO_ENABLED=0 and -tags nodynamic (the WebP
# encoder uses its built-in WebAssembly build, not a system libwebp), so the
# image holds nothing but it, CA certificates and time zone data.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -tags nodynamic -trimpath -ldflags="-s -w" -o /out/masthead ./cmd/masthead \
    && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/masthead /usr/local/bin/masthead
# A named volume mounted here starts with this directory's owner, so the
# unprivileged user can write to it.
COPY --from=build --chown=65532:65532 /out/data /data
# SQLite database and local media live here; mount a volume. With
# PostgreSQL and S3 (MASTHEAD_DATABASE_URL, MASTHEAD_MEDIA_STORAGE=s3) the
# container keeps nothing and any number can run side by side.
ENV MASTHEAD_DATA=/data \
    MASTHEAD_ADDR=0.0.0.0:8080
VOLUME ["/data"]
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/masthead"]
CMD ["serve"]
