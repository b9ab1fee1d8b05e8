package e2e

import (
	"context"
	"slices"
	"testing"

	"github.com/corskit/cors/check"
	"github.com/corskit/cors/internal/checktest"
)

// checkBrowser is the check.Browser that speaks for each engine.
var checkBrowser = map[engineName]check.Browser{chromium: check.Chromium, firefox: check.Firefox, webkit: check.Safari}

// TestCheckPredicts runs each failure class of internal/checktest in each
// engine and requires the console lines the engine prints to equal, byte
// for byte, the ones check.Explain predicts for the same request as that
// engine (and, in Chromium, the CorsError to be the class's).
func TestCheckPredicts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engineName) {
		for _, c := range checktest.Cases() {
			t.Run(c.Name, func(t *testing.T) {
				t.Parallel()
				ctx := openTab(t, eng)
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
				if got.OK {
					t.Fatalf("%s allowed the request: %+v", eng, got)
				}

				res, err := check.Explain(context.Background(), api.Client(), check.Request{
					URL: url, Origin: page.URL, Method: c.Method, Header: c.Header,
					Credentials: c.Credentials, Initiator: c.Initiator, Browser: checkBrowser[eng],
				})
				if err != nil {
					t.Fatal(err)
				}
				if res.Allowed {
					t.Fatalf("check.Explain allows it as %s", eng)
				}
				if eng == chromium && res.Reason != c.Want {
					t.Errorf("check predicts %s, the case expects %s", res.Reason, c.Want)
				}
				lines, err := waitCORSErrors(ctx, len(res.Console))
				if err != nil {
					t.Fatal(err)
				}
				if got := texts(lines); !slices.Equal(got, res.Console) {
					t.Errorf("console:\n%8s: %q\n   check: %q", eng, got, res.Console)
				}
			})
		}
	})
}
