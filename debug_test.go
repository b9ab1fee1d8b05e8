package cors_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/corskit/cors"
	corscheck "github.com/corskit/cors/check"
)

// manyHeaders returns n custom request headers, more than a preflight may
// request when n > 64.
func manyHeaders(n int) http.Header {
	h := http.Header{}
	for i := 0; i < n; i++ {
		h.Set(fmt.Sprintf("X-H%02d", i), "1")
	}
	return h
}

// TestDebugNeverGrants: for every reason a preflight from an allowed
// origin can be refused, the debug answer still makes the browser refuse
// the request, as corscheck's judge (Chromium's rules, including "*"
// covering Authorization) sees it over a real socket; debug mode only
// changes which check the browser names. The same policies without debug
// mode are refused too (the baseline), and the OnReject reason shows that
// each row exercises the refusal it is meant to.
func TestDebugNeverGrants(t *testing.T) {
	const page = "https://app.example.com"
	anyHeaders := cors.Config{AllowedOrigins: []string{page}, AllowedMethods: []string{"PUT"}, AllowedHeaders: []string{"*", "Authorization"}}
	anyCredHeaders := cors.Config{AllowedOrigins: []string{page}, AllowedMethods: []string{"PUT"}, AllowedHeaders: []string{"*"}, AllowCredentials: true}
	starOnly := cors.Config{AllowedOrigins: []string{page}, AllowedHeaders: []string{"*"}}
	listed := cors.Config{AllowedOrigins: []string{page}, AllowedMethods: []string{"PUT"}, AllowedHeaders: []string{"X-Token", "Content-Type"}, AllowCredentials: true}
	anyMethod := cors.Config{AllowedOrigins: []string{page}, AllowedMethods: []string{"DELETE"}, AllowedHeaders: []string{"*"}}

	tests := []struct {
		name   string
		policy cors.Config
		req    corscheck.Request
		reason cors.Reason
		want   corscheck.CorsError // what the browser names with debug on
	}{
		{"method, listed", listed, corscheck.Request{Method: "PATCH"}, cors.MethodNotAllowed, corscheck.MethodDisallowedByPreflightResponse},
		{"method, listed, with headers", listed, corscheck.Request{Method: "PATCH", Header: http.Header{"X-Token": {"t"}}}, cors.MethodNotAllowed, corscheck.MethodDisallowedByPreflightResponse},
		{"method, any header", anyMethod, corscheck.Request{Method: "PUT"}, cors.MethodNotAllowed, corscheck.MethodDisallowedByPreflightResponse},
		{"header, listed", listed, corscheck.Request{Method: "PUT", Header: http.Header{"X-Other": {"1"}}}, cors.HeaderNotAllowed, corscheck.HeaderDisallowedByPreflightResponse},
		{"header, listed, credentials", listed, corscheck.Request{Method: "PUT", Credentials: true, Header: http.Header{"X-Token": {"t"}, "X-Other": {"1"}}}, cors.HeaderNotAllowed, corscheck.HeaderDisallowedByPreflightResponse},
		// Chromium lets "*" cover Authorization, so a debug answer of "*"
		// would let this through.
		{"Authorization under *", starOnly, corscheck.Request{Header: http.Header{"Authorization": {"Bearer t"}}}, cors.HeaderNotAllowed, corscheck.HeaderDisallowedByPreflightResponse},
		// More names than a preflight may request: "*,authorization" or a
		// reflected list would cover them all.
		{"65 names under *,Authorization", anyHeaders, corscheck.Request{Header: manyHeaders(65)}, cors.HeadersMalformed, corscheck.HeaderDisallowedByPreflightResponse},
		{"65 names under *, credentials", anyCredHeaders, corscheck.Request{Credentials: true, Header: manyHeaders(65)}, cors.HeadersMalformed, corscheck.HeaderDisallowedByPreflightResponse},
		{"65 names, 64 listed", withHeaders(listed, 64), corscheck.Request{Header: manyHeaders(65)}, cors.HeadersMalformed, corscheck.HeaderDisallowedByPreflightResponse},
	}
	for _, tt := range tests {
		for _, debug := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/debug=%v", tt.name, debug), func(t *testing.T) {
				var reasons []cors.Reason
				c := tt.policy
				live := false // agree's own run of the handler does not count
				c.OnReject = func(_ *http.Request, r cors.Reason) {
					if live {
						reasons = append(reasons, r)
					}
				}
				m, err := cors.New(c)
				if err != nil {
					t.Fatal(err)
				}
				m.SetDebug(debug)
				app := &spy{}
				h := m.Handler(app)
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					agree(t, m, r, nil)
					live = true
					h.ServeHTTP(w, r)
					live = false
				}))
				defer srv.Close()
				req := tt.req
				req.URL, req.Origin = srv.URL+"/x", page
				res, err := corscheck.Explain(context.Background(), srv.Client(), req)
				if err != nil {
					t.Fatal(err)
				}
				if res.Allowed || res.Stage != corscheck.StagePreflight {
					t.Fatalf("the browser would let it through: allowed=%v stage=%s (%s)", res.Allowed, res.Stage, res.Message)
				}
				want := corscheck.PreflightMissingAllowOriginHeader
				if debug {
					want = tt.want
				}
				if res.Reason != want {
					t.Errorf("browser's reason %s, want %s (%s)", res.Reason, want, res.Message)
				}
				if len(reasons) != 1 || reasons[0] != tt.reason {
					t.Errorf("OnReject got %v, want [%s]", reasons, tt.reason)
				}
				if app.ran != 0 {
					t.Errorf("the application ran %d times", app.ran)
				}
			})
		}
	}
}

// withHeaders returns c allowing n headers X-H00… as well.
func withHeaders(c cors.Config, n int) cors.Config {
	c.AllowedHeaders = nil
	for name := range manyHeaders(n) {
		c.AllowedHeaders = append(c.AllowedHeaders, name)
	}
	return c
}
