# A small image of ragcite for the compose example in the README.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /ragcite ./cmd/ragcite

FROM gcr.io/distroless/static-debian12
COPY --from=build /ragcite /ragcite
ENTRYPOINT ["/ragcite"]
