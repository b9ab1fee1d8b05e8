package har_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/corskit/cors/check"
	"github.com/corskit/cors/check/har"
)

// TestJudgeElementLoads judges, from HAR files, what elements and
// @font-face load in CORS mode, as each browser loads them — Firefox and
// Safari too, whose fonts, modules and crossorigin loads Explain models
// since issue 25 — and requires the verdict and the console lines that
// check.Explain gives for the same load made live, which e2e
// TestDestinations proves equal to each browser's. Each HAR is what went
// over the wire, as Firefox's export records it; what a HAR does not tell
// (a classic <script crossorigin> or a module, the credentials mode when
// no cookie went) is picked from Judge's alternatives.
func TestJudgeElementLoads(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/star":
			w.Header().Set("Access-Control-Allow-Origin", "*")
		case "/creds":
			w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
			w.Header().Set("Access-Control-Allow-Credentials", "true")
		case "/echo":
			w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		}
		w.Header().Set("Content-Type", map[string]string{
			"font": "font/woff2", "image": "image/png", "script": "text/javascript", "style": "text/css",
		}[r.URL.Query().Get("as")])
	}))
	defer srv.Close()
	const page = "http://127.0.0.1:1" // another origin than the server's; loopback, so no DNS
	loads := []struct {
		name   string
		dest   check.Destination
		co     check.CrossOrigin
		module bool
	}{
		{"font", check.DestinationFont, check.CrossOriginNone, false},
		{"img crossorigin", check.DestinationImage, check.CrossOriginAnonymous, false},
		{"img crossorigin=use-credentials", check.DestinationImage, check.CrossOriginUseCredentials, false},
		{"script crossorigin", check.DestinationScript, check.CrossOriginAnonymous, false},
		{"script type=module", check.DestinationScript, check.CrossOriginAnonymous, true},
		{"script type=module crossorigin=use-credentials", check.DestinationScript, check.CrossOriginUseCredentials, true},
		{"link rel=stylesheet crossorigin", check.DestinationStyle, check.CrossOriginAnonymous, false},
	}
	judged := map[check.Browser]int{}
	for _, b := range check.Browsers() {
		for _, l := range loads {
			for _, route := range []string{"/star", "/creds", "/echo", "/none"} {
				req := check.Request{URL: srv.URL + route + "?as=" + string(l.dest), Origin: page, Destination: l.dest,
					CrossOrigin: l.co, Module: l.module, Cookie: "sid=1", Browser: b}
				live, err := check.Explain(context.Background(), srv.Client(), req)
				if err != nil {
					t.Fatalf("%s %s %s: %v", b, l.name, route, err)
				}
				a, err := recordHAR(context.Background(), t, srv.Client(), req, page, "")
				if err != nil {
					t.Fatal(err)
				}
				rep, err := har.Judge(context.Background(), a, har.Options{Browser: b})
				if err != nil {
					t.Fatal(err)
				}
				if len(rep.Requests) != 1 || len(rep.Skipped) > 0 {
					t.Errorf("%s, %s %s: %d requests judged, skipped %+v; want it judged", b, l.name, route, len(rep.Requests), rep.Skipped)
					continue
				}
				v, console := elementBranch(rep.Requests[0], l.co == check.CrossOriginUseCredentials, l.module)
				want := har.Blocked
				switch {
				case live.Opaque:
					want = har.Opaque
				case live.Allowed:
					want = har.Allowed
				}
				if v != want || !slices.Equal(console, live.Console) {
					t.Errorf("%s, %s %s: corscheck har says %s %q\nlive, corscheck explain says %s %q", b, l.name, route, v, console, want, live.Console)
					continue
				}
				judged[b]++
			}
		}
	}
	t.Logf("element loads judged from their HAR as explained live: %v", judged)
}

// elementBranch returns q's verdict and lines under the assumption that
// the load carried credentials (creds) and was a module (module), or q's
// own when no alternative is about them (they do not change the verdict).
func elementBranch(q *har.Request, creds, module bool) (har.Verdict, []string) {
	return branchWhere(q, func(a har.Assumption) bool {
		return (a.CredentialsKnown || a.Credentials == creds) && (!a.ModuleUnknown || a.Module == module)
	})
}
