package cors_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/cors"
)

// spy is the application behind the middleware. It records whether it ran,
// and marks its responses with a header of its own so the header-set
// comparisons show which responses it wrote.
type spy struct{ ran int }

func (s *spy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.ran++
	w.Header().Set("X-App", "ran")
	w.WriteHeader(http.StatusTeapot)
}

// hdr builds a header from name/value pairs; a name may repeat.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

const (
	acao  = "Access-Control-Allow-Origin"
	acac  = "Access-Control-Allow-Credentials"
	acam  = "Access-Control-Allow-Methods"
	acah  = "Access-Control-Allow-Headers"
	acma  = "Access-Control-Max-Age"
	aceh  = "Access-Control-Expose-Headers"
	acapn = "Access-Control-Allow-Private-Network"
	acrm  = "Access-Control-Request-Method"
	acrh  = "Access-Control-Request-Headers"
	acrpn = "Access-Control-Request-Private-Network"

	varyPreflight = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
	app           = "X-App"
)

// Policies used by the tables. Their expected behaviour below is written
// from the documentation, not from running the code.
var (
	// strict: two exact origins, subdomains of example.org, any localhost
	// port; credentials; PUT, DELETE and a lower-case patch; two headers.
	strict = cors.Config{
		AllowedOrigins:   []string{"https://app.example.com", "https://admin.example.com", "https://*.example.org", "http://localhost:*"},
		AllowedMethods:   []string{"PUT", "DELETE", "patch"},
		AllowedHeaders:   []string{"Content-Type", "X-Token"},
		ExposedHeaders:   []string{"X-Request-Id"},
		AllowCredentials: true,
		MaxAge:           600,
	}
	// originsOnly allows two origins and nothing beyond the safelisted
	// methods and headers.
	originsOnly = cors.Config{AllowedOrigins: []string{"https://app.example.com"}}
	// anyCreds allows any method and header, with credentials, so "*" must
	// become reflection.
	anyCreds = cors.Config{
		AllowedOrigins:   []string{"https://app.example.com"},
		AllowedMethods:   []string{"*"},
		AllowedHeaders:   []string{"*"},
		AllowCredentials: true,
	}
	// anyAnon allows any origin, any method and any header but
	// Authorization.
	anyAnon = cors.Config{
		AllowedOrigins: []string{"*"},
		AllowedMethods: []string{"*"},
		AllowedHeaders: []string{"*"},
		ExposedHeaders: []string{"*"},
		MaxAge:         -1,
	}
)

type request struct {
	method string
	header http.Header
}

func get(origin string) request {
	if origin == "" {
		return request{http.MethodGet, hdr()}
	}
	return request{http.MethodGet, hdr("Origin", origin)}
}

func preflight(origin, method string, extra ...string) request {
	return request{http.MethodOptions, hdr(append([]string{"Origin", origin, acrm, method}, extra...)...)}
}

type exchange struct {
	name       string
	req        request
	wantStatus int
	wantHeader http.Header
	wantApp    bool
}

func serve(t *testing.T, m *cors.Middleware, req request) (*httptest.ResponseRecorder, *spy) {
	t.Helper()
	s := &spy{}
	r := httptest.NewRequest(req.method, "https://api.example.net/resource", nil)
	r.Header = req.header.Clone()
	w := httptest.NewRecorder()
	m.Handler(s).ServeHTTP(w, r)
	return w, s
}

func check(t *testing.T, m *cors.Middleware, tests []exchange) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, s := serve(t, m, tt.req)
			if w.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", w.Code, tt.wantStatus)
			}
			if ran := s.ran == 1; ran != tt.wantApp {
				t.Errorf("application ran = %v (%d times), want %v", ran, s.ran, tt.wantApp)
			}
			if !maps.EqualFunc(w.Header(), tt.wantHeader, slices.Equal) {
				t.Errorf("headers:\n got %v\nwant %v", w.Header(), tt.wantHeader)
			}
			agreeRequest(t, m, tt.req)
		})
	}
}

