# corskit: the commands the README gives. `make test` is what CI runs.
GO ?= go
FUZZTIME ?= 30s
# The browser engines the real-browser suite runs in: chromium, firefox,
# webkit, a comma-separated list of them, or empty for all three
# (make e2e ENGINE=firefox).
ENGINE ?=

# The repository's modules: the ones go.work lists, the one place they are
# written down (directories; the root first).
MODULES = $(shell $(GO) list -m -f '{{.Dir}}')

# staticcheck, pinned; go run fetches it through the module proxy on first
# use and caches the build.
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOFMT ?= $(shell $(GO) env GOROOT)/bin/gofmt

.PHONY: test lint fmt-check vet staticcheck unit examples gate gate-bench e2e e2e-run bench bench-check fuzz demo record-origins record-differential record-har tidy tidy-check bump-root install-test

# (The e2e module is one package; running go test without a package list keeps
# its "skipping: no Chromium" message visible.)
#
# Everything a change must pass: lint, the library's unit, example, allocation
# and fuzz-seed tests under the race detector, the nested modules' tests, and
# the real-browser suite in Chromium, Firefox and WebKit (an engine that cannot
# run here is skipped with a message, except under CI=true, where it fails).
# The README's quick starts are checked by examples/quickstart (in unit),
# examples/chi and examples/gorillamux; corsgate, a module of its own, by gate.
# install-test installs corscheck and corsgate the way the README says, from
# a local module proxy holding the working tree as a release.
test: lint unit examples gate e2e-run bench-check install-test

# Lint, in every module of MODULES: gofmt, go vet, staticcheck and tidy
# go.mod files (tidy-check, below). Each step reports every module's
# findings, then fails if any.
lint: fmt-check vet staticcheck tidy-check

# gofmt -l must print nothing (one walk covers every module).
fmt-check:
	@out=$$($(GOFMT) -l .); if [ -n "$$out" ]; then printf 'gofmt -l: run gofmt -w on:\n%s\n' "$$out"; exit 1; fi

vet:
	@st=0; for d in $(MODULES); do echo "go vet in $$d"; (cd $$d && $(GO) vet ./...) || st=1; done; exit $$st

staticcheck:
	@st=0; for d in $(MODULES); do echo "staticcheck in $$d"; (cd $$d && $(STATICCHECK) ./...) || st=1; done; exit $$st

unit:
	$(GO) test -race -count=1 ./...

# The README's chi and gorilla/mux examples and the WebSocket example (real
# sockets with gorilla/websocket and coder/websocket), modules of their own
# (their dependencies stay out of the library's go.mod).
examples:
	cd examples/chi && $(GO) test -race -count=1 ./...
	cd examples/gorillamux && $(GO) test -race -count=1 ./...
	cd examples/websocket && $(GO) test -race -count=1 ./...

# go mod tidy in every module, each as its users build it: outside the
# workspace, with the library at the version the module requires, served
# from this repository's history (release/cmd/tidy). tidy-check changes
# nothing and fails if a go.mod or go.sum is not tidy (make lint runs it).
tidy:
	$(GO) run ./release/cmd/tidy
tidy-check:
	$(GO) run ./release/cmd/tidy -diff

# Make every nested module require the library at commit (of main) or tag
# REV, and tidy them: after a nested module starts using something the
# library gained since, and at a release (REV=v0.1.0).
bump-root:
	@test -n "$(REV)" || { echo "usage: make bump-root REV=<commit on main, or tag>"; exit 2; }
	$(GO) run ./release/cmd/tidy -root $(REV)

# The README's go install lines, run in a clean module cache against a
# local module proxy that holds the working tree as v0.1.0.
install-test:
	cd release && $(GO) test -count=1 ./...

# corsgate's own module: unit tests, and the program in front of Debian's
# nginx (faults under load included; needs nginx-light, skipped without it
# unless CI=true).
gate:
	cd cmd/corsgate && $(GO) test -race -count=1 -timeout 8m ./...

