package demo_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/corskit/cors/internal/demo"
)

const (
	client   = "http://localhost:8080"
	stranger = "https://evil.example"
	partner  = "https://partner.example.com"
)

// Header names, spelled as the tests compare them.
const (
	acao = "Access-Control-Allow-Origin"
	acac = "Access-Control-Allow-Credentials"
	acam = "Access-Control-Allow-Methods"
	acah = "Access-Control-Allow-Headers"
	aceh = "Access-Control-Expose-Headers"
	acma = "Access-Control-Max-Age"
	vary = "Vary"
)

// What the middleware promises in Vary (design §2): "Origin" on every
// response of an origin-dependent policy, and on preflights the request
// headers the answer depends on too; a static "*" policy never varies on
// Origin.
var (
	varyOrigin       = "Origin"
	varyPreflight    = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
	varyPreflightAll = "Access-Control-Request-Method, Access-Control-Request-Headers"
)

// rejections records the reasons the middleware passed to OnReject, through
// the slog logger NewAPI is given (cors.LogRejections).
type rejections struct {
	mu      sync.Mutex
	reasons []string
}

func (r *rejections) Enabled(context.Context, slog.Level) bool { return true }
func (r *rejections) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *rejections) WithGroup(string) slog.Handler            { return r }
func (r *rejections) Handle(_ context.Context, rec slog.Record) error {
	if rec.Message != "cors: request rejected" {
		return nil
	}
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == "reason" {
			r.mu.Lock()
			r.reasons = append(r.reasons, a.Value.String())
			r.mu.Unlock()
		}
		return true
	})
	return nil
}

type apiCase struct {
	name   string
	method string
	path   string
	origin string            // "" sends no Origin
	acrm   string            // Access-Control-Request-Method, for preflights
	acrh   string            // Access-Control-Request-Headers
	header map[string]string // other request headers
	body   string

	wantStatus int
	anyBody    bool           // the body is not checked
	wantBody   map[string]any // the JSON body; nil: an empty body
	// wantCORS is the exact set of Access-Control-* headers and Vary in the
	// response. List values are compared as sets (method names by bytes,
	// header names without case).
	wantCORS   map[string]string
	wantAllow  string // the Allow header, "" if none
	wantReject string // the reason logged through OnReject, "" if none
	check      func(t *testing.T, res *http.Response)
}