func mustNew(t testing.TB, c cors.Config) *cors.Middleware {
	t.Helper()
	m, err := cors.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestStrictPolicy(t *testing.T) {
	const origin = "https://app.example.com"
	allowedActual := hdr(app, "ran", acao, origin, acac, "true", aceh, "x-request-id", "Vary", "Origin")
	notCORS := hdr(app, "ran", "Vary", "Origin")
	okPreflight := func(origin string, extra ...string) http.Header {
		return hdr(append([]string{acao, origin, acac, "true", acma, "600", "Vary", varyPreflight}, extra...)...)
	}
	check(t, mustNew(t, strict), []exchange{
		// Not CORS: the application answers, and caches learn the answer
		// depends on Origin.
		{"no origin", get(""), 418, notCORS, true},
		{"plain OPTIONS without origin", request{"OPTIONS", hdr()}, 418, notCORS, true},
		{"plain OPTIONS from allowed origin is an actual request", request{"OPTIONS", hdr("Origin", origin)}, 418, allowedActual, true},
		{"GET with ACRM is an actual request", request{"GET", hdr("Origin", origin, acrm, "PUT")}, 418, allowedActual, true},

		// Actual requests.
		{"allowed exact", get(origin), 418, allowedActual, true},
		{"allowed second exact", get("https://admin.example.com"), 418, hdr(app, "ran", acao, "https://admin.example.com", acac, "true", aceh, "x-request-id", "Vary", "Origin"), true},
		{"allowed subdomain", get("https://a.b.example.org"), 418, hdr(app, "ran", acao, "https://a.b.example.org", acac, "true", aceh, "x-request-id", "Vary", "Origin"), true},
		{"allowed any port", get("http://localhost:5173"), 418, hdr(app, "ran", acao, "http://localhost:5173", acac, "true", aceh, "x-request-id", "Vary", "Origin"), true},
		{"allowed any port, none given", get("http://localhost"), 418, hdr(app, "ran", acao, "http://localhost", acac, "true", aceh, "x-request-id", "Vary", "Origin"), true},
		{"POST allowed", request{"POST", hdr("Origin", origin)}, 418, allowedActual, true},
		{"suffix confusion", get("https://evilapp.example.com"), 418, notCORS, true},
		{"prefix confusion", get("https://app.example.com.evil.com"), 418, notCORS, true},
		{"shorter TLD", get("https://app.example.co"), 418, notCORS, true},
		{"apex of subdomain pattern", get("https://example.org"), 418, notCORS, true},
		{"subdomain suffix confusion", get("https://evilexample.org"), 418, notCORS, true},
		{"subdomain with empty label", get("https://a..example.org"), 418, notCORS, true},
		{"leading dot", get("https://.example.org"), 418, notCORS, true},
		{"wrong scheme", get("http://app.example.com"), 418, notCORS, true},
		{"explicit default port", get("https://app.example.com:443"), 418, notCORS, true},
		{"other port", get("https://app.example.com:8443"), 418, notCORS, true},
		{"trailing slash", get("https://app.example.com/"), 418, notCORS, true},
		{"upper case", get("https://APP.example.com"), 418, notCORS, true},
		{"upper-case subdomain", get("https://A.example.org"), 418, notCORS, true},
		{"null", get("null"), 418, notCORS, true},
		{"empty origin", get(""), 418, notCORS, true},
		{"garbage", get("\x00\xff://;;"), 418, notCORS, true},
		{"localhost bad port", get("http://localhost:99999"), 418, notCORS, true},
		{"localhost leading zero port", get("http://localhost:080"), 418, notCORS, true},
		{"localhost lookalike", get("http://localhost.evil.com:3000"), 418, notCORS, true},
		{"two origins joined", get("https://app.example.com, https://evil.com"), 418, notCORS, true},
		{"first of two origin lines counts", request{"GET", hdr("Origin", origin, "Origin", "https://evil.com")}, 418, allowedActual, true},
		{"second of two origin lines ignored", request{"GET", hdr("Origin", "https://evil.com", "Origin", origin)}, 418, notCORS, true},

		// Preflights.
		{"preflight PUT", preflight(origin, "PUT"), 204, okPreflight(origin, acam, "PUT,DELETE,patch"), false},
		{"preflight lower-case patch", preflight(origin, "patch"), 204, okPreflight(origin, acam, "PUT,DELETE,patch"), false},
		{"preflight upper-case PATCH is not patch", preflight(origin, "PATCH"), 403, hdr(), false},
		{"preflight put is not PUT", preflight(origin, "put"), 403, hdr(), false},
		{"preflight with headers", preflight(origin, "PUT", acrh, "content-type,x-token"), 204, okPreflight(origin, acam, "PUT,DELETE,patch", acah, "content-type,x-token"), false},
		{"preflight headers any case, order, spaces, duplicates", preflight(origin, "PUT", acrh, " X-Token ,Content-Type,\tx-token, ,"), 204, okPreflight(origin, acam, "PUT,DELETE,patch", acah, "content-type,x-token"), false},
		{"preflight headers on several lines", preflight(origin, "PUT", acrh, "x-token", acrh, "content-type"), 204, okPreflight(origin, acam, "PUT,DELETE,patch", acah, "content-type,x-token"), false},
		{"forced preflight: safelisted method, no headers", preflight(origin, "POST"), 204, okPreflight(origin), false},
		{"forced preflight GET from subdomain", preflight("https://x.example.org", "GET"), 204, okPreflight("https://x.example.org"), false},
		{"preflight header not allowed", preflight(origin, "PUT", acrh, "content-type,x-other"), 403, hdr(), false},
		{"preflight authorization not allowed", preflight(origin, "GET", acrh, "authorization"), 403, hdr(), false},
		{"preflight malformed headers", preflight(origin, "PUT", acrh, "content-type;x-token"), 403, hdr(), false},
		{"preflight method not allowed", preflight(origin, "POSTX"), 403, hdr(), false},
		{"preflight empty method", preflight(origin, ""), 403, hdr(), false},
		{"preflight disallowed origin", preflight("https://evil.com", "PUT"), 403, hdr(), false},
		{"preflight disallowed origin, safelisted", preflight("https://evil.com", "GET"), 403, hdr(), false},
		{"preflight private network not enabled", preflight(origin, "GET", acrpn, "true"), 403, hdr(), false},
	})
}

func TestOriginsOnlyPolicy(t *testing.T) {
	const origin = "https://app.example.com"
	check(t, mustNew(t, originsOnly), []exchange{
		{"actual", get(origin), 418, hdr(app, "ran", acao, origin, "Vary", "Origin"), true},
		// XHR upload listeners and streamed bodies preflight even simple
		// requests; jub0bs/cors refuses these, we must not.
		{"forced preflight POST", preflight(origin, "POST"), 204, hdr(acao, origin, "Vary", varyPreflight), false},
		{"forced preflight HEAD", preflight(origin, "HEAD"), 204, hdr(acao, origin, "Vary", varyPreflight), false},
		{"preflight PUT", preflight(origin, "PUT"), 403, hdr(), false},
		{"preflight with a header", preflight(origin, "POST", acrh, "x-token"), 403, hdr(), false},
		{"preflight with only empty header elements", preflight(origin, "POST", acrh, ", ,"), 204, hdr(acao, origin, "Vary", varyPreflight), false},
	})
}

func TestAllowAll(t *testing.T) {
	const origin = "https://anyone.example"
	any := hdr(app, "ran", acao, "*")
	check(t, cors.AllowAll(), []exchange{
		// A static "*" does not depend on Origin: no Vary, and the same
		// ACAO on every response so caches cannot mix them up.
		{"no origin", get(""), 418, any, true},
		{"any origin", get(origin), 418, any, true},
		{"null origin", get("null"), 418, any, true},
		{"garbage origin", get("???"), 418, any, true},
		{"plain OPTIONS", request{"OPTIONS", hdr("Origin", origin)}, 418, any, true},
		{"preflight DELETE with json and auth", preflight(origin, "DELETE", acrh, "authorization,content-type"), 204,
			hdr(acao, "*", acam, "PUT,PATCH,DELETE", acah, "*,authorization", "Vary", "Access-Control-Request-Method, Access-Control-Request-Headers"), false},
		{"preflight lower-case patch not listed", preflight(origin, "patch"), 403, hdr(), false},
		{"preflight any header", preflight(origin, "PUT", acrh, "x-whatever"), 204,
			hdr(acao, "*", acam, "PUT,PATCH,DELETE", acah, "*,authorization", "Vary", "Access-Control-Request-Method, Access-Control-Request-Headers"), false},
	})
}

func TestAnyAnonymous(t *testing.T) {
	const origin = "https://anyone.example"
	vary := "Access-Control-Request-Method, Access-Control-Request-Headers"
	check(t, mustNew(t, anyAnon), []exchange{
		{"actual exposes all", get(origin), 418, hdr(app, "ran", acao, "*", aceh, "*"), true},
		{"preflight any method", preflight(origin, "FOO", acrh, "x-a,x-b"), 204, hdr(acao, "*", acam, "*", acah, "*", acma, "0", "Vary", vary), false},
		// "*" never covers Authorization (Fetch §2.2.2); it must be listed.
		{"authorization not covered", preflight(origin, "PUT", acrh, "authorization,x-a"), 403, hdr(), false},
		{"Authorization any case not covered", preflight(origin, "PUT", acrh, "x-a, Authorization"), 403, hdr(), false},
		{"method not a token", preflight(origin, "P UT"), 403, hdr(), false},
	})
}

func TestAnyWithCredentials(t *testing.T) {
	const origin = "https://app.example.com"
	check(t, mustNew(t, anyCreds), []exchange{
		// With credentials "*" is literal for the browser, so the request is
		// echoed instead.
		{"preflight echoes method and headers", preflight(origin, "PURGE", acrh, "authorization,x-a"), 204,
			hdr(acao, origin, acac, "true", acam, "PURGE", acah, "authorization,x-a", "Vary", varyPreflight), false},
		// Reflected line for line: browsers join repeated lines with ", "
		// (Fetch §2.2.2), and no new string has to be built.
		{"several header lines are reflected line for line", preflight(origin, "PUT", acrh, "x-a", acrh, "x-b"), 204,
			hdr(acao, origin, acac, "true", acam, "PUT", acah, "x-a", acah, "x-b", "Vary", varyPreflight), false},
		{"malformed headers are not reflected", preflight(origin, "PUT", acrh, "x-a\r\nx-b: 1"), 403, hdr(), false},
		{"method with a comma is not reflected", preflight(origin, "PUT,GET"), 403, hdr(), false},
		{"other origin", preflight("https://evil.example", "PUT"), 403, hdr(), false},
	})
}

func TestOriginFunc(t *testing.T) {
	m := mustNew(t, cors.Config{
		AllowedOrigins: []string{"https://app.example.com"},
		AllowOriginFunc: func(r *http.Request, origin string) bool {
			return r.URL.Path == "/resource" && origin == "https://tenant.example.net"
		},
	})
	check(t, m, []exchange{
		{"pattern", get("https://app.example.com"), 418, hdr(app, "ran", acao, "https://app.example.com", "Vary", "Origin"), true},
		{"func says yes", get("https://tenant.example.net"), 418, hdr(app, "ran", acao, "https://tenant.example.net", "Vary", "Origin"), true},
		{"func says no", get("https://other.example.net"), 418, hdr(app, "ran", "Vary", "Origin"), true},
		{"no origin still varies", get(""), 418, hdr(app, "ran", "Vary", "Origin"), true},
	})
}

func TestNullOriginOptIn(t *testing.T) {
	m := mustNew(t, cors.Config{AllowedOrigins: []string{"null"}, DangerouslyAllowNullOrigin: true})
	check(t, m, []exchange{
		{"null", get("null"), 418, hdr(app, "ran", acao, "null", "Vary", "Origin"), true},
		{"Null is not null", get("Null"), 418, hdr(app, "ran", "Vary", "Origin"), true},
	})
}

func TestPreflightOptions(t *testing.T) {
	const origin = "https://app.example.com"
	t.Run("status 200", func(t *testing.T) {
		m := mustNew(t, cors.Config{AllowedOrigins: []string{origin}, AllowedMethods: []string{"PUT"}, PreflightStatus: 200})
		check(t, m, []exchange{{"ok", preflight(origin, "PUT"), 200, hdr(acao, origin, acam, "PUT", "Vary", varyPreflight), false}})
	})
	t.Run("passthrough", func(t *testing.T) {
		m := mustNew(t, cors.Config{AllowedOrigins: []string{origin}, AllowedMethods: []string{"PUT"}, PreflightPassthrough: true})
		check(t, m, []exchange{
			{"handler answers", preflight(origin, "PUT"), 418, hdr(app, "ran", acao, origin, acam, "PUT", "Vary", varyPreflight), true},
			{"rejected is not passed", preflight(origin, "DELETE"), 403, hdr(), false},
		})
	})
	t.Run("private network", func(t *testing.T) {
		m := mustNew(t, cors.Config{AllowedOrigins: []string{origin}, AllowPrivateNetwork: true})
		vary := varyPreflight + ", Access-Control-Request-Private-Network"
		check(t, m, []exchange{
			{"asked", preflight(origin, "GET", acrpn, "true"), 204, hdr(acao, origin, acapn, "true", "Vary", vary), false},
			{"not asked", preflight(origin, "GET"), 204, hdr(acao, origin, "Vary", vary), false},
		})
	})
}

// TestDebug: a rejected preflight from an allowed origin explains itself
// through the headers the browser checks; a stranger still learns nothing.
func TestDebug(t *testing.T) {
	const origin = "https://app.example.com"
	m := mustNew(t, strict)
	m.SetDebug(true)
	check(t, m, []exchange{
		{"method", preflight(origin, "POSTX"), 204, hdr(acao, origin, acac, "true", acam, "PUT,DELETE,patch", "Vary", varyPreflight), false},
		{"header", preflight(origin, "PUT", acrh, "x-other"), 204, hdr(acao, origin, acac, "true", acam, "PUT,DELETE,patch", acah, "content-type,x-token", "Vary", varyPreflight), false},
		{"stranger", preflight("https://evil.com", "PUT"), 403, hdr(), false},
		{"success unchanged", preflight(origin, "PUT"), 204, hdr(acao, origin, acac, "true", acam, "PUT,DELETE,patch", acma, "600", "Vary", varyPreflight), false},
		{"actual unchanged", get(origin), 418, hdr(app, "ran", acao, origin, acac, "true", aceh, "x-request-id", "Vary", "Origin"), true},
	})
	m.SetDebug(false)
	check(t, m, []exchange{{"off again", preflight(origin, "POSTX"), 403, hdr(), false}})

	// Private Network Access is checked last, but debug mode's answer to
	// an earlier refusal still grants it when the policy does, and names
	// nothing it does not grant when the policy does not.
	pna := strict
	pna.AllowPrivateNetwork = true
	m = mustNew(t, pna)
	m.SetDebug(true)
	varyPN := varyPreflight + ", Access-Control-Request-Private-Network"
	check(t, m, []exchange{
		{"method, PNA allowed", preflight(origin, "POSTX", acrpn, "true"), 204, hdr(acao, origin, acac, "true", acam, "PUT,DELETE,patch", acapn, "true", "Vary", varyPN), false},
		{"header, PNA allowed", preflight(origin, "PUT", acrh, "x-other", acrpn, "true"), 204, hdr(acao, origin, acac, "true", acam, "PUT,DELETE,patch", acah, "content-type,x-token", acapn, "true", "Vary", varyPN), false},
	})
	m = mustNew(t, strict)
	m.SetDebug(true)
	check(t, m, []exchange{
		{"PNA refused", preflight(origin, "PUT", acrpn, "true"), 204, hdr(acao, origin, acac, "true", acam, "PUT,DELETE,patch", "Vary", varyPreflight), false},
	})
}

func TestOnReject(t *testing.T) {
	const origin = "https://app.example.com"
	var got []cors.Reason
	c := strict
	c.AllowPrivateNetwork = false
	c.OnReject = func(r *http.Request, reason cors.Reason) { got = append(got, reason) }
	m := mustNew(t, c)
	for _, tt := range []struct {
		req  request
		want []cors.Reason
	}{
		{get(origin), nil},
		{get(""), nil},
		{get("https://evil.com"), []cors.Reason{cors.OriginNotAllowed}},
		{preflight("https://evil.com", "PUT"), []cors.Reason{cors.OriginNotAllowed}},
		{preflight(origin, "PATCH"), []cors.Reason{cors.MethodNotAllowed}},
		{preflight(origin, "PUT", acrh, "x-nope"), []cors.Reason{cors.HeaderNotAllowed}},
		{preflight(origin, "PUT", acrh, strings.Repeat(",", 100)), []cors.Reason{cors.HeadersMalformed}},
		{preflight(origin, "PUT", acrpn, "true"), []cors.Reason{cors.PrivateNetworkNotAllowed}},
		{preflight(origin, "PUT"), nil},
	} {
		got = nil
		serve(t, m, tt.req)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s %v: OnReject got %v, want %v", tt.req.method, tt.req.header, got, tt.want)
		}
	}
}

