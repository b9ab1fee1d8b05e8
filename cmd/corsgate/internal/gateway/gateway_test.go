package gateway_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/corskit/cors"
	"github.com/corskit/cors/check"
	"github.com/corskit/cors/cmd/corsgate/internal/config"
	"github.com/corskit/cors/cmd/corsgate/internal/gateway"
	"github.com/corskit/cors/cmd/corsgate/internal/logtest"
)

const app = "https://app.example.com"

// routes is the policy every test serves unless it says otherwise: a
// credentialed API, a public "*" area, and a passthrough route.
const routes = `[
  {"path": "/api/", "policy": {"allowedOrigins": ["https://app.example.com"], "allowedMethods": ["PUT"], "allowedHeaders": ["Content-Type"], "exposedHeaders": ["X-Request-Id"], "allowCredentials": true, "maxAge": 600}},
  {"path": "/public/", "policy": {"allowedOrigins": ["*"]}},
  {"path": "/pass/", "policy": {"allowedOrigins": ["https://app.example.com"], "preflightPassthrough": true}}
]`

func parse(t testing.TB, upstream, mode, routes, extra string) *config.Config {
	t.Helper()
	c, err := config.Parse([]byte(fmt.Sprintf(`{"listen": "127.0.0.1:0", "upstream": %q, "mode": %q, %s "routes": %s}`, upstream, mode, extra, routes)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// observer records what the gateway reports.
type observer struct {
	mu       sync.Mutex
	requests []string // "route kind decision reason status"
	upstream []string // "route kind"
	client   []string // "route kind"
	diffs    []string // "route field"
}

func (o *observer) Request(route string, kind cors.Kind, d gateway.Decision, reason cors.Reason, status int, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.requests = append(o.requests, fmt.Sprintf("%s %s %s %s %d", route, kind, d, reason, status))
}

func (o *observer) Failure(route string, side gateway.Side, kind string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if side == gateway.Upstream {
		o.upstream = append(o.upstream, route+" "+kind)
		return
	}
	o.client = append(o.client, route+" "+kind)
}

func (o *observer) Difference(route, field string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.diffs = append(o.diffs, route+" "+field)
}

// requestsAfter waits until more than n requests are recorded: the gateway
// records a request after its response is written, so a client can see the
// response first.
func (o *observer) requestsAfter(t testing.TB, n int) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		reqs, _, _ := o.snapshot()
		if len(reqs) > n {
			return reqs
		}
		if time.Now().After(deadline) {
			t.Fatalf("no request recorded after the first %d", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (o *observer) snapshot() (req, up, diffs []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.requests), slices.Clone(o.upstream), slices.Clone(o.diffs)
}

// spy is an upstream that counts its calls and answers with the status and
// headers the request's X-Answer header names (see answers).
type spy struct {
	calls atomic.Int32
	last  atomic.Pointer[http.Request]
}

// answers are canned upstream responses, chosen by the X-Test-Answer header.
var answers = map[string]struct {
	status int
	header http.Header
}{
	"plain":  {200, http.Header{"Content-Type": {"application/json"}}},
	"wrong":  {200, http.Header{"Access-Control-Allow-Origin": {"*", "https://evil.example"}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Allow-Methods": {"GET, POST, PUT, DELETE"}, "Access-Control-Expose-Headers": {"X-Secret"}, "Vary": {"Accept-Encoding"}}},
	"varies": {200, http.Header{"Vary": {"Accept-Encoding, origin"}}},
	"star":   {200, http.Header{"Vary": {"*"}}},
	"error":  {500, http.Header{"Access-Control-Allow-Origin": {"*"}}},
	"405":    {405, http.Header{"Allow": {"GET, HEAD"}}},
	"same":   {200, http.Header{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Expose-Headers": {"x-request-id"}, "Vary": {"Origin"}}},
	"same-preflight": {204, http.Header{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": {"true"},
		"Access-Control-Allow-Methods": {"GET, POST, PUT"}, "Access-Control-Allow-Headers": {"content-type"}, "Access-Control-Max-Age": {"600"}}},
}

func (s *spy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.calls.Add(1)
	s.last.Store(r)
	a, ok := answers[r.Header.Get("X-Test-Answer")]
	if !ok {
		a = answers["plain"]
	}
	if r.Header.Get("X-Test-Early-Hints") != "" {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
	}
	for k, v := range a.header {
		w.Header()[k] = v
	}
	w.WriteHeader(a.status)
	io.WriteString(w, `{"ok":true}`)
}

type fixture struct {
	gw   *gateway.Gateway
	srv  *httptest.Server
	up   *spy
	obs  *observer
	logs *logtest.Buffer
}

func newFixture(t testing.TB, mode, routes, extra string, opts ...func(o *gateway.Options, logs io.Writer)) *fixture {
	t.Helper()
	f := &fixture{up: &spy{}, obs: &observer{}, logs: &logtest.Buffer{}}
	up := httptest.NewServer(f.up)
	t.Cleanup(up.Close)
	log := slog.New(slog.NewJSONHandler(f.logs, nil))
	o := gateway.Options{AccessLog: log.With("log", "access"), Log: log, Observer: f.obs}
	for _, opt := range opts {
		opt(&o, f.logs)
	}
	gw, err := gateway.New(parse(t, up.URL, mode, routes, extra), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gw.Close)
	f.gw = gw
	f.srv = httptest.NewServer(gw)
	t.Cleanup(f.srv.Close)
	return f
}

type req struct {
	method, path string
	header       map[string]string
}

func (f *fixture) do(t testing.TB, r req) *http.Response {
	t.Helper()
	hr, err := http.NewRequest(r.method, f.srv.URL+r.path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	resp, err := f.srv.Client().Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// corsHeaders is the whole set of CORS-related response headers: every
// Access-Control-* line and Vary.

func TestEnforce(t *testing.T) {
	f := newFixture(t, "enforce", routes, "")
	preflight := func(path, origin, method, headers string, extra ...string) req {
		h := map[string]string{"Origin": origin, "Access-Control-Request-Method": method}
		if headers != "" {
			h["Access-Control-Request-Headers"] = headers
		}
		for i := 0; i+1 < len(extra); i += 2 {
			h[extra[i]] = extra[i+1]
		}
		return req{"OPTIONS", path, h}
	}
	get := func(path, origin, answer string) req {
		h := map[string]string{"X-Test-Answer": answer}
		if origin != "" {
			h["Origin"] = origin
		}
		return req{"GET", path, h}
	}
	apiActual := http.Header{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Expose-Headers": {"x-request-id"}, "Vary": {"Origin"}}
	tests := []struct {
		name       string
		req        req
		status     int
		upstream   bool // the upstream saw the request
		want       http.Header
		wantRecord string // observer: "route kind decision reason status"
	}{
		{"preflight allowed, answered at the gateway", preflight("/api/items", app, "PUT", "content-type"), 204, false,
			http.Header{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Allow-Methods": {"PUT"},
				"Access-Control-Allow-Headers": {"content-type"}, "Access-Control-Max-Age": {"600"}, "Vary": {"Origin, Access-Control-Request-Method, Access-Control-Request-Headers"}},
			"/api/ preflight allowed  204"},
		{"preflight from a stranger: bare 403", preflight("/api/items", "https://evil.example", "PUT", ""), 403, false, http.Header{},
			"/api/ preflight rejected origin-not-allowed 403"},
		{"preflight for a method not allowed", preflight("/api/items", app, "DELETE", ""), 403, false, http.Header{},
			"/api/ preflight rejected method-not-allowed 403"},
		{"preflight for a header not allowed", preflight("/api/items", app, "PUT", "x-debug"), 403, false, http.Header{},
			"/api/ preflight rejected header-not-allowed 403"},
		{"passthrough preflight reaches the upstream, with the policy's headers", preflight("/pass/x", app, "GET", "", "X-Test-Answer", "405"), 405, true,
			http.Header{"Access-Control-Allow-Origin": {app}, "Vary": {"Origin, Access-Control-Request-Method, Access-Control-Request-Headers"}},
			"/pass/ preflight allowed  405"},
		{"plain OPTIONS is not a preflight: it goes upstream", req{"OPTIONS", "/api/items", map[string]string{"Origin": app, "X-Test-Answer": "405"}}, 405, true,
			apiActual, "/api/ actual allowed  405"},
		{"actual request: the upstream's wrong answer is replaced", get("/api/items", app, "wrong"), 200, true,
			http.Header{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Expose-Headers": {"x-request-id"}, "Vary": {"Accept-Encoding", "Origin"}},
			"/api/ actual allowed  200"},
		{"the upstream's Vary: Origin is not repeated", get("/api/items", app, "varies"), 200, true,
			http.Header{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Expose-Headers": {"x-request-id"}, "Vary": {"Accept-Encoding, origin"}},
			"/api/ actual allowed  200"},
		{"Vary: * stays alone", get("/api/items", app, "star"), 200, true,
			http.Header{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Expose-Headers": {"x-request-id"}, "Vary": {"*"}},
			"/api/ actual allowed  200"},
		{"an upstream 500 carries the policy's headers", get("/api/items", app, "error"), 500, true, apiActual, "/api/ actual allowed  500"},
		{"disallowed origin: the upstream's headers go, none come", get("/api/items", "https://evil.example", "wrong"), 200, true,
			http.Header{"Vary": {"Accept-Encoding", "Origin"}}, "/api/ actual rejected origin-not-allowed 200"},
		{"not a CORS request: Vary: Origin, the upstream's CORS headers removed", get("/api/items", "", "wrong"), 200, true,
			http.Header{"Vary": {"Accept-Encoding", "Origin"}}, "/api/ none none  200"},
		{"a \"*\" route: ACAO *, no Vary", get("/public/a.json", "https://anyone.example", "wrong"), 200, true,
			http.Header{"Access-Control-Allow-Origin": {"*"}, "Vary": {"Accept-Encoding"}}, "/public/ actual allowed  200"},
		{"the path is matched in its clean form", get("/api/../public/a.json", "https://anyone.example", "plain"), 200, true,
			http.Header{"Access-Control-Allow-Origin": {"*"}}, "/public/ actual allowed  200"},
		{"/api (no slash) is under /api/, as most backends serve it", get("/api", app, "plain"), 200, true,
			apiActual, "/api/ actual allowed  200"},
		{"/apix is not under /api/", get("/apix", app, "plain"), 200, true,
			http.Header{"Vary": {"Origin"}}, "(none) actual rejected origin-not-allowed 200"},
		{"/public.json is not under /public/", get("/public.json", "https://anyone.example", "plain"), 200, true,
			http.Header{"Vary": {"Origin"}}, "(none) actual rejected origin-not-allowed 200"},
		{"no route: no origin is allowed", get("/other", app, "wrong"), 200, true,
			http.Header{"Vary": {"Accept-Encoding", "Origin"}}, "(none) actual rejected origin-not-allowed 200"},
		{"no route: preflights refused at the gateway", preflight("/other", app, "GET", ""), 403, false,
			http.Header{}, "(none) preflight rejected origin-not-allowed 403"},
		{"1xx responses first: the final response keeps the policy's headers", req{"GET", "/api/items", map[string]string{"Origin": app, "X-Test-Early-Hints": "1", "X-Test-Answer": "wrong"}}, 200, true,
			http.Header{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Expose-Headers": {"x-request-id"}, "Vary": {"Accept-Encoding", "Origin"}},
			"/api/ actual allowed  200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.up.calls.Load()
			reqs0, _, _ := f.obs.snapshot()
			resp := f.do(t, tt.req)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if got := f.up.calls.Load() - before; got != map[bool]int32{true: 1, false: 0}[tt.upstream] {
				t.Errorf("the upstream saw %d requests, want upstream=%v", got, tt.upstream)
			}
			if got := check.CORSHeaders(resp.Header); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("CORS headers:\n got %v\nwant %v", got, tt.want)
			}
			if reqs := f.obs.requestsAfter(t, len(reqs0)); reqs[len(reqs)-1] != tt.wantRecord {
				t.Errorf("observed %q, want %q", reqs[len(reqs)-1:], tt.wantRecord)
			}
		})
	}
}

// TestRouteWithoutSlash: "/api/" covers /api unless a route's path is
// "/api", which then covers it.
func TestRouteWithoutSlash(t *testing.T) {
	f := newFixture(t, "enforce", `[
	  {"path": "/api/", "policy": {"allowedOrigins": ["https://app.example.com"]}},
	  {"path": "/api", "policy": {"allowedOrigins": ["https://other.example"]}}]`, "")
	for _, tt := range []struct{ path, origin, want string }{
		{"/api", "https://other.example", "/api actual allowed  200"},
		{"/api", app, "/api actual rejected origin-not-allowed 200"},
		{"/api/", app, "/api/ actual allowed  200"},
		{"/api/x", app, "/api/ actual allowed  200"},
	} {
		reqs0, _, _ := f.obs.snapshot()
		f.do(t, req{"GET", tt.path, map[string]string{"Origin": tt.origin}})
		if reqs := f.obs.requestsAfter(t, len(reqs0)); reqs[len(reqs)-1] != tt.want {
			t.Errorf("%s from %s: observed %q, want %q", tt.path, tt.origin, reqs[len(reqs)-1], tt.want)
		}
	}
}

func TestReportOnly(t *testing.T) {
	f := newFixture(t, "report-only", routes, "")
	tests := []struct {
		name   string
		req    req
		status int
		want   http.Header // the upstream's headers, untouched
		diffs  []string    // observer: "route field"
	}{
		{"upstream agrees with the policy", req{"GET", "/api/x", map[string]string{"Origin": app, "X-Test-Answer": "same"}}, 200,
			check.CORSHeaders(http.Header(answers["same"].header)), nil},
		{"upstream agrees on a preflight (safelisted methods and order do not count)", req{"OPTIONS", "/api/x", map[string]string{"Origin": app, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type", "X-Test-Answer": "same-preflight"}}, 204,
			check.CORSHeaders(http.Header(answers["same-preflight"].header)), nil},
		{"upstream sends wrong headers: each difference counted", req{"GET", "/api/x", map[string]string{"Origin": app, "X-Test-Answer": "wrong"}}, 200,
			check.CORSHeaders(http.Header(answers["wrong"].header)),
			[]string{"/api/ Access-Control-Allow-Origin", "/api/ Access-Control-Expose-Headers", "/api/ Vary"}},
		{"a preflight the upstream refuses with 405 and the policy allows", req{"OPTIONS", "/api/x", map[string]string{"Origin": app, "Access-Control-Request-Method": "PUT", "X-Test-Answer": "405"}}, 405,
			http.Header{},
			[]string{"/api/ status", "/api/ Access-Control-Allow-Origin", "/api/ Access-Control-Allow-Credentials", "/api/ Access-Control-Allow-Methods", "/api/ Access-Control-Max-Age"}},
		{"a stranger the upstream lets in", req{"GET", "/api/x", map[string]string{"Origin": "https://evil.example", "X-Test-Answer": "error"}}, 500,
			http.Header{"Access-Control-Allow-Origin": {"*"}},
			[]string{"/api/ Access-Control-Allow-Origin", "/api/ Vary"}},
		{"not a CORS request: not compared", req{"GET", "/api/x", map[string]string{"X-Test-Answer": "wrong"}}, 200,
			check.CORSHeaders(http.Header(answers["wrong"].header)), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.up.calls.Load()
			_, _, d0 := f.obs.snapshot()
			resp := f.do(t, tt.req)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if f.up.calls.Load() != before+1 {
				t.Errorf("report-only must send every request upstream")
			}
			if got := check.CORSHeaders(resp.Header); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("headers must pass untouched:\n got %v\nwant %v", got, tt.want)
			}
			_, _, d1 := f.obs.snapshot()
			if got := d1[len(d0):]; !reflect.DeepEqual(got, tt.diffs) && !(len(got) == 0 && len(tt.diffs) == 0) {
				t.Errorf("differences %q, want %q", got, tt.diffs)
			}
		})
	}
	// The last difference was logged with what differs.
	var found bool
	for _, r := range logtest.Records(f.logs.String()) {
		if r["msg"] == "report-only: the policy would answer differently" && r["origin"] == "https://evil.example" {
			found = true
			want := []any{`Access-Control-Allow-Origin: response "*", policy (none)`, `Vary: response (none), policy "Origin"`}
			if !reflect.DeepEqual(r["differences"], want) || r["decision"] != "rejected" || r["reason"] != "origin-not-allowed" {
				t.Errorf("difference record %v", r)
			}
		}
	}
	if !found {
		t.Error("no difference record logged")
	}
}

func TestUpstreamFailures(t *testing.T) {
	// A port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	// An upstream that never answers, and one that resets the connection.
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	t.Cleanup(func() { close(hang); slow.Close() })
	reset := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}
	}))
	t.Cleanup(reset.Close)

	// Only "too slow" may reach its response-header timeout: a short one
	// would turn a reset on a loaded machine into a timeout too.
	tests := []struct {
		name, upstream string
		status         int
		kind           string
		timeout        string // upstreamResponseHeader
	}{
		{"down", closed, 502, "connect", "30s"},
		{"too slow", slow.URL, 504, "timeout", "200ms"},
		{"reset", reset.URL, 502, "reset", "30s"},
	}
	for _, mode := range []string{"enforce", "report-only"} {
		for _, tt := range tests {
			t.Run(mode+"/"+tt.name, func(t *testing.T) {
				obs := &observer{}
				c := parse(t, tt.upstream, mode, routes, `"timeouts": {"upstreamResponseHeader": "`+tt.timeout+`", "upstreamConnect": "5s"},`)
				gw, err := gateway.New(c, gateway.Options{Log: slog.New(slog.DiscardHandler), Observer: obs})
				if err != nil {
					t.Fatal(err)
				}
				srv := httptest.NewServer(gw)
				defer srv.Close()
				for _, r := range []struct {
					origin string
					want   http.Header
				}{
					{app, http.Header{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Expose-Headers": {"x-request-id"}, "Vary": {"Origin"}}},
					{"https://evil.example", http.Header{"Vary": {"Origin"}}},
				} {
					// The gateway must answer (after 200 ms for "too slow");
					// the context only catches a hang.
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					hr, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/items", nil)
					hr.Header.Set("Origin", r.origin)
					resp, err := srv.Client().Do(hr)
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != tt.status {
						t.Errorf("status %d, want %d (%s)", resp.StatusCode, tt.status, body)
					}
					if got := check.CORSHeaders(resp.Header); !reflect.DeepEqual(got, r.want) {
						t.Errorf("origin %s: CORS headers\n got %v\nwant %v", r.origin, got, r.want)
					}
				}
				_, up, _ := obs.snapshot()
				if want := []string{"/api/ " + tt.kind, "/api/ " + tt.kind}; !reflect.DeepEqual(up, want) {
					t.Errorf("upstream errors %q, want %q", up, want)
				}
			})
		}
	}
}

func TestForwardedHeaders(t *testing.T) {
	spoofed := map[string]string{"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "spoofed.example", "Forwarded": "for=203.0.113.9"}
	tests := []struct {
		name, extra string
		want        map[string]string // what the upstream sees
	}{
		{"untrusted client: its X-Forwarded-* are replaced", "", map[string]string{
			"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "http", "X-Forwarded-Host": "gateway.test", "Forwarded": "", "Host": "upstream"}},
		{"trusted proxy: kept, and the peer appended", `"trustedProxies": ["127.0.0.0/8"],`, map[string]string{
			"X-Forwarded-For": "203.0.113.9, 127.0.0.1", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "spoofed.example", "Forwarded": "", "Host": "upstream"}},
		{"preserveHost", `"preserveHost": true,`, map[string]string{
			"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "http", "X-Forwarded-Host": "gateway.test", "Forwarded": "", "Host": "gateway.test"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, "enforce", routes, tt.extra)
			hr, _ := http.NewRequest("GET", f.srv.URL+"/api/x", nil)
			hr.Host = "gateway.test"
			for k, v := range spoofed {
				hr.Header.Set(k, v)
			}
			resp, err := f.srv.Client().Do(hr)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			seen := f.up.last.Load()
			got := map[string]string{}
			for k := range tt.want {
				got[k] = strings.Join(seen.Header.Values(k), ", ")
			}
			if strings.HasPrefix(seen.Host, "127.0.0.1:") {
				got["Host"] = "upstream"
			} else {
				got["Host"] = seen.Host
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("upstream saw\n %v\nwant %v", got, tt.want)
			}
		})
	}
}

// TestReload: a new configuration applies to new requests; a request in
// flight finishes under the one it started with.
func TestReload(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			entered <- struct{}{}
			<-release
		}
	}))
	defer up.Close()
	policy := func(origin string) string {
		return `[{"path": "/", "policy": {"allowedOrigins": ["` + origin + `"]}}]`
	}
	gw, err := gateway.New(parse(t, up.URL, "enforce", policy("https://old.example"), ""), gateway.Options{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	defer srv.Close()
	get := func(path, origin string) string {
		hr, _ := http.NewRequest("GET", srv.URL+path, nil)
		hr.Header.Set("Origin", origin)
		resp, err := srv.Client().Do(hr)
		if err != nil {
			t.Error(err)
			return ""
		}
		resp.Body.Close()
		return resp.Header.Get("Access-Control-Allow-Origin")
	}
	inflight := make(chan string)
	go func() { inflight <- get("/slow", "https://old.example") }()
	<-entered
	if err := gw.Load(parse(t, up.URL, "enforce", policy("https://new.example"), "")); err != nil {
		t.Fatal(err)
	}
	if got := get("/fast", "https://new.example"); got != "https://new.example" {
		t.Errorf("after Load, the new origin got ACAO %q", got)
	}
	if got := get("/fast", "https://old.example"); got != "" {
		t.Errorf("after Load, the old origin got ACAO %q", got)
	}
	close(release)
	if got := <-inflight; got != "https://old.example" {
		t.Errorf("the request in flight got ACAO %q, want the old policy's answer", got)
	}
}

func TestAccessLog(t *testing.T) {
	t.Run("slog", func(t *testing.T) { testAccessLog(t, newFixture(t, "enforce", routes, "")) })
	t.Run("direct JSON", func(t *testing.T) {
		testAccessLog(t, newFixture(t, "enforce", routes, "", func(o *gateway.Options, logs io.Writer) { o.AccessLog, o.AccessJSON = nil, logs }))
	})
}

func testAccessLog(t *testing.T, f *fixture) {
	f.do(t, req{"OPTIONS", "/api/x", map[string]string{"Origin": app, "Access-Control-Request-Method": "DELETE"}})
	f.do(t, req{"GET", "/api/x", map[string]string{"Origin": app}})
	f.obs.requestsAfter(t, 1) // the record is written after the response
	var got []map[string]any
	for _, r := range logtest.Records(f.logs.String()) {
		if r["log"] == "access" {
			delete(r, "time")
			delete(r, "duration")
			delete(r, "remote")
			got = append(got, r)
		}
	}
	want := []map[string]any{
		{"level": "INFO", "msg": "request", "log": "access", "method": "OPTIONS", "path": "/api/x", "route": "/api/", "status": float64(403), "bytes": float64(0),
			"origin": app, "cors": "preflight", "decision": "rejected", "reason": "method-not-allowed", "answeredBy": "gateway"},
		{"level": "INFO", "msg": "request", "log": "access", "method": "GET", "path": "/api/x", "route": "/api/", "status": float64(200), "bytes": float64(len(`{"ok":true}`)),
			"origin": app, "cors": "actual", "decision": "allowed", "upstreamStatus": float64(200)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("access log\n got %v\nwant %v", got, want)
	}
}

// TestClientGoneIsNotAnUpstreamError: a client that hangs up while the
// upstream thinks is logged as 499 and counts no upstream error.
func TestClientGoneIsNotAnUpstreamError(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer up.Close()
	defer close(release)
	obs := &observer{}
	gw, err := gateway.New(parse(t, up.URL, "enforce", routes, ""), gateway.Options{Log: slog.New(slog.DiscardHandler), Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-entered; cancel() }() // hang up once the upstream has the request
	hr, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/x", nil)
	if _, err := srv.Client().Do(hr); err == nil {
		t.Fatal("want the client's cancellation to end the request")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		reqs, up, _ := obs.snapshot()
		if len(reqs) == 1 {
			if reqs[0] != "/api/ none none  499" || len(up) != 0 {
				t.Errorf("observed %q, upstream errors %q", reqs, up)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the request was never recorded")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestUpstreamCORSFormsReplaced: whatever form the upstream's own CORS
// headers take (12 malformed ones, written raw so that net/http does not
// tidy them first), the client gets exactly the policy's answer.
func TestUpstreamCORSFormsReplaced(t *testing.T) {
	forms := []string{
		"Access-Control-Allow-Origin: *",
		"Access-Control-Allow-Origin: https://evil.example\r\nAccess-Control-Allow-Origin: " + app,
		"Access-Control-Allow-Origin: *, https://evil.example",
		"access-control-allow-origin: https://evil.example",
		"ACCESS-CONTROL-ALLOW-ORIGIN: https://evil.example",
		"Access-Control-Allow-Origin: null\r\nAccess-Control-Allow-Credentials: true",
		"Access-Control-Allow-Origin:    https://evil.example   ",
		"Access-Control-Allow-Credentials: TRUE",
		"Access-Control-Expose-Headers: *\r\nAccess-Control-Expose-Headers: Set-Cookie",
		"Access-Control-Allow-Methods: *\r\nAccess-Control-Allow-Headers: *\r\nAccess-Control-Max-Age: 999999",
		"Access-Control-Allow-Origin: " + app + "/\r\nVary: Accept-Encoding",
		"Access-Control-Allow-Private-Network: true\r\nAccess-Control-Allow-Origin: " + app + "\r\nAccess-Control-Allow-Origin: " + app,
	}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var i int
		fmt.Sscan(r.URL.Query().Get("form"), &i)
		c, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer c.Close()
		io.WriteString(brw, "HTTP/1.1 200 OK\r\n"+forms[i]+"\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
		brw.Flush()
	}))
	defer up.Close()
	gw, err := gateway.New(parse(t, up.URL, "enforce", routes, ""), gateway.Options{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	defer srv.Close()
	for i, form := range forms {
		for _, origin := range []string{app, "https://evil.example"} {
			hr, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/x?form=%d", srv.URL, i), nil)
			hr.Header.Set("Origin", origin)
			resp, err := srv.Client().Do(hr)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			want := http.Header{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Expose-Headers": {"x-request-id"}, "Vary": {"Origin"}}
			if origin != app {
				want = http.Header{"Vary": {"Origin"}}
			}
			if strings.Contains(form, "Vary: Accept-Encoding") {
				want["Vary"] = []string{"Accept-Encoding", "Origin"}
			}
			if got := check.CORSHeaders(resp.Header); !reflect.DeepEqual(got, want) {
				t.Errorf("form %d %q, origin %s:\n got %v\nwant %v", i, form, origin, got, want)
			}
		}
	}
}

// TestOriginTricks: origins that resemble the allowed one get nothing: no
// Access-Control-Allow-Origin on an actual request, a bare 403 on a
// preflight, and the upstream never sees the preflight.
func TestOriginTricks(t *testing.T) {
	f := newFixture(t, "enforce", routes, "")
	tricks := []string{
		"https://app.example.com.evil.com", "https://evilapp.example.com", "https://sub.app.example.com",
		"https://app.example.com:443", "https://app.example.com:8443", "HTTPS://APP.EXAMPLE.COM", "https://APP.example.com",
		"null", "https://app.example.com/", "http://app.example.com", "https://app.example.com%60.evil.com",
		"https://app.example.com`.evil.com", "https://app.example.com@evil.com", "https://app.example.com, https://evil.com",
		"https://app.example.co", "https://app.example.com.",
	}
	for _, o := range tricks {
		resp := f.do(t, req{"GET", "/api/x", map[string]string{"Origin": o, "X-Test-Answer": "same"}})
		if got := resp.Header["Access-Control-Allow-Origin"]; len(got) != 0 {
			t.Errorf("Origin %q: ACAO %q", o, got)
		}
		before := f.up.calls.Load()
		resp = f.do(t, req{"OPTIONS", "/api/x", map[string]string{"Origin": o, "Access-Control-Request-Method": "PUT"}})
		if resp.StatusCode != 403 || len(check.CORSHeaders(resp.Header)) != 0 || f.up.calls.Load() != before {
			t.Errorf("preflight from %q: %d %v, upstream called %v; want a bare 403 at the gateway", o, resp.StatusCode, check.CORSHeaders(resp.Header), f.up.calls.Load() != before)
		}
	}
}
