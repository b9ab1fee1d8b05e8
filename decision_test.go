package cors_test

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/cors"
)

// agree sends r through m.Handler, in front of a spy application, and
// evaluates it with m.Evaluate, writing the decision's headers with
// SetHeaders onto a header map that holds what w's held; it fails t unless
// the two agree on everything the browser or the application can observe:
// the status, the whole header set, whether the application ran, and the
// reason (which Handler gives OnReject). It is the differential test of
// the decision API: the tables of this package (check, TestVaryAppended,
// TestAllocations' cases, TestDebugNeverGrants' real requests,
// FuzzMiddleware) call it on every request they make, so Evaluate is held
// to whatever Handler is held to.
//
// The reason Handler reports is heard through a twin of m that has the
// same policy and an OnReject of its own (the reason does not depend on
// debug mode, which only changes what a refusal looks like).
func agree(t testing.TB, m *cors.Middleware, r *http.Request, outer http.Header) {
	t.Helper()
	w := httptest.NewRecorder()
	maps.Copy(w.Header(), outer.Clone())
	app := &spy{}
	m.Handler(app).ServeHTTP(w, r)

	d := m.Evaluate(r)
	h := outer.Clone()
	if h == nil {
		h = http.Header{}
	}
	d.SetHeaders(h)
	status, ran := d.Status(), d.Status() == 0
	if ran {
		(&spy{}).ServeHTTP(discardWriter{h}, r) // what the application adds
		status = http.StatusTeapot
	}
	if status != w.Code {
		t.Errorf("Evaluate: status %d; Handler answered %d", status, w.Code)
	}
	if ran != (app.ran == 1) {
		t.Errorf("Evaluate: application runs = %v; Handler ran it %d times", ran, app.ran)
	}
	if !maps.EqualFunc(h, w.Header(), slices.Equal) {
		t.Errorf("Evaluate's headers:\n%v\nHandler's:\n%v", h, w.Header())
	}

	var heard []cors.Reason
	if c := m.Config(); c.AllowedOrigins != nil || c.AllowOriginFunc != nil {
		c.OnReject = func(_ *http.Request, reason cors.Reason) { heard = append(heard, reason) }
		twin, err := cors.New(c)
		if err != nil {
			t.Fatalf("New(m.Config()): %v", err)
		}
		twin.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(httptest.NewRecorder(), r)
	} // else the zero Middleware, which refuses nothing
	var want []cors.Reason
	if d.Reason() != "" {
		want = []cors.Reason{d.Reason()}
	}
	if !slices.Equal(heard, want) {
		t.Errorf("Evaluate's reason %q; Handler reported %q", d.Reason(), heard)
	}
	if d.Allowed() != (d.Reason() == "") {
		t.Errorf("Allowed() = %v with Reason() %q", d.Allowed(), d.Reason())
	}
	if got, want := d.Kind(), kindOf(r); got != want {
		t.Errorf("Kind() = %v, want %v", got, want)
	}
	if d.Kind() != cors.PreflightRequest && d.Status() != 0 {
		t.Errorf("a %v request has Status() %d: only preflights are answered by the policy", d.Kind(), d.Status())
	}
}

// kindOf classifies r from the definitions: no Origin, not CORS; OPTIONS
// with Access-Control-Request-Method, a preflight (Fetch §3.2.2); a GET
// that asks to upgrade to websocket, or an HTTP/2 CONNECT for the
// websocket protocol, a handshake (RFC 6455 §4.1, RFC 8441 §4); anything
// else with an Origin, an actual request.
func kindOf(r *http.Request) cors.Kind {
	_, acrm := r.Header["Access-Control-Request-Method"]
	switch {
	case len(r.Header["Origin"]) == 0:
		return cors.NotCORS
	case r.Method == "OPTIONS" && acrm:
		return cors.PreflightRequest
	case r.Method == "GET" && hasToken(r.Header["Upgrade"], "websocket"),
		r.Method == "CONNECT" && len(r.Header[":protocol"]) > 0 && strings.EqualFold(r.Header[":protocol"][0], "websocket"):
		return cors.WebSocketHandshake
	}
	return cors.ActualRequest
}

// hasToken reports whether the comma-separated lists in lines name token,
// in any case (RFC 9110 §5.6.1).
func hasToken(lines []string, token string) bool {
	for _, l := range lines {
		for _, e := range strings.Split(l, ",") {
			if strings.EqualFold(strings.TrimSpace(e), token) {
				return true
			}
		}
	}
	return false
}

// discardWriter lets the spy application write its header onto h.
type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}

// agreeRequest builds the request of a table row and holds Evaluate to
// Handler on it, without and with a Vary set by an outer handler.
func agreeRequest(t *testing.T, m *cors.Middleware, req request) {
	t.Helper()
	for _, outer := range []http.Header{nil, {"Vary": {"Accept-Encoding"}}} {
		r := httptest.NewRequest(req.method, "https://api.example.net/resource", nil)
		r.Header = req.header.Clone()
		agree(t, m, r, outer)
	}
}

