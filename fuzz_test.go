package cors_test

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/cors"
)

// fuzzPolicies are the policies the whole-middleware fuzz target runs
// every request through, with the origins each one allows exactly.
var fuzzPolicies = []struct {
	cfg     cors.Config
	allowed func(origin string) bool
}{
	{strict, func(o string) bool {
		if o == "https://app.example.com" || o == "https://admin.example.com" {
			return true
		}
		if rest, ok := strings.CutPrefix(o, "http://localhost"); ok {
			return rest == "" || isPortSuffix(rest)
		}
		if host, ok := strings.CutPrefix(o, "https://"); ok && strings.HasSuffix(host, ".example.org") {
			return isLabels(strings.TrimSuffix(host, ".example.org"))
		}
		return false
	}},
	{originsOnly, func(o string) bool { return o == "https://app.example.com" }},
	{anyCreds, func(o string) bool { return o == "https://app.example.com" }},
	{anyAnon, func(string) bool { return true }},
	{cors.Config{AllowedOrigins: []string{"null"}, DangerouslyAllowNullOrigin: true, AllowCredentials: true}, func(o string) bool { return o == "null" }},
	{cors.Config{
		AllowedOrigins:      []string{"https://app.example.com"},
		AllowedMethods:      []string{"PUT"},
		AllowedHeaders:      []string{"X-Token"},
		ExposedHeaders:      []string{"X-Id"},
		AllowCredentials:    true,
		MaxAge:              60,
		AllowPrivateNetwork: true,
	}, func(o string) bool { return o == "https://app.example.com" }},
}

func isPortSuffix(s string) bool {
	if len(s) < 2 || len(s) > 6 || s[0] != ':' || s[1] == '0' {
		return false
	}
	n := 0
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n <= 65535
}

func isLabels(s string) bool {
	if s == "" {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			return false
		}
	}
	return true
}

// FuzzMiddleware sends arbitrary requests through each policy and checks
// the invariants no response may break: no ACAO for a disallowed origin;
// never "*" with credentials; never two ACAO values; never a panic; the
// application runs exactly when it should; and a Vary set by an outer
// layer changes nothing but Vary, where it comes first. The last is also a
// differential test of the precomputed answers to successful preflights:
// an outer Vary sends the request down the general path; and so is the
// comparison of Evaluate with Handler (agree).
func FuzzMiddleware(f *testing.F) {
	f.Add("GET", "https://app.example.com", "", "", false, false)
	f.Add("OPTIONS", "https://app.example.com", "PUT", "content-type,x-token", true, false)
	f.Add("OPTIONS", "https://app.example.com", "PUT", "x-token", true, true)
	f.Add("OPTIONS", "https://app.example.com", "GET", "", true, true)
	f.Add("OPTIONS", "https://a.example.org", "patch", "X-Token", true, false)
	f.Add("OPTIONS", "http://localhost:3000", "GET", "", true, false)
	f.Add("OPTIONS", "null", "DELETE", "authorization", true, false)
	f.Add("OPTIONS", "https://evil.com", "PUT", "", true, false)
	f.Add("POST", "https://app.example.com.evil.com", "", "", false, false)
	f.Add("OPTIONS", "https://app.example.com", "PUT", strings.Repeat(",", 40), true, false)
	f.Add("OPTIONS", "https://app.example.com", "PUT,GET", "x-a\nx-b", true, false)
	f.Add("DELETE", "", "", "", false, false)
	f.Fuzz(func(t *testing.T, method, origin, reqMethod, reqHeaders string, hasACRM, privateNet bool) {
		if method == "" || strings.ContainsAny(method, " \t\r\n") {
			method = "GET"
		}
		for _, fp := range fuzzPolicies {
			for _, debug := range []bool{false, true} {
				m, err := cors.New(fp.cfg)
				if err != nil {
					t.Fatal(err)
				}
				m.SetDebug(debug)
				ran := false
				h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ran = true }))
				r := httptest.NewRequest("GET", "/", nil)
				r.Method = method
				if origin != "" {
					r.Header["Origin"] = []string{origin}
				}
				if hasACRM {
					r.Header["Access-Control-Request-Method"] = []string{reqMethod}
				}
				if reqHeaders != "" {
					r.Header["Access-Control-Request-Headers"] = strings.Split(reqHeaders, "\n")
				}
				if privateNet {
					r.Header["Access-Control-Request-Private-Network"] = []string{"true"}
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				ranFirst := ran

				ran = false
				outer := httptest.NewRecorder()
				outer.Header()["Vary"] = []string{"X-Outer"}
				h.ServeHTTP(outer, r)
				if ran != ranFirst || outer.Code != w.Code {
					t.Fatalf("with an outer Vary: status %d, application ran %v; without: %d, %v", outer.Code, ran, w.Code, ranFirst)
				}
				wantVary := append([]string{"X-Outer"}, w.Header()["Vary"]...)
				if got := outer.Header()["Vary"]; !slices.Equal(got, wantVary) {
					t.Fatalf("with an outer Vary, Vary = %q, want %q", got, wantVary)
				}
				without := w.Header().Clone()
				delete(without, "Vary")
				delete(outer.Header(), "Vary")
				if !reflect.DeepEqual(outer.Header(), without) {
					t.Fatalf("an outer Vary changed the other headers:\n got %v\nwant %v", outer.Header(), without)
				}

				acao := w.Header()["Access-Control-Allow-Origin"]
				if len(acao) > 1 {
					t.Fatalf("two ACAO values: %q", acao)
				}
				isPreflight := method == "OPTIONS" && origin != "" && hasACRM
				if len(acao) == 1 {
					if acao[0] == "*" {
						if fp.cfg.AllowCredentials || len(w.Header()["Access-Control-Allow-Credentials"]) > 0 {
							t.Fatalf("ACAO * with credentials")
						}
					} else if acao[0] != origin || !fp.allowed(origin) {
						t.Fatalf("policy %v: ACAO %q for origin %q", fp.cfg.AllowedOrigins, acao[0], origin)
					}
				}
				if origin != "" && !fp.allowed(origin) && len(acao) > 0 && acao[0] != "*" {
					t.Fatalf("ACAO for disallowed origin %q", origin)
				}
				if ran == (isPreflight && !fp.cfg.PreflightPassthrough) {
					t.Fatalf("application ran = %v for preflight = %v", ran, isPreflight)
				}
				if isPreflight && !fp.allowed(origin) && w.Code != http.StatusForbidden {
					t.Fatalf("disallowed preflight answered %d", w.Code)
				}
				if isPreflight && w.Code != http.StatusForbidden && len(acao) != 1 {
					t.Fatalf("successful preflight without ACAO")
				}

				// The decision API agrees with Handler, on this request and
				// on the same request asking to open a WebSocket.
				agree(t, m, r, nil)
				agree(t, m, r, http.Header{"Vary": {"X-Outer"}})
				ws := r.Clone(r.Context())
				ws.Header["Upgrade"] = []string{"websocket"}
				agree(t, m, ws, nil)
			}
		}
	})
}
