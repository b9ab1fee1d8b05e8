package cors_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/corskit/cors"
)

// discard is the smallest ResponseWriter: its header map is cleared, not
// reallocated, between requests, so only the middleware's own allocations
// are counted.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

func newRequest(method string, kv ...string) *http.Request {
	r := httptest.NewRequest(method, "/", nil)
	for i := 0; i < len(kv); i += 2 {
		r.Header[kv[i]] = append(r.Header[kv[i]], kv[i+1])
	}
	return r
}

func hundredOrigins() []string {
	var os []string
	for i := 0; i < 100; i++ {
		os = append(os, fmt.Sprintf("https://app%d.example.com", i))
	}
	return os
}

type allocCase struct {
	name      string
	cfg       *cors.Config // nil: AllowAll
	req       *http.Request
	max       float64
	outerVary bool // an outer handler set Vary: Accept-Encoding first
}

// TestAllocations pins the allocation budget of every path: one backing
// array for all the header values a response needs, and nothing at all for
// a rejected preflight.
func TestAllocations(t *testing.T) {
	const origin = "https://app.example.com"
	hundred := cors.Config{AllowedOrigins: hundredOrigins(), AllowedMethods: []string{"PUT"}, AllowedHeaders: []string{"X-Token"}}
	hostileCommas := strings.Repeat(",", 1<<20)
	hostileSpaces := strings.Repeat(" ", 1<<20)
	tests := []allocCase{
		{"non-CORS", &strict, newRequest("GET"), 1, false},
		{"actual allowed", &strict, newRequest("GET", "Origin", origin), 1, false},
		{"actual allowed subdomain", &strict, newRequest("GET", "Origin", "https://a.example.org"), 1, false},
		{"actual allowed of 100", &hundred, newRequest("GET", "Origin", "https://app57.example.com"), 1, false},
		{"actual disallowed", &strict, newRequest("GET", "Origin", "https://evil.com"), 1, false},
		{"preflight allowed", &strict, newRequest("OPTIONS", "Origin", origin, acrm, "PUT", acrh, "content-type,x-token"), 1, false},
		{"preflight allowed reflect", &anyCreds, newRequest("OPTIONS", "Origin", origin, acrm, "PUT", acrh, "x-a,x-b"), 1, false},
		{"preflight disallowed origin", &strict, newRequest("OPTIONS", "Origin", "https://evil.com", acrm, "PUT"), 0, false},
		{"preflight disallowed method", &strict, newRequest("OPTIONS", "Origin", origin, acrm, "PATCH"), 0, false},
		{"preflight disallowed header", &strict, newRequest("OPTIONS", "Origin", origin, acrm, "PUT", acrh, "x-nope"), 0, false},
		{"preflight hostile commas", &strict, newRequest("OPTIONS", "Origin", origin, acrm, "PUT", acrh, hostileCommas), 0, false},
		{"preflight hostile spaces", &strict, newRequest("OPTIONS", "Origin", origin, acrm, "PUT", acrh, hostileSpaces), 0, false},
		{"allow all actual", nil, newRequest("GET", "Origin", origin), 1, false},
		{"allow all non-CORS", nil, newRequest("GET"), 1, false},
		{"allow all preflight", nil, newRequest("OPTIONS", "Origin", origin, acrm, "PUT", acrh, "authorization,content-type"), 1, false},
	}
	// The same paths behind an outer handler that already set Vary (as
	// compression middleware does) must stay within the same budget.
	for _, tt := range slices.Clone(tests) {
		if tt.cfg == nil || tt.max == 0 {
			continue
		}
		tt.name += ", outer Vary"
		tt.outerVary = true
		tests = append(tests, tt)
	}
	tests = append(tests, allocCase{"preflight reflect, headers on two lines", &anyCreds, newRequest("OPTIONS", "Origin", origin, acrm, "PUT", acrh, "x-a", acrh, "x-b"), 1, true})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := cors.AllowAll()
			if tt.cfg != nil {
				m = mustNew(t, *tt.cfg)
			}
			h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			w := &discard{h: http.Header{"Content-Type": {"text/plain"}}}
			outer := []string{"Accept-Encoding"}
			got := testing.AllocsPerRun(200, func() {
				clear(w.h)
				if tt.outerVary {
					w.h["Vary"] = outer
				}
				h.ServeHTTP(w, tt.req)
			})
			t.Logf("%v allocs/op", got)
			if got > tt.max {
				t.Errorf("%v allocations per request, want at most %v", got, tt.max)
			}
			var outerHeader http.Header
			if tt.outerVary {
				outerHeader = http.Header{"Vary": outer}
			}
			agree(t, m, tt.req, outerHeader)
		})
	}
}

// TestConcurrentReconfigure serves requests from many goroutines while the
// policy and debug mode change under them. Run with -race. Every response
// must come whole from one policy or the other, never a mix.
func TestConcurrentReconfigure(t *testing.T) {
	a := cors.Config{AllowedOrigins: []string{"https://a.example"}, AllowCredentials: true, AllowedMethods: []string{"PUT"}}
	b := cors.Config{AllowedOrigins: []string{"https://b.example"}, AllowedMethods: []string{"DELETE"}}
	m := mustNew(t, a)
	h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))

	stop := make(chan struct{})
	reconfigured := make(chan int)
	go func() {
		i := 0
		defer func() { reconfigured <- i }()
		for ; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			cfg := a
			if i%2 == 1 {
				cfg = b
			}
			if err := m.Reconfigure(cfg); err != nil {
				t.Error(err)
				return
			}
			m.SetDebug(i%3 == 0)
			_ = m.Config()
		}
	}()

	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	seen := map[string]bool{}
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				origin := "https://a.example"
				if (g+i)%2 == 1 {
					origin = "https://b.example"
				}
				method, kv := "GET", []string{"Origin", origin}
				if i%4 == 0 {
					method, kv = "OPTIONS", append(kv, acrm, "PUT")
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, newRequest(method, kv...))
				acaoV, acacV := w.Header().Get(acao), w.Header().Get(acac)
				var kind string
				switch {
				case acaoV == "" && acacV == "":
					kind = "none"
				case origin == "https://a.example" && acaoV == origin && acacV == "true":
					kind = "a"
				case origin == "https://b.example" && acaoV == origin && acacV == "":
					kind = "b"
				}
				mu.Lock()
				seen[kind] = true
				if kind == "" {
					bad = append(bad, fmt.Sprintf("%s from %s: ACAO %q ACAC %q", method, origin, acaoV, acacV))
				}
				mu.Unlock()
			}
		}(g)
	}
	wg.Wait()
	close(stop)
	n := <-reconfigured
	if len(bad) > 0 {
		t.Fatalf("%d mixed responses, first: %s", len(bad), bad[0])
	}
	if n < 2 || !seen["a"] || !seen["b"] {
		t.Fatalf("the test did not exercise both policies (%d reconfigurations, saw %v)", n, seen)
	}
}