# corsgate's load benchmark: direct to nginx, through corsgate, and through
# nginx's own CORS snippet; rewrites the corsgate section of BENCHMARKS.md.
gate-bench:
	cd cmd/corsgate && $(GO) test -run '^$$' -bench '^BenchmarkLoad$$' -benchtime 1x -timeout 60m . -args -bench-out ../../BENCHMARKS.md

# The browser suite's time limit is a backstop, not its budget. A loaded
# machine slows every case alike and must not fail the run: beside other
# builds (load average 4 to 30 on 2 cores) the suite has taken 8.5 to 17.5
# minutes where an idle run takes about 4. A hang fails it much sooner:
# each case's waits are bounded (one minute), each browser start (three),
# and the suite stops itself when no case has begun or ended for 10
# minutes, naming the open cases (e2e/progress_test.go). It prints a
# progress line every 30 s, and at the end each test's cases and time per
# engine, from which this is derived: 450 cases, 0.3 to 0.5 s each idle
# and 1 to 3 s under that load; 60 minutes is 15 times an idle run and over
# 3 times the slowest loaded one.
E2E_TIMEOUT ?= 60m

e2e-run:
	cd e2e && E2E_ENGINE=$(ENGINE) $(GO) test -count=1 -timeout 10m ./internal/...
	cd e2e && E2E_ENGINE=$(ENGINE) $(GO) test -count=1 -timeout $(E2E_TIMEOUT)

# The real-browser suite alone, verbosely (ENGINE=firefox: one engine).
e2e:
	cd e2e && E2E_ENGINE=$(ENGINE) $(GO) test -count=1 -timeout 10m ./internal/...
	cd e2e && E2E_ENGINE=$(ENGINE) $(GO) test -count=1 -timeout $(E2E_TIMEOUT) -v

# The bench module's own correctness tests (every library gets the same policy).
bench-check:
	cd bench && $(GO) test -count=1 -run 'Test' ./...

# Comparative benchmarks; writes BENCHMARKS.md.
bench:
	cd bench && ./run.sh

# Run every fuzz target for FUZZTIME each (go test runs their seeds always).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

demo:
	$(GO) run ./cmd/corsdemo

# Re-record the differential corpus (480 cases): generate every case afresh,
# run it in each engine (ENGINE=…, default all three) and write the engines'
# answers to internal/difftest/testdata/differential.json; ENGINE=firefox
# records Firefox's answers alone and keeps the others'. About 5 minutes on
# 2 idle CPUs; the same browsers give the same file. Commit the result: make
# test replays it without a browser.
record-differential:
	cd e2e && E2E_ENGINE=$(ENGINE) DIFFTEST_RECORD=$(CURDIR)/internal/difftest/testdata/differential.json $(GO) test -count=1 -timeout 50m -run 'TestDifferentialRecord$$' -v .

# Re-record the origin corpus (internal/origincorpus/testdata/origins.json):
# what the URL parser of each engine (ENGINE=…, default all three) makes of
# each generated origin string and of every replacement New suggests. Run it
# after changing the generator or a suggestion; make test replays the
# recording and checks it is still what the browsers say.
record-origins:
	cd e2e && E2E_ENGINE=$(ENGINE) CORSKIT_RECORD=origins $(GO) test -count=1 -run '^TestOriginCorpus$$' -v .

# Re-record the HAR files check/har's tests replay (check/har/testdata): the
# conformance rows, made by a page in Chromium while Playwright's recordHar
# records them, and in a Firefox with DevTools open (under an Xvfb of the
# suite's own) while its network monitor exports a HAR of each page, with
# what the page saw and the CORS lines the browser printed beside them.
# npm ci installs playwright-core (no browser download: Debian's Chromium is
# used). About two minutes; make test replays the files without a browser.
record-har:
	cd e2e/harrecord && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	cd e2e && $(GO) test -count=1 -timeout 20m -run '^TestRecordHAR$$' -v . -args -record-har $(CURDIR)/check/har/testdata
