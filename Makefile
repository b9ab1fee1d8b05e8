# corskit: the commands the README gives. `make test` is what CI runs.
GO ?= go
FUZZTIME ?= 30s

.PHONY: test unit e2e e2e-run bench bench-check fuzz demo vet record-origins gate gate-bench

# (The e2e module is one package; running go test without a package list keeps
# its "skipping: no Chromium" message visible.)
#
# Everything a change must pass: vet, the library's unit, example, allocation
# and fuzz-seed tests under the race detector, the nested modules' tests, and
# the real-browser suite (skipped with a message when Chromium is absent,
# except under CI=true, where a missing browser fails).
test: vet unit gate e2e-run bench-check

vet:
	$(GO) vet ./...
	cd e2e && $(GO) vet ./...
	cd bench && $(GO) vet ./...
	cd cmd/corsgate && $(GO) vet ./...

unit:
	$(GO) test -race -count=1 ./...

e2e-run:
	cd e2e && $(GO) test -count=1 -timeout 6m

# The real-browser suite alone, verbosely.
e2e:
	cd e2e && $(GO) test -count=1 -timeout 6m -v

# The bench module's own correctness tests (every library gets the same policy).
bench-check:
	cd bench && $(GO) test -count=1 -run 'Test' ./...

# corsgate's own module: unit tests, and the program in front of Debian's
# nginx (faults under load included; needs nginx-light, skipped without it
# unless CI=true).
gate:
	cd cmd/corsgate && $(GO) test -race -count=1 -timeout 8m ./...

# corsgate's load benchmark: direct to nginx, through corsgate, and through
# nginx's own CORS snippet; rewrites the corsgate section of BENCHMARKS.md.
gate-bench:
	cd cmd/corsgate && $(GO) test -run '^$$' -bench '^BenchmarkLoad$$' -benchtime 1x -timeout 60m . -args -bench-out ../../BENCHMARKS.md

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

# Re-record the origin corpus (internal/origincorpus/testdata/origins.json):
# what Chromium's URL parser makes of each generated origin string and of
# every replacement New suggests. Run it after changing the generator or a
# suggestion; make test replays the recording and checks it is still what
# Chromium says.
record-origins:
	cd e2e && CORSKIT_RECORD=origins $(GO) test -count=1 -run '^TestOriginCorpus$$' -v .
