package demo_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/cors/internal/demo"
)

func TestCalls(t *testing.T) {
	const api = "http://localhost:3000"
	calls := demo.Calls(api+"/", client)
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
