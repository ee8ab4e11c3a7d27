# syntax=docker/dockerfile:1

# Build: a static binary (the embedded store's SQLite is pure Go, no cgo).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/capsat ./cmd/capsat \
	&& mkdir -p /out/data

# Run: no shell, no package manager, a non-root user (65532), CA certificates
# for mongodb+srv:// and TLS connections.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/capsat /usr/local/bin/capsat
COPY --from=build --chown=65532:65532 /out/data /data
ENV CAPSAT_ADDR=:8080 \
	CAPSAT_DATA_DIR=/data \
	CAPSAT_BASE_URL=http://localhost:8080
# The embedded store's data, used when MONGODB_URI is not set.
VOLUME /data
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/capsat"]
CMD ["serve"]