// TestVaryAppended: Vary set by an outer layer survives, and ours is added
// after it, once.
func TestVaryAppended(t *testing.T) {
	m := mustNew(t, strict)
	for _, tt := range []struct {
		name  string
		outer []string
		req   request
		want  []string
	}{
		{"kept and appended", []string{"Accept-Encoding"}, get("https://app.example.com"), []string{"Accept-Encoding", "Origin"}},
		{"disallowed too", []string{"Accept-Encoding"}, get("https://evil.com"), []string{"Accept-Encoding", "Origin"}},
		{"no origin too", []string{"Accept-Encoding"}, get(""), []string{"Accept-Encoding", "Origin"}},
		{"already there", []string{"accept-encoding, origin"}, get("https://app.example.com"), []string{"accept-encoding, origin"}},
		{"star", []string{"*"}, get("https://app.example.com"), []string{"*"}},
		// Responses whose only CORS header is Vary take another path.
		{"already there, no origin", []string{"Origin"}, get(""), []string{"Origin"}},
		{"already there, disallowed", []string{"accept-encoding, origin"}, get("https://evil.com"), []string{"accept-encoding, origin"}},
		{"star, no origin", []string{"*"}, get(""), []string{"*"}},
		{"star, disallowed", []string{"Accept", "*"}, get("https://evil.com"), []string{"Accept", "*"}},
		{"present but empty, no origin", nil, get(""), []string{"Origin"}},
		{"two lines, disallowed", []string{"Accept-Encoding", "Accept-Language"}, get("https://evil.com"), []string{"Accept-Encoding", "Accept-Language", "Origin"}},
		{"preflight", []string{"Accept-Encoding"}, preflight("https://app.example.com", "PUT"), []string{"Accept-Encoding", varyPreflight}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Vary"] = slices.Clone(tt.outer)
				m.Handler(&spy{}).ServeHTTP(w, r)
			})
			r := httptest.NewRequest(tt.req.method, "/", nil)
			r.Header = tt.req.header
			w := httptest.NewRecorder()
			outer.ServeHTTP(w, r)
			if got := w.Header()["Vary"]; !slices.Equal(got, tt.want) {
				t.Errorf("Vary = %q, want %q", got, tt.want)
			}
			r = httptest.NewRequest(tt.req.method, "/", nil)
			r.Header = tt.req.header
			agree(t, m, r, http.Header{"Vary": slices.Clone(tt.outer)})
		})
	}
}

