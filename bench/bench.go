// Package bench compares corskit with rs/cors, go-chi/cors and
// gorilla/handlers (plus a no-middleware baseline) on identical scenarios.
//
// Everything the benchmarks, the correctness tests and cmd/report share
// lives here: the one policy every library is given, the scenarios (with
// the differences in behaviour that are known and accepted), and a minimal
// http.ResponseWriter. The benchmarks themselves are in bench_test.go; run
// them with ./run.sh (make bench), which also writes ../BENCHMARKS.md.
package bench

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	corskit "github.com/corskit/cors"
	chicors "github.com/go-chi/cors"
	"github.com/gorilla/handlers"
	rscors "github.com/rs/cors"
)

// Writer is a minimal http.ResponseWriter: a header map and a status, with
// writes discarded. Its header map is made by NewWriter and already holds
// Content-Type, as a real handler's would, so that the map itself is not
// charged to the middleware (rs/cors's methodology, rs/cors#156 and #165).
type Writer struct {
	H      http.Header
	Status int // first status written; 0 if none
}

// contentType is shared by every Writer; nothing under test modifies it.
var contentType = []string{"text/plain; charset=utf-8"}

// NewWriter returns a Writer with a fresh header map holding Content-Type.
func NewWriter() Writer {
	return Writer{H: http.Header{"Content-Type": contentType}}
}

// Reset makes w as good as new for the next request: its map is cleared
// and holds Content-Type again, and no status is written. A map that never
// held more than 8 keys has not grown (see the benchmark's maxReuse).
func Reset(w *Writer) {
	clear(w.H)
	w.H["Content-Type"] = contentType
	w.Status = 0
}

func (w *Writer) Header() http.Header { return w.H }

func (w *Writer) WriteHeader(code int) {
	if w.Status == 0 {
		w.Status = code
	}
}

func (w *Writer) Write(b []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	return len(b), nil
}

// Noop is the wrapped handler: it writes nothing.
var Noop = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

// The policy every library is given. Methods include GET, HEAD and POST
// because rs/cors, go-chi and gorilla check actual requests' methods too
// (corskit always allows them and drops them from its list). MaxAge is 600
// because gorilla caps it there.
var (
	Methods  = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
	Headers  = []string{"Authorization", "Content-Type", "X-Request-Id", "X-Api-Key"}
	Exposed  = []string{"X-Request-Id"}
	MaxAge   = 600
	Creds    = true
	OneOrig  = []string{"https://app.example.com"}
	SubOrig  = []string{"https://*.example.com"}
	ManyOrig = func() []string {
		o := make([]string, 100)
		for i := range o {
			o[i] = fmt.Sprintf("https://app%03d.example.com", i)
		}
		return o
	}()
)

// A Policy selects the origins of the shared policy; AllowAll selects each
// library's own allow-everything constructor instead.
type Policy struct {
	Name     string
	Origins  []string
	AllowAll bool
}

var (
	PolicyOne      = Policy{Name: "1 origin", Origins: OneOrig}
	PolicyMany     = Policy{Name: "100 origins", Origins: ManyOrig}
	PolicySub      = Policy{Name: "subdomain pattern", Origins: SubOrig}
	PolicyAllowAll = Policy{Name: "AllowAll", AllowAll: true}
)

// A Lib is one middleware under test. Wrap returns the middleware for a
// policy, or a non-empty reason why the library cannot express it.
type Lib struct {
	Name string
	Desc string
	Wrap func(p Policy) (func(http.Handler) http.Handler, string)
}

// Libs are the contenders, in table order.
var Libs = []Lib{
	{"none", "no middleware (baseline)", func(Policy) (func(http.Handler) http.Handler, string) {
		return func(h http.Handler) http.Handler { return h }, ""
	}},
	{"corskit", "github.com/corskit/cors (this repository)", wrapCorskit},
	{"rs-cors", "github.com/rs/cors", wrapRS},
	{"go-chi", "github.com/go-chi/cors", wrapChi},
	{"gorilla", "github.com/gorilla/handlers CORS", wrapGorilla},
}

// LibByName returns the Lib called name.
func LibByName(name string) (Lib, bool) {
	for _, l := range Libs {
		if l.Name == name {
			return l, true
		}
	}
	return Lib{}, false
}