// The routes' documented policies (see NewAPI), turned into what the
// middleware's contract says the response carries.
func apiCases() []apiCase {
	msg := func(s string) map[string]any { return map[string]any{"msg": s} }
	withoutCORS := msg("😞 no CORS, no party!")
	withCORS := msg("WHOAH with CORS it works! 🔝 🎉")
	product := map[string]any{"id": "1", "msg": "This is CORS-enabled for only " + client + "."}
	allowList := msg("This is CORS-enabled for an allow-listed origin.")
	partners := msg("Partners only: CORS-enabled for https://partner.example.com and https://shop.example.net.")
	exposed := msg("This response carries X-Request-Id (exposed) and X-Secret (not exposed).")
	item := map[string]any{"id": "1", "saved": map[string]any{"name": "blue mug", "qty": 2.0}, "msg": "item 1 saved"}
	token := map[string]string{"X-Demo-Token": "letmein", "Content-Type": "application/json"}
	itemBody := `{"name":"blue mug","qty":2}`

	// A trusted origin on an origin-dependent policy.
	allowed := func(o string) map[string]string { return map[string]string{acao: o, vary: varyOrigin} }
	// Any other origin, and requests without Origin: no CORS header, but
	// the answer still varies on Origin.
	notAllowed := map[string]string{vary: varyOrigin}
	none := map[string]string{}
	// A rejected preflight: 403 and no header at all, not even Vary: OPTIONS
	// responses are not cacheable (RFC 9110 §9.3.7), and the package
	// documents this one exception to "Vary on every response".
	rejectedPreflight := map[string]string{}
	// AllowAll: "*" on every response, never Vary: Origin.
	star := map[string]string{acao: "*"}

	return []apiCase{
		// /without-cors: no policy at all.
		{name: "without-cors/client", method: "GET", path: "/without-cors", origin: client,
			wantStatus: 200, wantBody: withoutCORS, wantCORS: none},
		{name: "without-cors/no origin", method: "GET", path: "/without-cors",
			wantStatus: 200, wantBody: withoutCORS, wantCORS: none},
		{name: "without-cors/HEAD", method: "HEAD", path: "/without-cors", origin: client,
			wantStatus: 200, wantCORS: none},
		// A preflight reaches the application, which answers OPTIONS as it
		// answers any OPTIONS: no CORS header, so the browser fails it.
		{name: "without-cors/preflight", method: "OPTIONS", path: "/without-cors", origin: client, acrm: "PUT",
			wantStatus: 204, wantCORS: none, wantAllow: "GET, HEAD, OPTIONS"},
		{name: "without-cors/plain OPTIONS", method: "OPTIONS", path: "/without-cors",
			wantStatus: 204, wantCORS: none, wantAllow: "GET, HEAD, OPTIONS"},
		{name: "without-cors/POST", method: "POST", path: "/without-cors", origin: client,
			wantStatus: 405, wantBody: map[string]any{"error": "method POST not allowed; use GET, HEAD, OPTIONS"}, wantCORS: none, wantAllow: "GET, HEAD, OPTIONS"},

		// /with-cors: cors.AllowAll().
		{name: "with-cors/client", method: "GET", path: "/with-cors", origin: client,
			wantStatus: 200, wantBody: withCORS, wantCORS: star},
		{name: "with-cors/stranger", method: "GET", path: "/with-cors", origin: stranger,
			wantStatus: 200, wantBody: withCORS, wantCORS: star},
		{name: "with-cors/no origin", method: "GET", path: "/with-cors",
			wantStatus: 200, wantBody: withCORS, wantCORS: star},
		// With a cookie the answer is the same: no credentials allowed, so
		// a credentialed call is blocked by the browser.
		{name: "with-cors/cookie", method: "GET", path: "/with-cors", origin: client, header: map[string]string{"Cookie": "corsdemo_visits=3"},
			wantStatus: 200, wantBody: withCORS, wantCORS: star},
		// AllowAll allows PUT, PATCH and DELETE beyond the simple methods,
		// and any header, Authorization named apart ("*" never covers it).
		{name: "with-cors/preflight", method: "OPTIONS", path: "/with-cors", origin: stranger, acrm: "PUT", acrh: "x-anything,authorization",
			wantStatus: 204, wantCORS: map[string]string{acao: "*", acam: "PUT, PATCH, DELETE", acah: "*, authorization", vary: varyPreflightAll}},

		// /products/{id}: the client origin only.
		{name: "products/client", method: "GET", path: "/products/1", origin: client,
			wantStatus: 200, wantBody: product, wantCORS: allowed(client)},
		{name: "products/stranger", method: "GET", path: "/products/1", origin: stranger,
			wantStatus: 200, wantBody: product, wantCORS: notAllowed, wantReject: "origin-not-allowed"},
		{name: "products/127.0.0.1 is another origin", method: "GET", path: "/products/1", origin: "http://127.0.0.1:8080",
			wantStatus: 200, wantBody: product, wantCORS: notAllowed, wantReject: "origin-not-allowed"},
		{name: "products/no origin", method: "GET", path: "/products/1",
			wantStatus: 200, wantBody: product, wantCORS: notAllowed},
		// Debug mode: a preflight from the trusted origin refused for its
		// method gets a 2xx with what was accepted (the origin), no
		// Access-Control-Allow-Methods, so Chromium names the method.
		{name: "products/preflight PUT (debug)", method: "OPTIONS", path: "/products/1", origin: client, acrm: "PUT",
			wantStatus: 204, wantCORS: map[string]string{acao: client, vary: varyPreflight}, wantReject: "method-not-allowed"},
		{name: "products/preflight from stranger", method: "OPTIONS", path: "/products/1", origin: stranger, acrm: "PUT",
			wantStatus: 403, wantCORS: rejectedPreflight, wantReject: "origin-not-allowed"},
		// A plain OPTIONS is not a preflight: the application answers it,
		// decorated like any CORS request from a trusted origin.
		{name: "products/plain OPTIONS", method: "OPTIONS", path: "/products/1", origin: client,
			wantStatus: 204, wantCORS: allowed(client), wantAllow: "GET, HEAD, OPTIONS"},
		{name: "products/PUT without preflight", method: "PUT", path: "/products/1", origin: client,
			wantStatus: 405, wantBody: map[string]any{"error": "method PUT not allowed; use GET, HEAD, OPTIONS"}, wantCORS: allowed(client), wantAllow: "GET, HEAD, OPTIONS"},

		// /allow-list: the client and two others; matching is exact.
		{name: "allow-list/client", method: "GET", path: "/allow-list", origin: client,
			wantStatus: 200, wantBody: allowList, wantCORS: allowed(client)},
		{name: "allow-list/example.com", method: "GET", path: "/allow-list", origin: "https://example.com",
			wantStatus: 200, wantBody: allowList, wantCORS: allowed("https://example.com")},
		{name: "allow-list/app.example.org", method: "GET", path: "/allow-list", origin: "https://app.example.org",
			wantStatus: 200, wantBody: allowList, wantCORS: allowed("https://app.example.org")},
		{name: "allow-list/http scheme", method: "GET", path: "/allow-list", origin: "http://example.com",
			wantStatus: 200, wantBody: allowList, wantCORS: notAllowed, wantReject: "origin-not-allowed"},
		{name: "allow-list/suffix trick", method: "GET", path: "/allow-list", origin: "https://example.com.evil.example",
			wantStatus: 200, wantBody: allowList, wantCORS: notAllowed, wantReject: "origin-not-allowed"},
		{name: "allow-list/subdomain", method: "GET", path: "/allow-list", origin: "https://www.example.com",
			wantStatus: 200, wantBody: allowList, wantCORS: notAllowed, wantReject: "origin-not-allowed"},

		// /partners: two partner origins, not the client.
		{name: "partners/client", method: "GET", path: "/partners", origin: client,
			wantStatus: 200, wantBody: partners, wantCORS: notAllowed, wantReject: "origin-not-allowed"},
		{name: "partners/partner", method: "GET", path: "/partners", origin: partner,
			wantStatus: 200, wantBody: partners, wantCORS: allowed(partner)},
		{name: "partners/shop", method: "GET", path: "/partners", origin: "https://shop.example.net",
			wantStatus: 200, wantBody: partners, wantCORS: allowed("https://shop.example.net")},
		{name: "partners/preflight from client", method: "OPTIONS", path: "/partners", origin: client, acrm: "GET", acrh: "x-demo-token",
			wantStatus: 403, wantCORS: rejectedPreflight, wantReject: "origin-not-allowed"},

		// /items/{id}: client; PUT, DELETE; Content-Type, X-Demo-Token.
		{name: "items/preflight PUT", method: "OPTIONS", path: "/items/1", origin: client, acrm: "PUT", acrh: "content-type,x-demo-token",
			wantStatus: 204, wantCORS: map[string]string{acao: client, acam: "PUT, DELETE", acah: "content-type, x-demo-token", vary: varyPreflight}},
		{name: "items/preflight DELETE", method: "OPTIONS", path: "/items/2", origin: client, acrm: "DELETE", acrh: "x-demo-token",
			wantStatus: 204, wantCORS: map[string]string{acao: client, acam: "PUT, DELETE", acah: "content-type, x-demo-token", vary: varyPreflight}},
		{name: "items/preflight any header case", method: "OPTIONS", path: "/items/1", origin: client, acrm: "PUT", acrh: "X-Demo-Token, Content-Type",
			wantStatus: 204, wantCORS: map[string]string{acao: client, acam: "PUT, DELETE", acah: "content-type, x-demo-token", vary: varyPreflight}},
		// Debug: the allowed headers are advertised so Chromium names x-debug.
		{name: "items/preflight header not allowed (debug)", method: "OPTIONS", path: "/items/1", origin: client, acrm: "PUT", acrh: "content-type,x-debug,x-demo-token",
			wantStatus: 204, wantCORS: map[string]string{acao: client, acam: "PUT, DELETE", acah: "content-type, x-demo-token", vary: varyPreflight}, wantReject: "header-not-allowed"},
		// Debug: the allowed methods are advertised so Chromium names PATCH.
		{name: "items/preflight PATCH (debug)", method: "OPTIONS", path: "/items/1", origin: client, acrm: "PATCH",
			wantStatus: 204, wantCORS: map[string]string{acao: client, acam: "PUT, DELETE", vary: varyPreflight}, wantReject: "method-not-allowed"},
		{name: "items/preflight from stranger", method: "OPTIONS", path: "/items/1", origin: stranger, acrm: "PUT", acrh: "x-demo-token",
			wantStatus: 403, wantCORS: rejectedPreflight, wantReject: "origin-not-allowed"},
		{name: "items/PUT", method: "PUT", path: "/items/1", origin: client, header: token, body: itemBody,
			wantStatus: 200, wantBody: item, wantCORS: allowed(client)},
		{name: "items/DELETE", method: "DELETE", path: "/items/2", origin: client, header: map[string]string{"X-Demo-Token": "letmein"},
			wantStatus: 200, wantBody: map[string]any{"id": "2", "deleted": true, "msg": "item 2 deleted"}, wantCORS: allowed(client)},
		// CORS protects the reading, not the server: a stranger's PUT (sent
		// by curl, or by a browser after no preflight) is still executed.
		{name: "items/PUT from stranger", method: "PUT", path: "/items/1", origin: stranger, header: token, body: itemBody,
			wantStatus: 200, wantBody: item, wantCORS: notAllowed, wantReject: "origin-not-allowed"},
		{name: "items/PUT without token", method: "PUT", path: "/items/1", origin: client, header: map[string]string{"Content-Type": "application/json"}, body: itemBody,
			wantStatus: 401, wantBody: map[string]any{"error": "missing X-Demo-Token"}, wantCORS: allowed(client)},
		{name: "items/PUT not JSON", method: "PUT", path: "/items/1", origin: client, header: token, body: "blue mug",
			wantStatus: 400, anyBody: true, wantCORS: allowed(client)},
		{name: "items/GET", method: "GET", path: "/items/1", origin: client,
			wantStatus: 405, wantBody: map[string]any{"error": "method GET not allowed; use DELETE, OPTIONS, PUT"}, wantCORS: allowed(client), wantAllow: "DELETE, OPTIONS, PUT"},

		// /session: client with credentials.
		{name: "session/first visit", method: "GET", path: "/session", origin: client,
			wantStatus: 200, wantBody: map[string]any{"msg": "No cookie came with this request; the response sets one.", "visits": 1.0, "cookieReceived": false},
			wantCORS: map[string]string{acao: client, acac: "true", vary: varyOrigin},
			check:    wantCookie("corsdemo_visits=1")},
		{name: "session/cookie sent", method: "GET", path: "/session", origin: client, header: map[string]string{"Cookie": "corsdemo_visits=4"},
			wantStatus: 200, wantBody: map[string]any{"msg": "The cookie came back: this browser has called /session 5 times.", "visits": 5.0, "cookieReceived": true},
			wantCORS: map[string]string{acao: client, acac: "true", vary: varyOrigin},
			check:    wantCookie("corsdemo_visits=5")},
		{name: "session/stranger", method: "GET", path: "/session", origin: stranger, header: map[string]string{"Cookie": "corsdemo_visits=4"},
			wantStatus: 200, wantBody: map[string]any{"msg": "The cookie came back: this browser has called /session 5 times.", "visits": 5.0, "cookieReceived": true},
			wantCORS: notAllowed, wantReject: "origin-not-allowed"},
		// A forced preflight (safelisted method, no headers) from a trusted
		// origin succeeds.
		{name: "session/forced preflight", method: "OPTIONS", path: "/session", origin: client, acrm: "GET",
			wantStatus: 204, wantCORS: map[string]string{acao: client, acac: "true", vary: varyPreflight}},

		// /exposed-headers: client; X-Request-Id exposed, X-Secret not.
		{name: "exposed-headers/client", method: "GET", path: "/exposed-headers", origin: client,
			wantStatus: 200, wantBody: exposed, wantCORS: map[string]string{acao: client, aceh: "x-request-id", vary: varyOrigin},
			check: wantHeaders},
		{name: "exposed-headers/stranger", method: "GET", path: "/exposed-headers", origin: stranger,
			wantStatus: 200, wantBody: exposed, wantCORS: notAllowed, wantReject: "origin-not-allowed", check: wantHeaders},

		// Unknown paths are the mux's 404, with no policy.
		{name: "unknown path", method: "GET", path: "/nope", origin: client,
			wantStatus: 404, anyBody: true, wantCORS: none},
	}
}

