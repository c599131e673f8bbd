# rvm: `make demo` runs the main job on loopback, `make test` runs every test.
GO       ?= go
BIN      ?= bin
# A count of executions, not a duration: with a duration, Go 1.26's fuzz
# coordinator can report its own deadline as a failure ("context deadline
# exceeded", no failing input; golang/go#75804, fixed in Go 1.27).
# 50,000 executions take 2 to 25 s a target here.
FUZZTIME ?= 50000x
# Go minimizes each new input for up to 60s by default, reporting no
# executions meanwhile, so that a 10s run could end mid-minimization
# ("context deadline exceeded"); a few seconds bound it.
FUZZMINIMIZETIME ?= 3s

# The version, from its one place (deploy/version.sh), and the commit; give
# VERSION= (and COMMIT=) where this is not a git checkout. The binaries
# report both (rvm --version).
ifeq ($(origin VERSION), undefined)
VERSION := $(shell deploy/version.sh)
endif
ifeq ($(origin COMMIT), undefined)
COMMIT := $(shell git rev-parse HEAD 2>/dev/null)
endif
LDFLAGS = -X main.version=$(VERSION) -X main.commit=$(COMMIT)
DIST    ?= dist

# The Go programs under testdata/, which go vet ./... skips (the go command
# leaves out testdata directories): lint names them, and fails when a Go
# file under testdata/ lies outside them.
TESTDATA_GO = ./testdata/bench ./testdata/bench/floor ./testdata/demo/server

.PHONY: all build generate packages test test-windows demo bench fuzz lint clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ ./cmd/...

# The Group Policy templates, the configuration profile and the JSON
# Schemas under deploy/, from the settings table and the permission names
# (deploy/gen); a test fails where a committed file is stale.
generate:
	$(GO) generate ./deploy/...

# rvm_<version>_<arch>.deb, rvm-<version>.<arch>.rpm and
# rvm-<version>-x64.msi in DIST, installing wixl where it is missing and
# can be installed (deploy/packages.sh says what is missing where not).
packages:
	VERSION="$(VERSION)" COMMIT="$(COMMIT)" deploy/packages.sh --install-tools $(DIST)

test:
	$(GO) test -count=1 ./...

# The Windows tests under Wine, with the real (Wine) registry; skipped with a
# message where Wine cannot be installed.
test-windows:
	.ci/test-windows -timeout 10m

# A signed app served over TLS on loopback, fetched, verified and decided,
# and its runtime published with rvm-repo, downloaded, verified (TUF),
# installed and launched, offline.
demo:
	sh testdata/demo/demo.sh

bench:
	sh testdata/bench/bench.sh

# Each fuzz target for FUZZTIME.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzManifest$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) ./manifest
	$(GO) test -run '^$$' -fuzz '^FuzzTrustedAppConfigs$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) ./manifest/trust
	$(GO) test -run '^$$' -fuzz '^FuzzDocument$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) ./manifest/trust
	$(GO) test -run '^$$' -fuzz '^FuzzOtherEncoding$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) ./manifest/trust
	$(GO) test -run '^$$' -fuzz '^FuzzIssuingPoint$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) ./manifest/trust
	$(GO) test -run '^$$' -fuzz '^FuzzPattern$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) ./permissions/pattern
	$(GO) test -run '^$$' -fuzz '^FuzzNormalizeURL$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) ./permissions/pattern
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) ./permissions
	$(GO) test -run '^$$' -fuzz '^FuzzStore$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) ./permissions
	$(GO) test -run '^$$' -fuzz '^FuzzOwnerSettings$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) ./permissions/owner
	$(GO) test -run '^$$' -fuzz '^FuzzStrictJSON$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) ./platform/strictjson
	$(GO) test -run '^$$' -fuzz '^FuzzSettingsFile$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) ./platform/settings

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt: these files need formatting:"; echo "$$out"; exit 1; fi
	@out=$$(find . -path ./.git -prune -o -path '*/testdata/*' -name '*.go' -print | xargs -r -n1 dirname | sort -u | \
		while read -r d; do case " $(TESTDATA_GO) " in *" $$d "*) ;; *) echo "$$d";; esac; done); \
		if [ -n "$$out" ]; then echo "lint: Go under testdata/ that TESTDATA_GO does not name:"; echo "$$out"; exit 1; fi
	$(GO) vet ./... $(TESTDATA_GO)
	GOOS=windows $(GO) vet ./... $(TESTDATA_GO)
	GOOS=darwin $(GO) vet ./... $(TESTDATA_GO)
	GOOS=windows $(GO) build ./...
	GOOS=darwin $(GO) build ./...

clean:
	rm -rf $(BIN) $(DIST)