// TestDecisionKinds: the kinds Evaluate names, for the requests that
// define them, under a policy and under none (the zero Middleware
// classifies too, and refuses nothing).
func TestDecisionKinds(t *testing.T) {
	const origin = "https://app.example.com"
	ws := func(origin string) request {
		return request{"GET", hdr("Origin", origin, "Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")}
	}
	tests := []struct {
		name    string
		req     request
		kind    cors.Kind
		allowed bool
	}{
		{"no origin", get(""), cors.NotCORS, true},
		{"websocket without origin", request{"GET", hdr("Upgrade", "websocket", "Connection", "Upgrade")}, cors.NotCORS, true},
		{"actual", get(origin), cors.ActualRequest, true},
		{"actual, refused", get("https://evil.example"), cors.ActualRequest, false},
		{"plain OPTIONS", request{"OPTIONS", hdr("Origin", origin)}, cors.ActualRequest, true},
		{"preflight", preflight(origin, "PUT"), cors.PreflightRequest, true},
		{"preflight, refused", preflight(origin, "PATCH"), cors.PreflightRequest, false},
		{"websocket", ws(origin), cors.WebSocketHandshake, true},
		{"websocket, refused", ws("https://evil.example"), cors.WebSocketHandshake, false},
		{"websocket, any case, in a list", request{"GET", hdr("Origin", origin, "Upgrade", "foo, WebSocket")}, cors.WebSocketHandshake, true},
		{"websocket over HTTP/2", request{"CONNECT", hdr("Origin", origin, ":protocol", "websocket")}, cors.WebSocketHandshake, true},
		{"another upgrade", request{"GET", hdr("Origin", origin, "Upgrade", "h2c")}, cors.ActualRequest, true},
		{"websocket upgrade on POST", request{"POST", hdr("Origin", origin, "Upgrade", "websocket")}, cors.ActualRequest, true},
	}
	m := mustNew(t, cors.Config{AllowedOrigins: []string{origin}, AllowedMethods: []string{"PUT"}})
	var zero cors.Middleware
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.req.method, "/", nil)
			r.Header = tt.req.header
			d := m.Evaluate(r)
			if d.Kind() != tt.kind || d.Allowed() != tt.allowed {
				t.Errorf("Kind %v, Allowed %v; want %v, %v", d.Kind(), d.Allowed(), tt.kind, tt.allowed)
			}
			if z := zero.Evaluate(r); z.Kind() != tt.kind || !z.Allowed() || z.Status() != 0 {
				t.Errorf("zero Middleware: Kind %v, Allowed %v, Status %d; want %v, true, 0", z.Kind(), z.Allowed(), z.Status(), tt.kind)
			}
			agreeRequest(t, m, tt.req)
			agreeRequest(t, &zero, tt.req)
		})
	}
	for k, want := range map[cors.Kind]string{cors.NotCORS: "none", cors.ActualRequest: "actual", cors.PreflightRequest: "preflight", cors.WebSocketHandshake: "websocket", 9: "Kind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
}

// TestDecisionStatus: the status of each kind of answer, from the
// documentation of Status, and the origin as sent.
func TestDecisionStatus(t *testing.T) {
	const origin = "https://app.example.com"
	base := cors.Config{AllowedOrigins: []string{origin}, AllowedMethods: []string{"PUT"}}
	passthrough, status200 := base, base
	passthrough.PreflightPassthrough = true
	status200.PreflightStatus = 200
	tests := []struct {
		name   string
		cfg    cors.Config
		debug  bool
		req    request
		status int
		reason cors.Reason
	}{
		{"granted", base, false, preflight(origin, "PUT"), 204, ""},
		{"granted, 200", status200, false, preflight(origin, "PUT"), 200, ""},
		{"granted, passthrough", passthrough, false, preflight(origin, "PUT"), 0, ""},
		{"refused method", base, false, preflight(origin, "DELETE"), 403, cors.MethodNotAllowed},
		{"refused method, passthrough", passthrough, false, preflight(origin, "DELETE"), 403, cors.MethodNotAllowed},
		{"refused method, debug", status200, true, preflight(origin, "DELETE"), 200, cors.MethodNotAllowed},
		{"refused origin, debug", status200, true, preflight("https://evil.example", "PUT"), 403, cors.OriginNotAllowed},
		{"actual", base, false, get(origin), 0, ""},
		{"actual, refused", base, false, get("https://evil.example"), 0, cors.OriginNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustNew(t, tt.cfg)
			m.SetDebug(tt.debug)
			r := httptest.NewRequest(tt.req.method, "/", nil)
			r.Header = tt.req.header
			d := m.Evaluate(r)
			if d.Status() != tt.status || d.Reason() != tt.reason || d.Origin() != tt.req.header.Get("Origin") {
				t.Errorf("Status %d, Reason %q, Origin %q; want %d, %q, %q", d.Status(), d.Reason(), d.Origin(), tt.status, tt.reason, tt.req.header.Get("Origin"))
			}
			agreeRequest(t, m, tt.req)
		})
	}
}

