package demo_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/cors/internal/demo"
)

func TestCalls(t *testing.T) {
	const api = "http://localhost:3000"
	calls := demo.Calls(api+"/", client, client)
	if len(calls) == 0 {
		t.Fatal("no calls")
	}
	h, err := demo.NewAPI(client, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	outcomes := map[demo.Outcome]int{}
	for _, c := range calls {
		t.Run(c.ID, func(t *testing.T) {
			if c.ID == "" || seen[c.ID] || strings.ContainsAny(c.ID, ` "'`) {
				t.Errorf("ID %q: empty, repeated or not usable in a CSS selector", c.ID)
			}
			seen[c.ID] = true
			outcomes[c.Expect.Outcome]++
			if c.Label == "" || c.Shows == "" {
				t.Error("Label and Shows must say what the call is")
			}
			if c.URL != api+c.Path {
				t.Errorf("URL = %q, want %q", c.URL, api+c.Path)
			}
			switch c.Expect.Outcome {
			case demo.Pass:
				if c.Why != nil {
					t.Error("a passing call has an explanation")
				}
			case demo.Blocked:
				// The checker gives the reason code, the console line and the
				// HTTP-level fix (see TestExplain); the demo adds what
				// happened here and the change in Go.
				w := c.Why
				if w == nil || w.Reason == "" || w.Fix == "" || w.Code == "" {
					t.Fatal("a blocked call needs a reason, a fix and the fix in Go")
				}
			default:
				t.Errorf("Expect.Outcome = %q", c.Expect.Outcome)
			}
			for _, r := range c.Expect.Readable {
				if !slices.Contains(c.ReadHeaders, r) {
					t.Errorf("Readable %q is not among ReadHeaders %q", r, c.ReadHeaders)
				}
			}
			// The API has a route for every call: it does not answer 404.
			req := httptest.NewRequest(c.Method, c.Path, strings.NewReader(c.Body))
			for k, v := range c.Headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code == http.StatusNotFound {
				t.Errorf("%s %s: 404, no such route", c.Method, c.Path)
			}
		})
	}
	if outcomes[demo.Pass] == 0 || outcomes[demo.Blocked] == 0 {
		t.Errorf("outcomes %v: the demo must show both", outcomes)
	}
}

// Opened under another name for the same server (127.0.0.1 for localhost),
// the page is on another origin: every call whose route trusts only the
// client origin is blocked, and says why in those terms.
func TestCallsWrongOrigin(t *testing.T) {
	const (
		api     = "http://localhost:3000"
		trusted = "http://localhost:8080"
		page    = "http://127.0.0.1:8080"
	)
	// Written from the routes' policies in NewAPI: only these do not
	// depend on the client origin.
	notTrustedOnly := map[string]demo.Outcome{
		"without-cors":          demo.Blocked,
		"with-cors":             demo.Pass,
		"partners":              demo.Blocked,
		"with-cors-credentials": demo.Blocked,
	}
	right := map[string]demo.Call{}
	for _, c := range demo.Calls(api, trusted, trusted) {
		right[c.ID] = c
	}
	for _, c := range demo.Calls(api, trusted, page) {
		t.Run(c.ID, func(t *testing.T) {
			want, ok := notTrustedOnly[c.ID]
			if !ok {
				want = demo.Blocked
			}
			if c.TrustedOnly == ok {
				t.Errorf("TrustedOnly = %v", c.TrustedOnly)
			}
			if c.Expect.Outcome != want {
				t.Fatalf("Expect.Outcome = %s, want %s", c.Expect.Outcome, want)
			}
			if ok {
				if !reflect.DeepEqual(c.Expect, right[c.ID].Expect) || (c.Why == nil) != (right[c.ID].Why == nil) {
					t.Errorf("the call's expectation depends on the page's origin: %+v, %+v", c.Expect, right[c.ID].Expect)
				}
				return
			}
			if c.Why == nil || c.CookieLost != nil {
				t.Fatalf("Why %+v, CookieLost %+v: want a reason, and no cookie note for a blocked call", c.Why, c.CookieLost)
			}
			for _, s := range []string{"This page is at " + page, "trusts only " + trusted, "CORS middleware ran and refused"} {
				if !strings.Contains(c.Why.Reason, s) {
					t.Errorf("reason lacks %q: %s", s, c.Why.Reason)
				}
			}
			sent := "The handler still ran"
			if c.Preflight {
				sent = "never sent the " + c.Method
			}
			if !strings.Contains(c.Why.Reason, sent) {
				t.Errorf("reason lacks %q: %s", sent, c.Why.Reason)
			}
			if !strings.Contains(c.Why.Fix, "Open "+trusted) || c.Why.Code != `AllowedOrigins: []string{"`+trusted+`", "`+page+`"}` {
				t.Errorf("fix %q, code %q", c.Why.Fix, c.Why.Code)
			}
		})
	}
}

// The note for a cookie that did not come back names the real cause: two
// sites, or, on one site, a browser that refuses the cookie.
func TestCallsCookieLost(t *testing.T) {
	tests := []struct {
		api, page string
		want      []string
	}{
		{"http://127.0.0.1:3000", "http://localhost:8080", []string{"site localhost", "site 127.0.0.1", "different sites", "SameSite=Lax"}},
		{"http://localhost:3000", "http://localhost:8080", []string{"same site", "blocking or clearing"}},
		{"http://api.localhost:3000", "http://app.localhost:8080", []string{"different sites"}},
	}
	for _, tc := range tests {
		var session *demo.Call
		for _, c := range demo.Calls(tc.api, tc.page, tc.page) {
			if c.CookieLost != nil {
				if session != nil || c.ID != "session" {
					t.Fatalf("CookieLost on %s: only the session call sets a cookie", c.ID)
				}
				session = &c
			}
		}
		if session == nil {
			t.Fatalf("%s -> %s: no CookieLost on the session call", tc.page, tc.api)
		}
		for _, s := range tc.want {
			if !strings.Contains(session.CookieLost.Reason, s) {
				t.Errorf("%s -> %s: reason lacks %q: %s", tc.page, tc.api, s, session.CookieLost.Reason)
			}
		}
		if !strings.Contains(session.CookieLost.Fix, "SameSite=None and Secure") || !strings.Contains(session.CookieLost.Code, "http.SameSiteNoneMode") {
			t.Errorf("fix %q, code %q", session.CookieLost.Fix, session.CookieLost.Code)
		}
	}
}