func wantCookie(want string) func(*testing.T, *http.Response) {
	return func(t *testing.T, res *http.Response) {
		t.Helper()
		sc := res.Header.Values("Set-Cookie")
		if len(sc) != 1 || !strings.HasPrefix(sc[0], want+";") {
			t.Fatalf("Set-Cookie = %q, want one starting %q", sc, want+";")
		}
		for _, attr := range []string{"Path=/", "HttpOnly", "SameSite=Lax"} {
			if !strings.Contains(sc[0], attr) {
				t.Errorf("Set-Cookie %q lacks %s", sc[0], attr)
			}
		}
	}
}

var requestIDRE = regexp.MustCompile(`^[0-9a-f]{12}$`)

func wantHeaders(t *testing.T, res *http.Response) {
	t.Helper()
	if id := res.Header.Get("X-Request-Id"); !requestIDRE.MatchString(id) {
		t.Errorf("X-Request-Id = %q, want 12 hex digits", id)
	}
	if s := res.Header.Get("X-Secret"); s == "" {
		t.Error("X-Secret missing: the route must send it (and not expose it)")
	}
}

func TestAPI(t *testing.T) {
	for _, tc := range apiCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &rejections{}
			h, err := demo.NewAPI(client, slog.New(rec))
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()

			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			if tc.acrm != "" {
				req.Header.Set("Access-Control-Request-Method", tc.acrm)
			}
			if tc.acrh != "" {
				req.Header.Set("Access-Control-Request-Headers", tc.acrh)
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			raw, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}

			if res.StatusCode != tc.wantStatus {
				t.Errorf("status = %d, want %d", res.StatusCode, tc.wantStatus)
			}
			switch {
			case tc.wantBody != nil:
				var got map[string]any
				if err := json.Unmarshal(raw, &got); err != nil {
					t.Errorf("body %q is not a JSON object: %v", raw, err)
				} else if !jsonEqual(got, tc.wantBody) {
					t.Errorf("body = %s, want %v", raw, tc.wantBody)
				}
				if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Errorf("Content-Type = %q", ct)
				}
			case !tc.anyBody && len(raw) != 0:
				t.Errorf("body = %q, want none", raw)
			}
			if got := res.Header.Get("Allow"); got != tc.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tc.wantAllow)
			}
			checkCORSHeaders(t, res.Header, tc.wantCORS)

			rec.mu.Lock()
			reasons := rec.reasons
			rec.mu.Unlock()
			var want []string
			if tc.wantReject != "" {
				want = []string{tc.wantReject}
			}
			if !slices.Equal(reasons, want) {
				t.Errorf("OnReject reasons = %q, want %q", reasons, want)
			}
			if tc.check != nil {
				tc.check(t, res)
			}
		})
	}
}

