# Builds the callcenter binary (pure Go, no cgo) into a small image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/callcenter ./cmd/callcenter

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/callcenter /usr/local/bin/callcenter
WORKDIR /var/lib/callcenter
EXPOSE 8080 8084
ENTRYPOINT ["callcenter"]
CMD ["serve"]
