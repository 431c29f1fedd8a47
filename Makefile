# Lijntje: `make run` runs it, `make test` tests it.
GO ?= go
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)

.PHONY: build run test lint bench

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o bin/lijntje ./cmd/lijntje

run: build
	./bin/lijntje serve

test:
	test -z "$$(gofmt -l .)" || (echo "gofmt needed:"; gofmt -l .; exit 1)
	$(GO) vet ./...
	$(GO) run ./cmd/lijntje flows check
	$(GO) test -race -count=1 -parallel 8 -timeout 8m ./...
