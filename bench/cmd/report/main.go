// Command report turns the output of the bench module's BenchmarkCORS
// (go test -bench -benchmem, several -count) into BENCHMARKS.md: medians per
// scenario and library, ratios to rs/cors, the targets corskit is held to,
// the known behavioural differences, the header-sharing check, and the
// machine it ran on. run.sh calls it; see there for the flags.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/corskit/cors/bench"
)

type key struct{ scenario, mw string }

type samples struct{ ns, bytes, allocs []float64 }

type med struct{ ns, bytes, allocs float64 }

func main() {
	in := flag.String("in", "", "go test -bench output")
	out := flag.String("out", "", "Markdown file to write (default stdout)")
	statFile := flag.String("benchstat", "", "benchstat output to append (optional)")
	command := flag.String("cmd", "", "the exact benchmark command, for the record")
	goVersion := flag.String("go", runtime.Version(), "go version the benchmarks ran with")
	rev := flag.String("rev", "", "corskit revision (git describe), for the record")
	statCmd := flag.String("benchstat-cmd", "", "the benchstat command, for the record")
	instrFile := flag.String("instr", "", "instructions per request, one \"scenario mw count\" line per cell (run.sh's results/instr.txt; optional)")
	flag.Parse()
	if *in == "" {
		log.Fatal("report: -in is required")
	}

	data, hdr, err := parse(*in)
	if err != nil {
		log.Fatal(err)
	}
	if len(data) == 0 {
		log.Fatalf("report: no BenchmarkCORS results in %s", *in)
	}
	meds := map[key]med{}
	count := 0
	for k, s := range data {
		meds[k] = med{median(s.ns), median(s.bytes), median(s.allocs)}
		count = max(count, len(s.ns))
	}

	var ins instrCounts
	if *instrFile != "" {
		if ins, err = parseInstr(*instrFile); err != nil {
			log.Fatal(err)
		}
	}

	var b strings.Builder
	write(&b, meds, data, ins, hdr, count, *command, *goVersion, *rev)
	if *statFile != "" {
		st, err := os.ReadFile(*statFile)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Fprintf(&b, "\n## Appendix: benchstat\n\n")
		fmt.Fprintf(&b, "`%s` — medians with 95%% confidence intervals; the \"vs base\" columns compare each library with rs/cors (`~` = not significant at α = 0.05).\n\n", *statCmd)
		fmt.Fprintf(&b, "```\n%s```\n", st)
	}
	if *out == "" {
		io.WriteString(os.Stdout, b.String())
		return
	}
	// corsgate's load benchmark (make gate-bench) keeps its own section at
	// the end of the same file; it survives this rewrite as it was.
	if old, err := os.ReadFile(*out); err == nil {
		if sec := gateSection(string(old)); sec != "" {
			fmt.Fprintf(&b, "\n%s", sec)
		}
	}
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
}

// gateSectionMarker opens the section cmd/corsgate's BenchmarkLoad writes.
const gateSectionMarker = "<!-- corsgate-bench:begin -->"

// gateSection returns corsgate's section of a BENCHMARKS.md, from its
// marker to the end of the file, or "".
func gateSection(md string) string {
	if i := strings.Index(md, gateSectionMarker); i >= 0 {
		return md[i:]
	}
	return ""
}

