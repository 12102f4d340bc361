# The ragcite image: one static binary on a distroless base, run as a
# non-root user, listening on all interfaces inside the container.
# compose.yaml (beside this file) runs it with a volume for the store.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/ragcite ./cmd/ragcite && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ragcite /ragcite
# The store lives in /data, owned by the image's non-root user (65532), so a
# named volume mounted there starts out writable.
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV RAGCITE_ADDR=0.0.0.0:8080 \
    RAGCITE_DATA=/data
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["/ragcite", "healthcheck"]
ENTRYPOINT ["/ragcite"]
CMD ["serve"]