func wrapCorskit(p Policy) (func(http.Handler) http.Handler, string) {
	if p.AllowAll {
		return corskit.AllowAll().Handler, ""
	}
	m, err := corskit.New(corskit.Config{
		AllowedOrigins:   p.Origins,
		AllowedMethods:   Methods,
		AllowedHeaders:   Headers,
		ExposedHeaders:   Exposed,
		AllowCredentials: Creds,
		MaxAge:           MaxAge,
	})
	if err != nil {
		panic(err)
	}
	return m.Handler, ""
}

func wrapRS(p Policy) (func(http.Handler) http.Handler, string) {
	if p.AllowAll {
		return rscors.AllowAll().Handler, ""
	}
	return rscors.New(rscors.Options{
		AllowedOrigins:   p.Origins,
		AllowedMethods:   Methods,
		AllowedHeaders:   Headers,
		ExposedHeaders:   Exposed,
		AllowCredentials: Creds,
		MaxAge:           MaxAge,
	}).Handler, ""
}

func wrapChi(p Policy) (func(http.Handler) http.Handler, string) {
	if p.AllowAll {
		return chicors.AllowAll().Handler, ""
	}
	return chicors.New(chicors.Options{
		AllowedOrigins:   p.Origins,
		AllowedMethods:   Methods,
		AllowedHeaders:   Headers,
		ExposedHeaders:   Exposed,
		AllowCredentials: Creds,
		MaxAge:           MaxAge,
	}).Handler, ""
}

// GorillaAllowAllNote explains how gorilla's AllowAll is emulated.
const GorillaAllowAllNote = `gorilla has no AllowAll: emulated with AllowedOrigins(["*"]), the same six methods and the four headers listed by name (it has no "*" for headers)`

func wrapGorilla(p Policy) (func(http.Handler) http.Handler, string) {
	if p.AllowAll {
		return handlers.CORS(
			handlers.AllowedOrigins([]string{"*"}),
			handlers.AllowedMethods(Methods),
			handlers.AllowedHeaders(Headers),
		), ""
	}
	for _, o := range p.Origins {
		if strings.Contains(o, "*") {
			return nil, "gorilla/handlers has no origin patterns (exact origins or a validator func only)"
		}
	}
	return handlers.CORS(
		handlers.AllowedOrigins(p.Origins),
		handlers.AllowedMethods(Methods),
		handlers.AllowedHeaders(Headers),
		handlers.ExposedHeaders(Exposed),
		handlers.MaxAge(MaxAge),
		handlers.AllowCredentials(),
	), ""
}

// Cell returns the handler that the benchmark of scenario s measures for
// mw, a library name or "floor-unshared" or "floor-shared": the middleware
// around Noop. reason is non-empty when the library cannot express s's
// policy; ok is false when mw names nothing that measures s.
func Cell(s Scenario, mw string) (h http.Handler, reason string, ok bool) {
	for _, f := range Floors {
		if f.Scenario != s.Name {
			continue
		}
		switch mw {
		case "floor-unshared":
			return f.Unshared(Noop), "", true
		case "floor-shared":
			return f.Shared(Noop), "", true
		}
	}
	lib, ok := LibByName(mw)
	if !ok {
		return nil, "", false
	}
	wrap, reason := lib.Wrap(s.Policy)
	if reason != "" {
		return nil, reason, true
	}
	return wrap(Noop), "", true
}

// Outcome is what a response says, reduced to the essentials on which
// libraries must agree for a comparison to be fair.
type Outcome struct {
	ACAO   bool // Access-Control-Allow-Origin present: the request is allowed
	Status int  // status class: 2 for 2xx, 4 for 4xx (nothing written counts as 200)
	Next   bool // the wrapped handler ran
	Vary   bool // Vary names Origin
}

func (o Outcome) String() string {
	return fmt.Sprintf("ACAO=%t status=%dxx next=%t vary-origin=%t", o.ACAO, o.Status, o.Next, o.Vary)
}

// A Known difference: a library that departs from a scenario's Want, with
// the reason.
type Known struct {
	Got  Outcome
	Note string
}

// A Scenario is one request against one policy.
type Scenario struct {
	Name   string
	Desc   string
	Policy Policy
	// Group classifies the scenario for the targets in BENCHMARKS.md:
	// "allowed", "preflight", "rejected-preflight", "hostile", "plain"
	// (non-CORS or disallowed actual request).
	Group string
	// Request builds the request; it is called once per sub-benchmark.
	Request func() *http.Request
	// Want is corskit's outcome, which every library should share...
	Want Outcome
	// ...except those listed here.
	Known map[string]Known
}

const target = "https://api.example.com/v1/items"

