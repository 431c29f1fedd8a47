# Lijntje: `make demo` runs it, `make test` tests it.
GO ?= go
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: build run demo services test lint bench

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o bin/lijntje ./cmd/lijntje

# The real bot with a real token (TELEGRAM_TOKEN, see README).
run: services build
	./bin/lijntje serve

# The whole thing in a browser, no Telegram account needed.
demo: services
	$(GO) run ./cmd/lijntje demo

# Postgres and Redis running (started, or installed with apt-get).
services:
	@scripts/services.sh

test: services
	test -z "$$(gofmt -l .)" || (echo "gofmt needed:"; gofmt -l .; exit 1)
	$(GO) vet ./...
	$(GO) run ./cmd/lijntje flows check
	$(GO) test -race -count=1 -parallel 8 -timeout 8m ./...

lint:
	test -z "$$(gofmt -l .)" || (echo "gofmt needed:"; gofmt -l .; exit 1)
	$(GO) vet ./...
	$(STATICCHECK) ./...

# The load benchmark and the wave (docs/benchmark.md).
bench: services
	$(GO) run ./cmd/lijntje bench
	$(GO) run ./cmd/lijntje bench --wave
