package e2e

import (
	"context"
	"testing"

	"github.com/corskit/cors/check"
	"github.com/corskit/cors/check/checktest"
)

// TestCheckPredictsChromium runs each failure class of check/checktest in
// Chromium and requires the console line Chromium prints to equal, byte for
// byte, the one check.Explain predicts for the same request.
func TestCheckPredictsChromium(t *testing.T) {
	for _, c := range checktest.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			ctx := browser(t)
			page := newPageServer(t)
			api := newAPIServer(t, c.Handler) // own server: no preflight cache carry-over
			openPage(t, ctx, page.URL)

			url := api.URL + "/" + c.Name
			req := request{URL: url, Method: c.Method, Credentials: c.Credentials, Headers: map[string]string{}}
			if c.Initiator == check.XHR {
				req.API = "xhr"
			}
			for k, v := range c.Header {
				req.Headers[k] = v[0]
			}
			got, err := call(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if got.OK && got.Error == "" && c.Initiator != check.XHR {
				t.Fatalf("Chromium allowed the request: %+v", got)
			}
			lines, err := waitCORSErrors(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(lines) != 1 {
				t.Fatalf("%d CORS console lines, want 1: %q", len(lines), texts(lines))
			}

			res, err := check.Explain(context.Background(), api.Client(), check.Request{
				URL: url, Origin: page.URL, Method: c.Method, Header: c.Header,
				Credentials: c.Credentials, Initiator: c.Initiator,
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Reason != c.Want {
				t.Errorf("check predicts %s, the case expects %s", res.Reason, c.Want)
			}
			if res.Message != lines[0].Text {
				t.Errorf("console line:\nChromium: %s\n   check: %s", lines[0].Text, res.Message)
			}
		})
	}
}