func request(method, origin string, kv ...string) func() *http.Request {
	return func() *http.Request {
		r, err := http.NewRequest(method, target, nil)
		if err != nil {
			panic(err)
		}
		if origin != "" {
			r.Header["Origin"] = []string{origin}
		}
		for i := 0; i+1 < len(kv); i += 2 {
			r.Header[kv[i]] = []string{kv[i+1]}
		}
		return r
	}
}

// Hostile Access-Control-Request-Headers values, 1 MiB each (Go's default
// http.Server MaxHeaderBytes), built once.
var (
	HostileCommas = sync.OnceValue(func() string { return strings.Repeat(",", 1<<20) })
	HostileSpaces = sync.OnceValue(func() string { return strings.Repeat(" ", 1<<20) })
)

func hostile(v func() string) func() *http.Request {
	return func() *http.Request {
		r := request(http.MethodOptions, OneOrig[0], "Access-Control-Request-Method", http.MethodPut)()
		r.Header["Access-Control-Request-Headers"] = []string{v()}
		return r
	}
}

const (
	acrm = "Access-Control-Request-Method"
	acrh = "Access-Control-Request-Headers"
)

var (
	actualOK    = Outcome{ACAO: true, Status: 2, Next: true, Vary: true}
	actualNo    = Outcome{ACAO: false, Status: 2, Next: true, Vary: true}
	preflightOK = Outcome{ACAO: true, Status: 2, Next: false, Vary: true}
	rejected403 = Outcome{ACAO: false, Status: 4, Next: false, Vary: false}
	rejected2xx = Outcome{ACAO: false, Status: 2, Next: false, Vary: true}

	gorillaNoVary   = Known{Outcome{ACAO: true, Status: 2, Next: true}, "gorilla sends Vary: Origin only when more than one origin is configured (gorilla/handlers#244)"}
	gorillaNoVaryNo = Known{Outcome{ACAO: false, Status: 2, Next: true}, "gorilla sends no Vary: Origin when the origin is absent or disallowed"}
	gorillaPFNoVary = Known{Outcome{ACAO: true, Status: 2}, "gorilla sends no Vary on preflights with a single configured origin"}
	rsRejects       = Known{rejected2xx, "rs/cors answers a rejected preflight 204 with Vary and no CORS headers; corskit answers 403"}
	chiRejects      = Known{rejected2xx, "go-chi answers a rejected preflight 200 with Vary and no CORS headers; corskit answers 403"}
	// acceptsEmpty: go-chi and gorilla drop empty list elements and white
	// space, so a header made only of commas or spaces asks for nothing.
	chiAcceptsEmpty     = Known{preflightOK, "go-chi tokenizes the 1 MiB value (allocating ~2 MiB), finds no names and ACCEPTS the preflight"}
	gorillaAcceptsEmpty = Known{Outcome{ACAO: true, Status: 2}, "gorilla strings.Split()s the 1 MiB value (one string header per comma), finds no names and ACCEPTS the preflight, without Vary"}
)