// parse reads BenchmarkCORS/scenario=S/mw=M[-P] lines, and the goos/goarch/
// cpu header.
func parse(path string) (map[key]*samples, map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	data := map[key]*samples{}
	hdr := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		for _, h := range []string{"goos", "goarch", "cpu", "pkg"} {
			if v, ok := strings.CutPrefix(line, h+": "); ok {
				hdr[h] = v
			}
		}
		if !strings.HasPrefix(line, "BenchmarkCORS/") && !strings.HasPrefix(line, "BenchmarkFloor/") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 {
			continue
		}
		name := fields[0]
		// Strip the -GOMAXPROCS suffix.
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		var k key
		for _, part := range strings.Split(name, "/")[1:] {
			if v, ok := strings.CutPrefix(part, "scenario="); ok {
				k.scenario = v
			} else if v, ok := strings.CutPrefix(part, "mw="); ok {
				k.mw = v
			}
		}
		if k.scenario == "" || k.mw == "" {
			continue
		}
		s := data[k]
		if s == nil {
			s = &samples{}
			data[k] = s
		}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			switch fields[i+1] {
			case "ns/op":
				s.ns = append(s.ns, v)
			case "B/op":
				s.bytes = append(s.bytes, v)
			case "allocs/op":
				s.allocs = append(s.allocs, v)
			}
		}
	}
	return data, hdr, sc.Err()
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func fmtNS(ns float64) string {
	switch {
	case math.IsNaN(ns):
		return "—"
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e4:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	case ns >= 100:
		return fmt.Sprintf("%.0f ns", ns)
	default:
		return fmt.Sprintf("%.1f ns", ns)
	}
}

func fmtBytes(b float64) string {
	switch {
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	case b >= 10*1024:
		return fmt.Sprintf("%.0f KiB", b/1024)
	default:
		return fmt.Sprintf("%.0f B", b)
	}
}

func fmtRatio(r float64) string {
	switch {
	case math.IsNaN(r):
		return ""
	case r >= 100:
		return fmt.Sprintf("%.0f×", r)
	default:
		return fmt.Sprintf("%.2f×", r)
	}
}

var peers = []string{"rs-cors", "go-chi", "gorilla"}