// TestNoSharedHeaderSlices: a wrapping middleware that edits the CORS
// headers of one response in place must not change the next response.
func TestNoSharedHeaderSlices(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    *cors.Middleware
		req  request
	}{
		{"actual", mustNew(t, strict), get("https://app.example.com")},
		{"preflight", mustNew(t, strict), preflight("https://app.example.com", "PUT", acrh, "x-token")},
		{"allow all", cors.AllowAll(), get("https://a.example")},
		{"allow all preflight", cors.AllowAll(), preflight("https://a.example", "PUT", acrh, "x-a")},
		{"no origin", mustNew(t, strict), get("")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vandal := func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					next.ServeHTTP(w, r)
					for _, v := range w.Header() {
						for i := range v {
							v[i] = "corrupted"
						}
						_ = append(v, "appended") // must not reach a neighbour
					}
				})
			}
			h := vandal(tc.m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
			var first http.Header
			for i := 0; i < 3; i++ {
				// Record what the middleware wrote before the vandal ran.
				snap := http.Header{}
				probe := tc.m.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					for k, v := range w.Header() {
						snap[k] = slices.Clone(v)
					}
				}))
				r := httptest.NewRequest(tc.req.method, "/", nil)
				r.Header = tc.req.header.Clone()
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				r2 := httptest.NewRequest(tc.req.method, "/", nil)
				r2.Header = tc.req.header.Clone()
				w2 := httptest.NewRecorder()
				probe.ServeHTTP(w2, r2)
				got := w2.Header()
				if i == 0 {
					first = got.Clone()
				}
				for k, v := range got {
					for _, s := range v {
						if strings.Contains(s, "corrupted") || s == "appended" {
							t.Fatalf("response %d header %s = %q: a slice was shared", i, k, v)
						}
					}
				}
				if !maps.EqualFunc(got, first, slices.Equal) {
					t.Fatalf("response %d headers %v differ from the first %v", i, got, first)
				}
			}
			if len(first) == 0 {
				t.Fatal("the middleware wrote no headers: the test proves nothing")
			}
		})
	}
}

