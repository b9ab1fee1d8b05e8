# corskit: the commands the README gives. `make test` is what CI runs.
GO ?= go
FUZZTIME ?= 30s
# The browser engines the real-browser suite runs in: chromium, firefox,
# webkit, a comma-separated list of them, or empty for all three
# (make e2e ENGINE=firefox).
ENGINE ?=

.PHONY: test unit examples gate gate-bench e2e e2e-run bench bench-check fuzz demo vet record-origins record-differential

# (The e2e module is one package; running go test without a package list keeps
# its "skipping: no Chromium" message visible.)
#
# Everything a change must pass: vet, the library's unit, example, allocation
# and fuzz-seed tests under the race detector, the nested modules' tests, and
# the real-browser suite in Chromium, Firefox and WebKit (an engine that cannot
# run here is skipped with a message, except under CI=true, where it fails).
# The README's quick starts are checked by examples/quickstart (in unit) and
# examples/chi; corsgate, a module of its own, by gate.
test: vet unit examples gate e2e-run bench-check

vet:
	$(GO) vet ./...
	cd e2e && $(GO) vet ./...
	cd bench && $(GO) vet ./...
	cd examples/chi && $(GO) vet ./...
	cd cmd/corsgate && $(GO) vet ./...

unit:
	$(GO) test -race -count=1 ./...

# The README's chi example, a module of its own (chi stays out of the
# library's go.mod).
examples:
	cd examples/chi && $(GO) test -race -count=1 ./...

# corsgate's own module: unit tests, and the program in front of Debian's
# nginx (faults under load included; needs nginx-light, skipped without it
# unless CI=true).
gate:
	cd cmd/corsgate && $(GO) test -race -count=1 -timeout 8m ./...

# corsgate's load benchmark: direct to nginx, through corsgate, and through
# nginx's own CORS snippet; rewrites the corsgate section of BENCHMARKS.md.
gate-bench:
	cd cmd/corsgate && $(GO) test -run '^$$' -bench '^BenchmarkLoad$$' -benchtime 1x -timeout 60m . -args -bench-out ../../BENCHMARKS.md

e2e-run:
	cd e2e && E2E_ENGINE=$(ENGINE) $(GO) test -count=1 ./internal/...
	cd e2e && E2E_ENGINE=$(ENGINE) $(GO) test -count=1 -timeout 18m

# The real-browser suite alone, verbosely (ENGINE=firefox: one engine).
e2e:
	cd e2e && E2E_ENGINE=$(ENGINE) $(GO) test -count=1 ./internal/...
	cd e2e && E2E_ENGINE=$(ENGINE) $(GO) test -count=1 -timeout 18m -v

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