func write(b *strings.Builder, meds map[key]med, data map[key]*samples, ins instrCounts, hdr map[string]string, count int, command, goVersion, rev string) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	get := func(s, mw string) (med, bool) { m, ok := meds[key{s, mw}]; return m, ok }

	p("# Benchmarks: corskit vs rs/cors, go-chi/cors, gorilla/handlers\n\n")
	p("Generated by `make bench` (bench/run.sh → bench/cmd/report). Do not edit by hand.\n\n")
	p("- **Date:** %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	p("- **Machine:** %s, %s; %s, GOMAXPROCS %d (%s/%s)\n", cpuModel(hdr["cpu"]), coreCount(), memTotal(), runtime.GOMAXPROCS(0), orNA(hdr["goos"]), orNA(hdr["goarch"]))
	p("- **Go:** %s\n", goVersion)
	p("- **Libraries:** %s\n", libVersions(rev))
	p("- **Command:** `%s` (%d rounds, one sample per cell per round; the tables show medians)\n\n", command, count)
	p("> **Read ratios, not absolute times.** This is a shared 2-core virtual machine: a cell's samples typically spread by ±10–30 %% (up to ±40 %%) even seconds apart, and absolute ns/op are much higher than on a laptop. The ratios between libraries measured in the same rounds are what carry over, and even they move from run to run: the targets below say which verdicts the rounds disagree on (*within noise*), and the benchstat appendix gives each cell's spread. B/op and allocs/op are exact.\n\n")

	p("## Method\n\n")
	p("One test binary runs `BenchmarkCORS/scenario=<s>/mw=<library>` for every scenario and library (bench/bench_test.go), then `BenchmarkFloor`, in rounds: each round gives every cell one sample, so the samples of two libraries in a scenario are seconds apart rather than a whole suite apart (`go test -count N` would run each cell N times in a row), and each round rotates the order of the libraries within a scenario (`-rotate`). Every measurement starts from a collected heap (`runtime.GC()` before the timer is reset), so that none pays for the garbage of the one before (go-chi and gorilla allocate megabytes per hostile preflight). Every library gets the same policy (bench/bench.go):\n\n")
	p("- origins: `https://app.example.com` (1 origin), or 100 exact origins `https://app000.example.com` … `app099` (the request comes from the **last** one), or the pattern `https://*.example.com`;\n")
	p("- methods `%s`; request headers `%s`; exposed `%s`; credentials **on**; max-age %d s;\n", strings.Join(bench.Methods, ", "), strings.Join(bench.Headers, ", "), strings.Join(bench.Exposed, ", "), bench.MaxAge)
	p("- `allowall-*` use each library's own `AllowAll()` (gorilla has none; see below). Each library keeps its own default preflight status.\n\n")
	p("The wrapped handler writes nothing. The `http.ResponseWriter` is a struct whose header map already holds `Content-Type`, with discarding writes, so the recorder's allocations do not drown the middleware's. Every iteration gets a header map that is fresh or as good as fresh: writers are prepared in batches of 8192 with the timer stopped, and a map is cleared and reused only if it never held more than 8 keys (a fresh 1-key Go map has room for 8, so it cannot have grown: no middleware allocation is hidden). `go test -fresh` allocates a new map per iteration instead; allocs/op and B/op are identical either way. Requests are built once per sub-benchmark, outside the timed loop. `mw=none` is the bare handler (the harness's own cost).\n\n")
	p("`TestSamePolicy` (run by `make test`) checks that in every scenario every library agrees with corskit on the essentials (ACAO present or not, status class, whether the handler ran, `Vary: Origin`) or that the difference is listed below.\n\n")

	// Time table.
	p("## Time (median ns/op; in parentheses: ratio to rs/cors)\n\n")
	p("| scenario | none | **corskit** | rs-cors | go-chi | gorilla |\n|---|---:|---:|---:|---:|---:|\n")
	for _, s := range bench.Scenarios {
		rs, rsOK := get(s.Name, "rs-cors")
		p("| `%s` ", s.Name)
		for _, mw := range []string{"none", "corskit", "rs-cors", "go-chi", "gorilla"} {
			m, ok := get(s.Name, mw)
			if !ok {
				p("| n/a¹ ")
				continue
			}
			cell := fmtNS(m.ns)
			if mw != "none" && rsOK {
				cell += " (" + fmtRatio(m.ns/rs.ns) + ")"
			}
			if mw == "corskit" {
				cell = "**" + cell + "**"
			}
			p("| %s ", cell)
		}
		p("|\n")
	}
	p("\n¹ Not expressible: gorilla/handlers has no origin patterns (exact origins or a validator function only). It is left out rather than faked with a hand-written validator.\n\n")

	// Memory table.
	p("## Memory (median B/op / allocs/op)\n\n")
	p("| scenario | none | **corskit** | rs-cors | go-chi | gorilla |\n|---|---:|---:|---:|---:|---:|\n")
	for _, s := range bench.Scenarios {
		p("| `%s` ", s.Name)
		for _, mw := range []string{"none", "corskit", "rs-cors", "go-chi", "gorilla"} {
			m, ok := get(s.Name, mw)
			if !ok {
				p("| n/a¹ ")
				continue
			}
			cell := fmtBytes(m.bytes) + " / " + strconv.FormatFloat(m.allocs, 'f', -1, 64)
			if mw == "corskit" {
				cell = "**" + cell + "**"
			}
			p("| %s ", cell)
		}
		p("|\n")
	}
	p("\n")

	// Scenarios.
	p("## Scenarios\n\n| scenario | request | policy |\n|---|---|---|\n")
	for _, s := range bench.Scenarios {
		p("| `%s` | %s | %s |\n", s.Name, s.Desc, s.Policy.Name)
	}
	p("\nPreflights ask for `PUT`. The hostile headers are exactly 1 MiB (Go's default `MaxHeaderBytes`) in a single field line.\n\n")

	writeInstr(b, ins)
	writeTargets(b, meds, data, ins)
	writeFloor(b, meds, ins)

	// Known differences.
	p("## Known behavioural differences (recorded in the test table, not hidden)\n\n")
	p("corskit is the reference; a row means the library's response differs from corskit's on the essentials, and the benchmark for that cell measures that behaviour.\n\n")
	p("| scenario | library | outcome | note |\n|---|---|---|---|\n")
	for _, s := range bench.Scenarios {
		for _, mw := range peers {
			k, ok := s.Known[mw]
			if !ok {
				continue
			}
			p("| `%s` | %s | %s | %s |\n", s.Name, mw, k.Got, k.Note)
		}
	}
	p("\nAlso: %s. go-chi's preflight status is a fixed 200, gorilla's default 200, rs/cors's and corskit's 204 (corskit rejects with 403).\n\n", bench.GorillaAllowAllNote)
	p("Under the hostile headers, go-chi and gorilla **accept** the preflight (an all-commas or all-spaces list names no header) after spending milliseconds and megabytes tokenizing it; rs/cors and corskit reject it in bounded time.\n\n")

	// Sharing.
	p("## Shared header slices (`TestHeaderSlicesNotShared`)\n\n")
	p("Claim checked: rs/cors assigns the same `[]string` to the headers of different responses, so a handler or outer middleware that edits a header value in place (`w.Header()[\"Vary\"][0] = …`) corrupts every later response. The test sends a request, overwrites every response header value in place, then sends a fresh request through the same middleware and looks for the overwritten value. It also reports response headers that alias the *request's* slices.\n\n")
	p("| library | shares slices across responses | corrupted in the next response | response aliases request headers |\n|---|---|---|---|\n")
	for _, lib := range bench.Libs {
		if lib.Name == "none" {
			continue
		}
		shared, aliased := bench.SharesHeaderSlices(lib)
		p("| %s | %s | %s | %s |\n", lib.Name, yesNo(len(shared) > 0), listOr(shared, "—"), listOr(aliased, "—"))
	}
	p("\nConfirmed for rs/cors (package-level `headerVaryOrigin`, `headerTrue`, `headerOriginAll` and per-middleware `preflightVary`, `maxAge`, `exposedHeaders`); disproved for go-chi and gorilla (they use `Header.Set`/`Add`, which allocate); corskit gives each response its own backing array.\n")

	p("\n%s", pathNotes)
}