// TestZeroMiddleware: the zero value passes requests through untouched.
func TestZeroMiddleware(t *testing.T) {
	var m cors.Middleware
	check(t, &m, []exchange{
		{"actual", get("https://a.example"), 418, hdr(app, "ran"), true},
		{"preflight", preflight("https://a.example", "PUT"), 418, hdr(app, "ran"), true},
	})
	if !isZero(m.Config()) {
		t.Errorf("Config of zero Middleware = %+v", m.Config())
	}
}

func isZero(c cors.Config) bool {
	return c.AllowedOrigins == nil && c.AllowedMethods == nil && c.AllowedHeaders == nil && c.ExposedHeaders == nil &&
		!c.AllowCredentials && c.MaxAge == 0 && c.PreflightStatus == 0
}

func TestHandlerFunc(t *testing.T) {
	m := mustNew(t, originsOnly)
	ran := false
	h := m.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ran = true })
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Origin", "https://app.example.com")
	w := httptest.NewRecorder()
	h(w, r)
	if !ran || w.Header().Get(acao) != "https://app.example.com" {
		t.Fatalf("ran=%v headers=%v", ran, w.Header())
	}
}

// TestHandlerAddKeepsNeighbours: the application calling Header().Add on a
// header the middleware set (Vary is the usual one) appends to our slice;
// that must not overwrite the middleware's other headers, which share one
// backing array.
func TestHandlerAddKeepsNeighbours(t *testing.T) {
	const origin = "https://app.example.com"
	for _, req := range []request{get(origin), preflight(origin, "PUT", acrh, "x-token")} {
		c := strict
		c.PreflightPassthrough = true
		m := mustNew(t, c)
		var before http.Header
		h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			before = w.Header().Clone()
			for k := range before {
				w.Header().Add(k, "added-by-app")
			}
		}))
		r := httptest.NewRequest(req.method, "/", nil)
		r.Header = req.header
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if len(before) < 3 {
			t.Fatalf("%s: middleware set only %v", req.method, before)
		}
		for k, v := range before {
			want := append(slices.Clone(v), "added-by-app")
			if got := w.Header()[k]; !slices.Equal(got, want) {
				t.Errorf("%s: %s = %q, want %q", req.method, k, got, want)
			}
		}
	}
}

