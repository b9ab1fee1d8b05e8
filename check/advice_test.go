package check_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	cors "github.com/corskit/cors"
	"github.com/corskit/cors/check"
)

// A missing Access-Control-Allow-Origin has two very different causes: the
// CORS code never ran (an error page, a proxy, a router answered), or it ran
// and refused. The advice must follow the evidence in the response, and
// never send the reader looking for a CORS layer that did run.
func TestAdviceMissingAllowOrigin(t *testing.T) {
	body := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	})
	others := func(creds bool) http.Handler {
		m, err := cors.New(cors.Config{AllowedOrigins: []string{"https://other.example.com"}, AllowCredentials: creds, AllowedMethods: []string{http.MethodPut}})
		if err != nil {
			t.Fatal(err)
		}
		return m.Handler(body)
	}
	// withHeaders answers every request, OPTIONS included, with status and
	// the given headers and nothing else.
	withHeaders := func(status int, kv ...string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for i := 0; i < len(kv); i += 2 {
				w.Header().Add(kv[i], kv[i+1])
			}
			w.WriteHeader(status)
		})
	}
	const neverRan = "Often the CORS code never ran"
	tests := []struct {
		name        string
		h           http.Handler
		method      string
		credentials bool
		reason      check.CorsError
		explain     []string // in the explanation
		fix         []string // in the fix
		notExplain  []string // never in the explanation
	}{
		{
			name: "no CORS code", h: body, method: "GET",
			reason:  check.MissingAllowOriginHeader,
			explain: []string{neverRan},
			fix:     []string{"Send Access-Control-Allow-Origin: " + page},
		},
		{
			name: "a Vary on something else proves nothing", h: withHeaders(200, "Vary", "Accept-Encoding"), method: "GET",
			reason:  check.MissingAllowOriginHeader,
			explain: []string{neverRan},
		},
		{
			name: "corskit refused the origin", h: others(false), method: "GET",
			reason:     check.MissingAllowOriginHeader,
			explain:    []string{"the response carries Vary: Origin", "the CORS code ran", "does not allow this origin"},
			fix:        []string{"Add " + page + ", exactly as written, to the origins the server's CORS policy allows."},
			notExplain: []string{"never ran"},
		},
		{
			name: "corskit refused the origin, with credentials", h: others(true), method: "GET", credentials: true,
			reason:     check.MissingAllowOriginHeader,
			explain:    []string{"the response carries Vary: Origin", "the CORS code ran"},
			fix:        []string{"allows, with credentials."},
			notExplain: []string{"never ran"},
		},
		{
			name: "Origin among other Vary fields, any case", h: withHeaders(200, "Vary", "Accept-Encoding, origin"), method: "GET",
			reason:     check.MissingAllowOriginHeader,
			explain:    []string{"the response carries Vary: Origin", "the CORS code ran"},
			notExplain: []string{"never ran"},
		},
		{
			name: "credentials header without the origin", h: withHeaders(200, "Access-Control-Allow-Credentials", "true"), method: "GET",
			reason:     check.MissingAllowOriginHeader,
			explain:    []string{"the response carries Access-Control-Allow-Credentials", "the CORS code ran"},
			notExplain: []string{"never ran"},
		},
		{
			// rs/cors and Express's cors answer a refused preflight so.
			name: "preflight refused with Vary and 204", h: withHeaders(204, "Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"), method: "PUT",
			reason:     check.PreflightMissingAllowOriginHeader,
			explain:    []string{"the OPTIONS (preflight) response", "the response carries Vary: Origin", "does not allow this origin, the method or one of the requested headers"},
			fix:        []string{"Add " + page, "allow the method and the headers of the request too"},
			notExplain: []string{"never ran"},
		},
		{
			name: "corskit refused the preflight: bare 403", h: others(false), method: "PUT",
			reason:     check.PreflightMissingAllowOriginHeader,
			explain:    []string{"refused with 403 and no CORS header at all", "corskit"},
			fix:        []string{"Allow " + page},
			notExplain: []string{"never ran"},
		},
		{
			name: "an authentication layer answered the preflight", h: withHeaders(401, "Www-Authenticate", "Bearer"), method: "PUT",
			reason:  check.PreflightMissingAllowOriginHeader,
			explain: []string{neverRan},
			fix:     []string{"Answer OPTIONS before authentication"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			res, err := check.Explain(context.Background(), srv.Client(), check.Request{
				URL: srv.URL + "/r", Origin: page, Method: tc.method, Credentials: tc.credentials,
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Allowed || res.Reason != tc.reason {
				t.Fatalf("allowed %v, reason %s; want blocked, %s", res.Allowed, res.Reason, tc.reason)
			}
			for _, s := range tc.explain {
				if !strings.Contains(res.Explanation, s) {
					t.Errorf("explanation lacks %q:\n%s", s, res.Explanation)
				}
			}
			for _, s := range tc.notExplain {
				if strings.Contains(res.Explanation, s) {
					t.Errorf("explanation has %q:\n%s", s, res.Explanation)
				}
			}
			for _, s := range tc.fix {
				if !strings.Contains(res.Fix, s) {
					t.Errorf("fix lacks %q:\n%s", s, res.Fix)
				}
			}
		})
	}
}
