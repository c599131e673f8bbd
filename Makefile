# rvm: `make demo` runs the main job on loopback, `make test` runs every test.
GO       ?= go
BIN      ?= bin
FUZZTIME ?= 10s

.PHONY: all build test test-windows demo bench fuzz lint clean

all: build

build:
	$(GO) build -o $(BIN)/ ./cmd/...

test:
	$(GO) test -count=1 ./...

# The Windows tests under Wine, with the real (Wine) registry; skipped with a
# message where Wine cannot be installed.
test-windows:
	.ci/test-windows -timeout 10m

# A signed app served over TLS on loopback, fetched, verified, decided and
# launched, offline.
demo:
	sh testdata/demo/demo.sh

bench:
	sh testdata/bench/bench.sh

# Each fuzz target for FUZZTIME.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzManifest$$' -fuzztime $(FUZZTIME) ./manifest
	$(GO) test -run '^$$' -fuzz '^FuzzTrustedAppConfigs$$' -fuzztime $(FUZZTIME) ./manifest/trust
	$(GO) test -run '^$$' -fuzz '^FuzzPattern$$' -fuzztime $(FUZZTIME) ./permissions/pattern
	$(GO) test -run '^$$' -fuzz '^FuzzOwnerSettings$$' -fuzztime $(FUZZTIME) ./permissions

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt: these files need formatting:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOOS=windows $(GO) vet ./...
	GOOS=darwin $(GO) vet ./...
	GOOS=windows $(GO) build ./...
	GOOS=darwin $(GO) build ./...

clean:
	rm -rf $(BIN)