// TestHeaderLimits: the Fetch standard sets no limit on the length of a
// header name, and a page can send a long one, so the middleware allows it
// wherever the policy does (AllowAll, a listed name, "*" with
// credentials). The one limit is on the number of names: New accepts at
// most 64, and a preflight requesting all 64 at once is allowed.
func TestHeaderLimits(t *testing.T) {
	const origin = "https://app.example.com"
	long := "x-" + strings.Repeat("long", 50) // 202 bytes
	vary := "Access-Control-Request-Method, Access-Control-Request-Headers"
	check(t, cors.AllowAll(), []exchange{
		{"long name under AllowAll", preflight(origin, "PUT", acrh, long), 204,
			hdr(acao, "*", acam, "PUT,PATCH,DELETE", acah, "*,authorization", "Vary", vary), false},
		{"very long name under AllowAll", preflight(origin, "PUT", acrh, "content-type,"+strings.Repeat("y", 8000)), 204,
			hdr(acao, "*", acam, "PUT,PATCH,DELETE", acah, "*,authorization", "Vary", vary), false},
	})
	listed := cors.Config{AllowedOrigins: []string{origin}, AllowedHeaders: []string{strings.ToUpper(long), "X-Token"}}
	check(t, mustNew(t, listed), []exchange{
		{"long listed name", preflight(origin, "GET", acrh, long), 204,
			hdr(acao, origin, acah, long+",x-token", "Vary", "Origin, "+vary), false},
		{"long listed name, other spelling", preflight(origin, "GET", acrh, "X-Token, "+strings.ToUpper(long)), 204,
			hdr(acao, origin, acah, long+",x-token", "Vary", "Origin, "+vary), false},
		{"long name not listed", preflight(origin, "GET", acrh, long+"x"), 403, hdr(), false},
	})
	creds := cors.Config{AllowedOrigins: []string{origin}, AllowedHeaders: []string{"*"}, AllowCredentials: true}
	check(t, mustNew(t, creds), []exchange{
		{"long name reflected with credentials", preflight(origin, "GET", acrh, long), 204,
			hdr(acao, origin, acac, "true", acah, long, "Vary", "Origin, "+vary), false},
	})

	names := make([]string, 64)
	for i := range names {
		names[i] = fmt.Sprintf("x-h%02d", i)
	}
	all := strings.Join(names, ",")
	m := mustNew(t, cors.Config{AllowedOrigins: []string{origin}, AllowedHeaders: names})
	check(t, m, []exchange{
		{"all 64 allowed names at once", preflight(origin, "GET", acrh, all), 204,
			hdr(acao, origin, acah, all, "Vary", "Origin, "+vary), false},
		{"65 names", preflight(origin, "GET", acrh, all+",x-h00"), 403, hdr(), false},
	})
}