// checkCORSHeaders compares the response's Access-Control-* headers and Vary
// with want: the same names, each once, with the same values; list values
// as sets.
func checkCORSHeaders(t *testing.T, h http.Header, want map[string]string) {
	t.Helper()
	got := map[string][]string{}
	for name, vs := range h {
		if strings.HasPrefix(name, "Access-Control-") || name == vary {
			got[name] = vs
		}
	}
	for name, vs := range got {
		w, ok := want[name]
		switch {
		case !ok:
			t.Errorf("unexpected %s: %q", name, vs)
		case name != vary && len(vs) != 1:
			t.Errorf("%s sent %d times: %q", name, len(vs), vs)
		case !sameList(name, strings.Join(vs, ","), w):
			t.Errorf("%s = %q, want %q", name, vs, w)
		}
	}
	for name, w := range want {
		if _, ok := got[name]; !ok {
			t.Errorf("missing %s (want %q)", name, w)
		}
	}
}

// sameList compares two header values as sets of comma-separated items:
// methods by bytes (they are case-sensitive), anything else without case.
// Origins and "true" are single items, so this is exact for them.
func sameList(name, got, want string) bool {
	norm := func(s string) []string {
		var out []string
		for item := range strings.SplitSeq(s, ",") {
			item = strings.TrimSpace(item)
			if name != acam && name != acao {
				item = strings.ToLower(item)
			}
			if item != "" && !slices.Contains(out, item) {
				out = append(out, item)
			}
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(norm(got), norm(want))
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// A client origin the middleware refuses is reported, not served.
func TestNewAPIRefusesBadOrigin(t *testing.T) {
	for _, o := range []string{"http://LOCALHOST:8080", "http://localhost:8080/", "*", "http://192.0.2.1:8080"} {
		if _, err := demo.NewAPI(o, slog.New(slog.DiscardHandler)); err == nil {
			t.Errorf("NewAPI(%q): no error", o)
		}
	}
}