// pathNotes says how corskit's request path gets the numbers above. They
// are implementation notes, kept here rather than in the package
// documentation, which is the user's manual; each names the code it
// describes, whose comments say more.
const pathNotes = `## How corskit keeps its request path short

These are the techniques behind corskit's rows, and why each is safe. Users need none of them: the package documentation promises one allocation per response, none for a refused preflight, and no shared header slices.

- **One atomic load per request.** The policy is compiled once, by ` + "`New` and `Reconfigure`" + ` (config.go ` + "`compile`" + `), into an immutable value behind an ` + "`atomic.Pointer`" + ` (cors.go ` + "`Middleware`" + `); ` + "`Reconfigure`" + ` never blocks a request.
- **No ` + "`Header.Get`" + `.** Request headers are read by direct map access with canonical keys (the ` + "`fetch.Header…`" + ` constants), not ` + "`Header.Get`" + `, which canonicalises its key on every call. Requests parsed by net/http always have canonical keys.
- **One allocation per response, shared with no other.** Every header value a response needs is cut from one ` + "`[]string`" + ` allocated for that response alone (cors.go ` + "`slots`, `values`" + `), as slices whose capacity equals their length, with room to copy the Vary lines an outer handler set. The array is allocated as an array type of its exact size (` + "`new([6]string)`, not `make([]string, 6)`" + `), which the runtime sets up with about a quarter fewer instructions: the pointer bitmap comes with the type. Sharing precomputed slices between responses would save the allocation, but then a handler that edits a header value in place would corrupt every later response (the rs/cors row above); and the capacity limit makes a later ` + "`Header().Add`" + ` copy rather than overwrite a neighbouring value. Only the strings, which Go never changes, are shared.
- **Dispatch in the handler's closure.** Every request is classified in the closure ` + "`Handler`" + ` returns, without a further call: a request without Origin, the commonest kind, is answered there, with one lookup of Origin shared with the CORS path; a stranger's preflight is refused there.
- **A preflight is judged in one pass, in the browser's order** (cors.go ` + "`preflight`" + `): a stranger's is refused as soon as its origin is read, one that passes is answered there and then, one that fails gets its bare 403, and only debug mode's answer is built by a separate function (` + "`debugPreflight`" + `). ` + "`Access-Control-Request-Private-Network`" + ` is read last, so a preflight refused for its method or headers never pays for it. A refused preflight writes only its status: no header, no allocation.
- **Precomputed answers.** The answer to a successful preflight is worked out when the policy is compiled, for each kind of preflight that answers differently (safelisted method or not, request headers or not, Private Network Access or not): its header names and values, all constant but the origin (answer.go). Serving one is an allocation, a copy and one map store per header. The answers are made by the code that writes the headers otherwise (` + "`preflightHeaders`" + `), so they cannot drift from it; a kind whose answer echoes the request (any method or header with credentials) and a response that already has a Vary take that general path, and ` + "`FuzzMiddleware`" + ` checks that the two give the same headers.
- **Small sets compared in turn.** Up to eight exact origins, and up to eight allowed header names, are compared one by one, which is cheaper than hashing; larger sets use a map. Allowed methods, a handful in any real policy, are always compared in turn. A ` + "`*.`" + ` pattern with a fixed port is matched by the scheme in front, the parent domain behind and DNS labels between, without splitting the origin (internal/origin). Nothing allocates; ` + "`FuzzContains`" + ` checks each form against a plain reference.
- **Access-Control-Request-Headers by merge.** A line as browsers send it (lower case, sorted, no duplicates, no spaces: Fetch §4.8) is checked by walking it and the sorted allowed names together, like a merge: each allowed name in turn is tried as a prefix at the current position, so there is neither a search for the next comma nor a per-byte token check (a name equal to an allowed one is a token). With ` + "`AllowedHeaders: [\"*\"]`" + `, a line in that form is checked in one pass over its bytes. Whatever does not fit that form (mixed case, any order, spaces, a name not allowed) is scanned from where the merge stopped; each name is compared as sent and lower-cased into a stack buffer only if it has upper-case bytes (internal/acrh). The documented limits bound both, and ` + "`FuzzCheck`" + ` checks that the two agree with a plain split-and-trim reference.
`