// Scenarios are the benchmarked requests, in table order.
var Scenarios = []Scenario{
	{
		Name: "non-cors-get", Desc: "GET without Origin (1-origin policy)", Policy: PolicyOne, Group: "plain",
		Request: request(http.MethodGet, ""),
		Want:    actualNo,
		Known: map[string]Known{
			"none":    {Outcome{Status: 2, Next: true}, "baseline"},
			"gorilla": gorillaNoVaryNo,
		},
	},
	{
		Name: "actual-allowed-1origin", Desc: "GET from the one allowed origin", Policy: PolicyOne, Group: "allowed",
		Request: request(http.MethodGet, OneOrig[0]),
		Want:    actualOK,
		Known: map[string]Known{
			"none":    {Outcome{Status: 2, Next: true}, "baseline"},
			"gorilla": gorillaNoVary,
		},
	},
	{
		Name: "actual-allowed-100origins", Desc: "GET from the last of 100 allowed origins", Policy: PolicyMany, Group: "allowed",
		Request: request(http.MethodGet, ManyOrig[len(ManyOrig)-1]),
		Want:    actualOK,
		Known: map[string]Known{
			"none": {Outcome{Status: 2, Next: true}, "baseline"},
		},
	},
	{
		Name: "actual-allowed-subdomain", Desc: "GET from https://tenant42.example.com, allowed by https://*.example.com", Policy: PolicySub, Group: "allowed",
		Request: request(http.MethodGet, "https://tenant42.example.com"),
		Want:    actualOK,
		Known: map[string]Known{
			"none": {Outcome{Status: 2, Next: true}, "baseline"},
		},
	},
	{
		Name: "actual-disallowed", Desc: "GET from https://evil.example.org (1-origin policy)", Policy: PolicyOne, Group: "plain",
		Request: request(http.MethodGet, "https://evil.example.org"),
		Want:    actualNo,
		Known: map[string]Known{
			"none":    {Outcome{Status: 2, Next: true}, "baseline"},
			"gorilla": gorillaNoVaryNo,
		},
	},
	{
		Name: "preflight-allowed-1hdr", Desc: "preflight PUT with ACRH content-type", Policy: PolicyOne, Group: "preflight",
		Request: request(http.MethodOptions, OneOrig[0], acrm, http.MethodPut, acrh, "content-type"),
		Want:    preflightOK,
		Known: map[string]Known{
			"none":    {Outcome{Status: 2, Next: true}, "baseline"},
			"gorilla": gorillaPFNoVary,
		},
	},
	{
		Name: "preflight-allowed-3hdr", Desc: "preflight PUT with ACRH authorization,content-type,x-request-id", Policy: PolicyOne, Group: "preflight",
		Request: request(http.MethodOptions, OneOrig[0], acrm, http.MethodPut, acrh, "authorization,content-type,x-request-id"),
		Want:    preflightOK,
		Known: map[string]Known{
			"none":    {Outcome{Status: 2, Next: true}, "baseline"},
			"gorilla": gorillaPFNoVary,
		},
	},
	{
		Name: "preflight-disallowed-origin", Desc: "preflight PUT with ACRH content-type from https://evil.example.org", Policy: PolicyOne, Group: "rejected-preflight",
		Request: request(http.MethodOptions, "https://evil.example.org", acrm, http.MethodPut, acrh, "content-type"),
		Want:    rejected403,
		Known: map[string]Known{
			"none":    {Outcome{Status: 2, Next: true}, "baseline"},
			"rs-cors": rsRejects,
			"go-chi":  chiRejects,
			"gorilla": {Outcome{Status: 2}, "gorilla swallows OPTIONS from a disallowed origin: empty 200, no Vary"},
		},
	},
	{
		Name: "preflight-disallowed-header", Desc: "preflight PUT with ACRH content-type,x-not-allowed", Policy: PolicyOne, Group: "rejected-preflight",
		Request: request(http.MethodOptions, OneOrig[0], acrm, http.MethodPut, acrh, "content-type,x-not-allowed"),
		Want:    rejected403,
		Known: map[string]Known{
			"none":    {Outcome{Status: 2, Next: true}, "baseline"},
			"rs-cors": rsRejects,
			"go-chi":  chiRejects,
			// gorilla agrees with corskit here: 403, nothing else.
		},
	},
	{
		Name: "preflight-hostile-commas", Desc: "preflight PUT whose ACRH is 1 MiB of commas", Policy: PolicyOne, Group: "hostile",
		Request: hostile(HostileCommas),
		Want:    rejected403,
		Known: map[string]Known{
			"none":    {Outcome{Status: 2, Next: true}, "baseline"},
			"rs-cors": {rejected2xx, "rs/cors rejects it (more than 16 empty elements): 204 with Vary only"},
			"go-chi":  chiAcceptsEmpty,
			"gorilla": gorillaAcceptsEmpty,
		},
	},
	{
		Name: "preflight-hostile-spaces", Desc: "preflight PUT whose ACRH is 1 MiB of spaces", Policy: PolicyOne, Group: "hostile",
		Request: hostile(HostileSpaces),
		Want:    rejected403,
		Known: map[string]Known{
			"none":    {Outcome{Status: 2, Next: true}, "baseline"},
			"rs-cors": {rejected2xx, "rs/cors rejects it (more than 1 byte of white space): 204 with Vary only"},
			"go-chi":  chiAcceptsEmpty,
			"gorilla": gorillaAcceptsEmpty,
		},
	},
	{
		Name: "allowall-actual", Desc: "AllowAll: GET from https://random.example.net", Policy: PolicyAllowAll, Group: "allowed",
		Request: request(http.MethodGet, "https://random.example.net"),
		Want:    Outcome{ACAO: true, Status: 2, Next: true},
		Known: map[string]Known{
			"none":    {Outcome{Status: 2, Next: true}, "baseline"},
			"rs-cors": {actualOK, "rs/cors adds Vary: Origin even when it answers ACAO *"},
			"go-chi":  {actualOK, "go-chi adds Vary: Origin even when it answers ACAO *"},
		},
	},
	{
		Name: "allowall-preflight", Desc: "AllowAll: preflight PUT with ACRH content-type from https://random.example.net", Policy: PolicyAllowAll, Group: "preflight",
		Request: request(http.MethodOptions, "https://random.example.net", acrm, http.MethodPut, acrh, "content-type"),
		// corskit varies on ACRM and ACRH, not on Origin, under "*".
		Want: Outcome{ACAO: true, Status: 2},
		Known: map[string]Known{
			"none":    {Outcome{Status: 2, Next: true}, "baseline"},
			"rs-cors": {preflightOK, "rs/cors varies on Origin even when it answers ACAO *"},
			"go-chi":  {preflightOK, "go-chi varies on Origin even when it answers ACAO *"},
		},
	},
}

