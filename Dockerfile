# Two stages: build a static binary, run it as a non-root user in a distroless image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/lijntje ./cmd/lijntje

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/lijntje /usr/local/bin/lijntje
USER nonroot:nonroot
EXPOSE 8080
ENV HTTP_ADDR=:8080
ENTRYPOINT ["/usr/local/bin/lijntje"]
CMD ["serve"]