type verdict struct {
	target, scenario, detail string
	ok                       bool
	noise                    bool // the rounds disagree on ok (see spread)
}

// spread returns the range of the ratios a[i]/b[i], where a and b are two
// cells' ns/op in the order of the rounds that took them, leaving out the
// highest and the lowest ratio when there are five rounds or more. The two
// samples of a round were taken seconds apart, so each ratio is a paired
// measurement, and the range is where a verdict on the medians could have
// fallen on another run. ok is false unless both cells have one sample per
// round.
func spread(a, b []float64) (lo, hi float64, ok bool) {
	if len(a) != len(b) || len(a) < 3 {
		return 0, 0, false
	}
	r := make([]float64, len(a))
	for i := range a {
		r[i] = a[i] / b[i]
	}
	slices.Sort(r)
	if len(r) >= 5 {
		r = r[1 : len(r)-1]
	}
	return r[0], r[len(r)-1], true
}

// noisy reports whether corskit's and other's rounds in scenario s
// disagree on a verdict "ratio <= limit" (strict: "ratio < limit"), and
// describes their spread.
func noisy(data map[key]*samples, s, other string, limit float64, strict bool) (noise bool, detail string) {
	a, b := data[key{s, "corskit"}], data[key{s, other}]
	if a == nil || b == nil {
		return false, ""
	}
	lo, hi, ok := spread(a.ns, b.ns)
	if !ok {
		return false, ""
	}
	meets := func(r float64) bool { return r <= limit && (!strict || r < limit) }
	return meets(lo) != meets(hi), fmt.Sprintf("; rounds %.2f–%s", lo, fmtRatio(hi))
}