// ScenarioByName returns the Scenario called name.
func ScenarioByName(name string) (Scenario, bool) {
	for _, s := range Scenarios {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

// Expected returns the outcome lib should have in s, and the note that
// explains a known difference ("" if none).
func (s Scenario) Expected(lib string) (Outcome, string) {
	if k, ok := s.Known[lib]; ok {
		return k.Got, k.Note
	}
	return s.Want, ""
}

// Run sends s's request through lib once and reports the outcome and the
// response. reason is non-empty, and nothing is run, when lib cannot
// express s's policy.
func Run(s Scenario, lib Lib) (o Outcome, w Writer, reason string) {
	mw, reason := lib.Wrap(s.Policy)
	if reason != "" {
		return Outcome{}, Writer{}, reason
	}
	ran := false
	h := mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { ran = true }))
	w = NewWriter()
	h.ServeHTTP(&w, s.Request())
	return Summarise(&w, ran), w, ""
}

// Summarise reduces a response to its Outcome.
func Summarise(w *Writer, next bool) Outcome {
	st := w.Status
	if st == 0 {
		st = http.StatusOK
	}
	_, acao := w.H["Access-Control-Allow-Origin"]
	return Outcome{ACAO: acao, Status: st / 100, Next: next, Vary: varies(w.H, "origin")}
}

func varies(h http.Header, name string) bool {
	for _, line := range h["Vary"] {
		for _, f := range strings.Split(line, ",") {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return true
			}
		}
	}
	return false
}

// SharingScenarios are the scenarios SharesHeaderSlices tries.
var SharingScenarios = []string{"non-cors-get", "actual-allowed-1origin", "actual-disallowed", "preflight-allowed-1hdr", "preflight-disallowed-header", "allowall-actual", "allowall-preflight"}

// SharesHeaderSlices reports whether lib puts the same []string into the
// headers of different responses, so that a handler (or an outer
// middleware) that edits a header value in place, as it may, corrupts later
// responses; shared lists "scenario: header" for every value that leaked
// from one response into the next. aliased lists the request headers whose
// slices ended up in the response, so that the same edit rewrote the
// request being served.
//
// For each scenario it sends a request, overwrites every response header
// value in place (Content-Type excepted: that slice is the harness's), then
// sends a fresh request through the same middleware and looks for the
// overwritten value.
func SharesHeaderSlices(lib Lib) (shared, aliased []string) {
	const mark = "CORRUPTED"
	for _, name := range SharingScenarios {
		s, _ := ScenarioByName(name)
		mw, reason := lib.Wrap(s.Policy)
		if reason != "" {
			continue
		}
		h := mw(Noop)
		r1 := s.Request()
		w1 := NewWriter()
		h.ServeHTTP(&w1, r1)
		for k, vs := range w1.H {
			if k == "Content-Type" {
				continue
			}
			for i := range vs {
				vs[i] = mark
			}
		}
		for _, k := range sortedKeys(r1.Header) {
			for _, v := range r1.Header[k] {
				if v == mark {
					aliased = append(aliased, name+": request "+k)
					break
				}
			}
		}
		w2 := NewWriter()
		h.ServeHTTP(&w2, s.Request())
		for _, k := range sortedKeys(w2.H) {
			for _, v := range w2.H[k] {
				if v == mark {
					shared = append(shared, name+": "+k)
					break
				}
			}
		}
	}
	return shared, aliased
}

func sortedKeys(h http.Header) []string {
	ks := make([]string, 0, len(h))
	for k := range h {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