// TestDecisionKeepsItsPolicy: a decision made before Reconfigure writes
// the headers of the policy it was made under, as a request in flight
// finishes under the policy it started with.
func TestDecisionKeepsItsPolicy(t *testing.T) {
	const origin = "https://app.example.com"
	m := mustNew(t, cors.Config{AllowedOrigins: []string{origin}, AllowCredentials: true})
	r := httptest.NewRequest("GET", "/", nil)
	r.Header = hdr("Origin", origin)
	d := m.Evaluate(r)
	if err := m.Reconfigure(cors.Config{AllowedOrigins: []string{"https://other.example"}}); err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	d.SetHeaders(h)
	want := hdr(acao, origin, acac, "true", "Vary", "Origin")
	if !maps.EqualFunc(h, want, slices.Equal) {
		t.Errorf("headers %v, want %v", h, want)
	}
	if now := m.Evaluate(r); now.Allowed() {
		t.Errorf("the new policy allows %s", origin)
	}
}

// TestSetHeadersOnAnyMap: a front door that relays another server's
// answer (a proxy) writes the decision onto that answer's headers, more
// than once if it must (a 103 Early Hints, then the final response): the
// policy's Vary fields go after the upstream's, once, never into "*", and
// no two writes share a slice.
func TestSetHeadersOnAnyMap(t *testing.T) {
	const origin = "https://app.example.com"
	m := mustNew(t, strict)
	for _, tt := range []struct {
		name     string
		req      request
		upstream http.Header
		want     http.Header
	}{
		{"actual", get(origin), hdr("Content-Type", "text/plain", "Vary", "Accept-Encoding"),
			hdr("Content-Type", "text/plain", acao, origin, acac, "true", aceh, "x-request-id", "Vary", "Accept-Encoding", "Vary", "Origin")},
		{"actual, Vary already names Origin", get(origin), hdr("Vary", "origin, accept"),
			hdr(acao, origin, acac, "true", aceh, "x-request-id", "Vary", "origin, accept")},
		{"actual, Vary *", get(origin), hdr("Vary", "*"),
			hdr(acao, origin, acac, "true", aceh, "x-request-id", "Vary", "*")},
		{"refused", get("https://evil.example"), hdr("Vary", "Accept-Encoding"),
			hdr("Vary", "Accept-Encoding", "Vary", "Origin")},
		{"not CORS", get(""), hdr(), hdr("Vary", "Origin")},
		{"preflight on an error page", preflight(origin, "PUT"), hdr("Content-Type", "text/plain", "Vary", "Accept"),
			hdr("Content-Type", "text/plain", acao, origin, acac, "true", acam, "PUT,DELETE,patch", acma, "600", "Vary", "Accept", "Vary", varyPreflight)},
		{"refused preflight writes nothing", preflight(origin, "PATCH"), hdr("Vary", "Accept"), hdr("Vary", "Accept")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.req.method, "/", nil)
			r.Header = tt.req.header
			d := m.Evaluate(r)
			first := tt.upstream.Clone()
			d.SetHeaders(first)
			if !maps.EqualFunc(first, tt.want, slices.Equal) {
				t.Fatalf("headers:\n got %v\nwant %v", first, tt.want)
			}
			second := tt.upstream.Clone()
			d.SetHeaders(second)
			for _, v := range first {
				for i := range v {
					v[i] = "corrupted"
				}
			}
			if !maps.EqualFunc(second, tt.want, slices.Equal) {
				t.Fatalf("a second write shares slices with the first:\n got %v\nwant %v", second, tt.want)
			}
		})
	}
}

// TestDecisionAllocations: evaluating costs nothing, and writing a
// decision costs what Handler's answer costs (TestAllocations): one
// allocation at most, none for a refused preflight.
func TestDecisionAllocations(t *testing.T) {
	const origin = "https://app.example.com"
	m := mustNew(t, strict)
	for _, tt := range []struct {
		name  string
		r     *http.Request
		write float64
	}{
		{"not CORS", newRequest("GET"), 1},
		{"actual", newRequest("GET", "Origin", origin), 1},
		{"websocket", newRequest("GET", "Origin", origin, "Upgrade", "websocket"), 1},
		{"preflight", newRequest("OPTIONS", "Origin", origin, acrm, "PUT", acrh, "x-token"), 1},
		{"refused preflight", newRequest("OPTIONS", "Origin", origin, acrm, "PATCH"), 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(100, func() { _ = m.Evaluate(tt.r) }); n != 0 {
				t.Errorf("Evaluate: %v allocations, want 0", n)
			}
			h := http.Header{}
			d := m.Evaluate(tt.r)
			if n := testing.AllocsPerRun(100, func() { clear(h); d.SetHeaders(h) }); n > tt.write {
				t.Errorf("SetHeaders: %v allocations, want at most %v", n, tt.write)
			}
		})
	}
}