func writeTargets(b *strings.Builder, meds map[key]med, data map[key]*samples, ins instrCounts) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	var vs []verdict
	add := func(target, scenario string, ok bool, format string, a ...any) {
		vs = append(vs, verdict{target, scenario, fmt.Sprintf(format, a...), ok, false})
	}
	// addNoisy is add for a verdict on the ratio of corskit to other.
	addNoisy := func(target, scenario, other string, limit float64, strict, ok bool, detail string) {
		noise, d := noisy(data, scenario, other, limit, strict)
		vs = append(vs, verdict{target, scenario, detail + d, ok, noise})
	}
	for _, s := range bench.Scenarios {
		ck, ok := meds[key{s.Name, "corskit"}]
		if !ok {
			continue
		}
		switch s.Group {
		case "allowed", "preflight", "rejected-preflight", "hostile":
			rs := meds[key{s.Name, "rs-cors"}]
			r := ck.ns / rs.ns
			detail := fmt.Sprintf("%s vs %s = %s", fmtNS(ck.ns), fmtNS(rs.ns), fmtRatio(r))
			if ir, ok := ins.ratio(s.Name, "corskit", "rs-cors"); ok {
				detail += fmt.Sprintf(" (instructions %s)", fmtRatio(ir))
			}
			if fl, ok := meds[key{s.Name, "floor-unshared"}]; ok && r > 0.6 && fl.ns > 0.6*rs.ns {
				detail += fmt.Sprintf("; unreachable: the floor alone is %s = %s (see below)", fmtNS(fl.ns), fmtRatio(fl.ns/rs.ns))
			}
			addNoisy("T1 ≤ 0.6 × rs/cors", s.Name, "rs-cors", 0.6, false, r <= 0.6, detail)
			fastest, fname := math.Inf(1), ""
			for _, mw := range peers {
				if m, ok := meds[key{s.Name, mw}]; ok && m.ns < fastest {
					fastest, fname = m.ns, mw
				}
			}
			detail = fmt.Sprintf("fastest peer %s %s; corskit %s", fname, fmtNS(fastest), fmtRatio(ck.ns/fastest))
			if ck.ns >= fastest {
				if k, ok := s.Known[fname]; ok {
					detail += fmt.Sprintf(" (%s)", k.Note)
				}
				if fl, ok := meds[key{s.Name, "floor-unshared"}]; ok {
					detail += fmt.Sprintf("; the floor is %s", fmtNS(fl.ns))
				}
			}
			addNoisy("T2 faster than every peer", s.Name, fname, 1, true, ck.ns < fastest, detail)
		case "plain":
			fastest, fname := math.Inf(1), ""
			for _, mw := range peers {
				m, ok := meds[key{s.Name, mw}]
				if !ok {
					continue
				}
				if want, _ := s.Expected(mw); !want.Vary {
					continue
				}
				if m.ns < fastest {
					fastest, fname = m.ns, mw
				}
			}
			detail := fmt.Sprintf("%s (%s) vs corskit %s = %s", fname, fmtNS(fastest), fmtNS(ck.ns), fmtRatio(ck.ns/fastest))
			if ir, ok := ins.ratio(s.Name, "corskit", fname); ok {
				detail += fmt.Sprintf(" (instructions %s)", fmtRatio(ir))
			}
			if fl, ok := meds[key{s.Name, "floor-unshared"}]; ok && ck.ns > fastest && fl.ns > fastest {
				detail += fmt.Sprintf("; unreachable without sharing: the unshared floor alone is %s, and %s shares its Vary slice between responses (see below)", fmtNS(fl.ns), fname)
			}
			addNoisy("T3 ≤ fastest peer that sends Vary: Origin", s.Name, fname, 1, false, ck.ns <= fastest, detail)
		}
		limit := 1.0
		if s.Group == "rejected-preflight" || s.Group == "hostile" {
			limit = 0
		}
		add(fmt.Sprintf("T4 allocs/op ≤ %g", limit), s.Name, ck.allocs <= limit, "%g allocs/op, %s/op", ck.allocs, fmtBytes(ck.bytes))
		if s.Group == "hostile" {
			short := meds[key{"preflight-disallowed-header", "corskit"}]
			add("T5 hostile: < 1 µs", s.Name, ck.ns < 1000, "%s", fmtNS(ck.ns))
			add("T5 hostile: B/op ≤ short header's", s.Name, ck.bytes <= short.bytes, "%s vs %s (preflight-disallowed-header)", fmtBytes(ck.bytes), fmtBytes(short.bytes))
		}
	}
	met, noise := 0, 0
	for _, v := range vs {
		if v.ok {
			met++
		}
		if v.noise {
			noise++
		}
	}
	p("## Targets for corskit (%d of %d met; %d verdicts within noise)\n\n", met, len(vs), noise)
	p("- **T1/T2** allowed actual requests, preflights (allowed or not) and the hostile headers: corskit ≤ 0.6 × rs/cors **and** faster than every other peer.\n")
	p("- **T3** non-CORS and disallowed actual requests: no slower than the fastest peer that still sends `Vary: Origin` there (gorilla does not, so it is excluded).\n")
	p("- **T4** ≤ 1 alloc/op on every path, 0 on a rejected preflight (the hostile ones included).\n")
	p("- **T5** hostile 1 MiB header: under 1 µs and no more memory than a short header.\n\n")
	p("Verdicts compare medians strictly. Each round times corskit and its peer seconds apart, so the ratio of their two samples in one round is a paired measurement; \"rounds a–b×\" is the range of those ratios over the rounds, without the highest and the lowest. A verdict is marked *within noise* when that range straddles its threshold: some rounds meet the target and some do not, and another run could turn the verdict either way.\n\n")
	p("| target | scenario | result | measured |\n|---|---|---|---|\n")
	for _, v := range vs {
		res := "met"
		if !v.ok {
			res = "**MISSED**"
		}
		if v.noise {
			res += " (within noise)"
		}
		p("| %s | `%s` | %s | %s |\n", v.target, v.scenario, res, v.detail)
	}
	p("\n")
}

