package bench

import (
	"flag"
	"net/http"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
)

// batch is how many Writers are prepared at a time, outside the timed
// region. rs/cors pre-allocates b.N fresh ones, which at a few ns per
// operation means hundreds of millions of header maps (gigabytes, and minutes
// of set-up) on a small machine. Here a bounded pool is refilled between
// batches with the timer stopped.
const batch = 1 << 13

// maxReuse is the number of keys a header map may have held for it to be
// cleared and reused instead of replaced. A fresh map holding only
// Content-Type has room for 8 keys (one swiss-table group) before it grows;
// a map that never went past 8 never grew, so clearing it hides no
// allocation the middleware made. A map that did grow is replaced by a fresh
// one. Run with -fresh to use a fresh map for every iteration and check that
// allocs/op do not change.
const maxReuse = 8

var (
	fresh  = flag.Bool("fresh", false, "give every benchmark iteration a freshly allocated header map (slow; for checking the reuse)")
	rotate = flag.Int("rotate", 0, "run the libraries of each scenario in Libs order rotated by this many places (run.sh varies it by round)")
)

// BenchmarkCORS runs every scenario through every library:
// BenchmarkCORS/scenario=<name>/mw=<library>. A library that cannot express
// a scenario's policy is left out (see Lib.Wrap).
func BenchmarkCORS(b *testing.B) {
	for _, s := range Scenarios {
		b.Run("scenario="+s.Name, func(b *testing.B) {
			for _, lib := range rotated(Libs, *rotate) {
				mw, reason := lib.Wrap(s.Policy)
				if reason != "" {
					continue
				}
				h := mw(Noop)
				b.Run("mw="+lib.Name, func(b *testing.B) {
					serve(b, h, s.Request())
				})
			}
		})
	}
}

// rotated returns libs rotated left by n places, so that over the rounds of
// run.sh no library always runs right after the same other one (the CPU's
// state, and what the previous benchmark left behind, then even out).
func rotated(libs []Lib, n int) []Lib {
	if len(libs) == 0 {
		return libs
	}
	n %= len(libs)
	if n < 0 {
		n += len(libs)
	}
	return append(slices.Clone(libs[n:]), libs[:n]...)
}

func serve(b *testing.B, h http.Handler, req *http.Request) {
	ws := make([]Writer, min(b.N, batch))
	for i := range ws {
		ws[i] = NewWriter()
	}
	// Start every measurement from a collected heap, so that none pays for
	// the garbage of the one before it (go-chi and gorilla allocate
	// megabytes per hostile preflight).
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(len(ws), b.N-done)
		if done > 0 {
			b.StopTimer()
			for i := range ws[:n] {
				reset(&ws[i])
			}
			b.StartTimer()
		}
		for i := range ws[:n] {
			h.ServeHTTP(&ws[i], req)
		}
		done += n
	}
}

// reset makes w as good as NewWriter's (see maxReuse).
func reset(w *Writer) {
	if *fresh || len(w.H) > maxReuse {
		*w = NewWriter()
		return
	}
	Reset(w)
}

// TestSamePolicy checks that, in every scenario, every library's response
// agrees on the essentials (allowed or not, status class, whether the
// handler ran, Vary: Origin) with corskit's, except where a difference is
// known and recorded in the scenario, so that the benchmarks compare like
// with like.
func TestSamePolicy(t *testing.T) {
	for _, s := range Scenarios {
		for _, lib := range Libs {
			t.Run(s.Name+"/"+lib.Name, func(t *testing.T) {
				got, w, reason := Run(s, lib)
				if reason != "" {
					t.Skip(reason)
				}
				want, note := s.Expected(lib.Name)
				if got != want {
					t.Errorf("got  %v\nwant %v (%s)\nheaders: %v", got, want, orDefault(note, "same as corskit"), short(w.H))
				}
				if len(w.H) > maxReuse {
					t.Errorf("response has %d header keys; the benchmark harness replaces such maps instead of reusing them, which is fair but slow: check maxReuse", len(w.H))
				}
				if note != "" && lib.Name != "none" && got == s.Want {
					t.Errorf("known difference %q is stale: the outcome now matches corskit's", note)
				}
			})
		}
	}
}

// TestScenarioPoliciesMatchCorskit makes sure corskit itself behaves as
// each scenario's Want says, and that no scenario records a known
// difference for corskit.
func TestScenarioPoliciesMatchCorskit(t *testing.T) {
	for _, s := range Scenarios {
		if _, ok := s.Known["corskit"]; ok {
			t.Errorf("%s: corskit is the reference and cannot have a known difference", s.Name)
		}
	}
}

// TestHeaderSlicesNotShared checks whether a library puts the same []string
// into the headers of different responses: if it does, a handler (or an
// outer middleware) that edits a header value in place, as it may, corrupts
// every later response. rs/cors assigns package-level and per-middleware
// slices (Vary, Access-Control-Allow-Credentials, Access-Control-Max-Age,
// Access-Control-Expose-Headers) directly into the map; corskit must not
// share.
//
// It also reports whether a response header aliases a request header's
// slice (rs/cors reuses r.Header["Origin"] for Access-Control-Allow-Origin),
// which lets a handler silently rewrite the request it is serving.
func TestHeaderSlicesNotShared(t *testing.T) {
	wantShared := map[string]bool{"rs-cors": true}
	wantAliased := map[string]bool{"rs-cors": true}
	for _, lib := range Libs {
		t.Run(lib.Name, func(t *testing.T) {
			shared, aliased := SharesHeaderSlices(lib)
			t.Logf("%s: shares header slices between responses: %v %v", lib.Name, len(shared) > 0, shared)
			t.Logf("%s: response headers alias request headers: %v %v", lib.Name, len(aliased) > 0, aliased)
			if got := len(shared) > 0; got != wantShared[lib.Name] {
				t.Errorf("%s: shares header slices = %v, want %v; corrupted: %v", lib.Name, got, wantShared[lib.Name], shared)
			}
			if got := len(aliased) > 0; got != wantAliased[lib.Name] {
				t.Errorf("%s: aliases request headers = %v, want %v; corrupted: %v", lib.Name, got, wantAliased[lib.Name], aliased)
			}
		})
	}
}

// TestHostileHeaderNotRetained checks that corskit's answer to the hostile
// preflights keeps nothing of the 1 MiB value (a rejected preflight carries
// no CORS headers at all).
func TestHostileHeaderNotRetained(t *testing.T) {
	lib, _ := LibByName("corskit")
	for _, name := range []string{"preflight-hostile-commas", "preflight-hostile-spaces"} {
		s, _ := ScenarioByName(name)
		_, w, _ := Run(s, lib)
		for k, vs := range w.H {
			for _, v := range vs {
				if len(v) > 1024 {
					t.Errorf("%s: response header %s carries %d bytes", name, k, len(v))
				}
			}
		}
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// short renders headers with long values truncated.
func short(h http.Header) string {
	var b strings.Builder
	for _, k := range keys(func() map[string]bool {
		m := map[string]bool{}
		for k := range h {
			m[k] = true
		}
		return m
	}()) {
		for _, v := range h[k] {
			if len(v) > 40 {
				v = v[:40] + "…"
			}
			b.WriteString(k + ": " + v + "; ")
		}
	}
	return b.String()
}