// instrCounts are instructions per request by cell, from cmd/instr.
type instrCounts map[key]float64

func parseInstr(path string) (instrCounts, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ins := instrCounts{}
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return nil, fmt.Errorf("%s:%d: want \"scenario mw count\", got %q", path, i+1, line)
		}
		n, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
		}
		ins[key{f[0], f[1]}] = n
	}
	return ins, nil
}

// own returns the instructions of mw's request in scenario s minus those of
// mw=none (the harness's reset of the header map): the middleware's own.
func (ins instrCounts) own(s, mw string) (float64, bool) {
	n, ok := ins[key{s, mw}]
	base, okBase := ins[key{s, "none"}]
	if !ok || !okBase {
		return 0, false
	}
	return n - base, true
}

// ratio returns own(s, a) / own(s, b).
func (ins instrCounts) ratio(s, a, b string) (float64, bool) {
	x, ok := ins.own(s, a)
	y, okY := ins.own(s, b)
	if !ok || !okY || y <= 0 {
		return 0, false
	}
	return x / y, true
}

func fmtInstr(n float64) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.1f M", n/1e6)
	case n >= 1e5:
		return fmt.Sprintf("%.0f k", n/1e3)
	case n >= 1e4:
		return fmt.Sprintf("%.1f k", n/1e3)
	default:
		return fmt.Sprintf("%.0f", n)
	}
}

// writeInstr reports cmd/instr's counts, when there are any.
func writeInstr(b *strings.Builder, ins instrCounts) {
	if len(ins) == 0 {
		return
	}
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	p("## Instructions per request (callgrind; in parentheses: ratio to rs/cors)\n\n")
	p("Each cell's request served a few thousand times by `bench/cmd/instr` under `valgrind --tool=callgrind` with the garbage collector off; the count is the difference between two such runs divided by the difference in requests, minus the count of `mw=none` (the harness clearing the header map), so it is the middleware's own work. Counts repeat from run to run within a few per cent (map hash seeds are random), where times on this machine spread by tens of per cent, so they show what a change did when the times cannot; but they leave out the collector (whose share follows B/op), cache misses and stalls, and instructions are not all equally dear (answering Vary with `h[\"Vary\"] = append(h[\"Vary\"], \"Origin\")`, one map operation and a `growslice`, was fewer instructions than a lookup and a store, and slower), so the verdicts below stay on time.\n\n")
	p("| scenario | **corskit** | rs-cors | go-chi | gorilla | floor-unshared | floor-shared |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range bench.Scenarios {
		p("| `%s` ", s.Name)
		for _, mw := range []string{"corskit", "rs-cors", "go-chi", "gorilla", "floor-unshared", "floor-shared"} {
			n, ok := ins.own(s.Name, mw)
			if !ok {
				if _, reason, _ := bench.Cell(s, mw); reason != "" {
					p("| n/a¹ ") // the library cannot express the policy
				} else {
					p("| — ")
				}
				continue
			}
			cell := fmtInstr(n)
			if r, ok := ins.ratio(s.Name, mw, "rs-cors"); ok && mw != "rs-cors" {
				cell += " (" + fmtRatio(r) + ")"
			}
			if mw == "corskit" {
				cell = "**" + cell + "**"
			}
			p("| %s ", cell)
		}
		p("|\n")
	}
	p("\n")
}

// writeFloor reports BenchmarkFloor: what the header map alone costs.
func writeFloor(b *strings.Builder, meds map[key]med, ins instrCounts) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	p("## The floor: what the header map alone costs (`BenchmarkFloor`)\n\n")
	p("For every scenario whose answer writes headers, and for the rejected-origin preflight (which writes only its 403 but must look up Access-Control-Request-Method to know it is a preflight), `floor-unshared` does only what any correct middleware must: look up the request headers that decide the answer and write the response headers that answer it, from one backing array per response, with no policy check and no parsing (so it costs the same for one origin, a subdomain pattern or 100 origins, and for one requested header or three). `floor-shared` does the same with package-level slices shared by every response, as rs/cors does. `TestFloorAnswers` checks that each floor writes the same header set as corskit. Where 0.6 × rs/cors is below `floor-unshared`, no middleware that writes those headers without sharing can meet target T1.\n\n")
	p("| scenario | floor-unshared | floor-shared | **corskit** | rs-cors | 0.6 × rs-cors | corskit above the floor | in instructions |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range bench.Scenarios {
		fu, ok := meds[key{s.Name, "floor-unshared"}]
		if !ok {
			continue
		}
		fs := meds[key{s.Name, "floor-shared"}]
		ck := meds[key{s.Name, "corskit"}]
		rs := meds[key{s.Name, "rs-cors"}]
		above := "—"
		if c, ok := ins.own(s.Name, "corskit"); ok {
			if f, ok := ins.own(s.Name, "floor-unshared"); ok {
				above = fmt.Sprintf("%+.0f", c-f)
			}
		}
		p("| `%s` | %s (%g alloc) | %s (%g alloc) | **%s** | %s | %s | %s | %s |\n", s.Name, fmtNS(fu.ns), fu.allocs, fmtNS(fs.ns), fs.allocs, fmtNS(ck.ns), fmtNS(rs.ns), fmtNS(0.6*rs.ns), fmtNS(ck.ns-fu.ns), above)
	}
	p("\n")
}

func cpuModel(fallback string) string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return orNA(fallback)
}

func coreCount() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return fmt.Sprintf("%d logical CPUs", runtime.NumCPU())
	}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		if k, _, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "processor" {
			n++
		}
	}
	return fmt.Sprintf("%d logical CPUs (/proc/cpuinfo)", n)
}

func memTotal() string {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "memory unknown"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			f := strings.Fields(v)
			if kb, err := strconv.ParseFloat(f[0], 64); err == nil {
				return fmt.Sprintf("%.1f GiB RAM", kb/(1<<20))
			}
		}
	}
	return "memory unknown"
}

func libVersions(rev string) string {
	var parts []string
	ck := "corskit (this repository"
	if rev != "" {
		ck += ", " + rev
	}
	parts = append(parts, ck+")")
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			switch d.Path {
			case "github.com/rs/cors", "github.com/go-chi/cors", "github.com/gorilla/handlers":
				parts = append(parts, d.Path+" "+d.Version)
			}
		}
	}
	return strings.Join(parts, ", ")
}

func orNA(s string) string {
	if s == "" {
		return "n/a"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "**yes**"
	}
	return "no"
}

func listOr(l []string, d string) string {
	if len(l) == 0 {
		return d
	}
	return strings.Join(l, "; ")
}
