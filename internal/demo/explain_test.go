package demo_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/corskit/cors/check"
	"github.com/corskit/cors/internal/demo"
)

// explainWant is what the checker must say about a call: written by hand
// from the API's policies, not copied from a run.
type explainWant struct {
	outcome demo.Outcome
	reason  check.CorsError // "" when the call passes
	param   string          // Chromium's failedParameter, if any
}

var explainWants = map[string]explainWant{
	"without-cors":          {demo.Blocked, check.MissingAllowOriginHeader, ""},
	"with-cors":             {demo.Pass, "", ""},
	"products":              {demo.Pass, "", ""},
	"products-put":          {demo.Blocked, check.MethodDisallowedByPreflightResponse, "PUT"},
	"allow-list":            {demo.Pass, "", ""},
	"partners":              {demo.Blocked, check.MissingAllowOriginHeader, ""},
	"items-put":             {demo.Pass, "", ""},
	"items-delete":          {demo.Pass, "", ""},
	"items-header":          {demo.Blocked, check.HeaderDisallowedByPreflightResponse, "x-debug"},
	"session":               {demo.Pass, "", ""},
	"with-cors-credentials": {demo.Blocked, check.WildcardOriginNotAllowed, ""},
	"exposed-headers":       {demo.Pass, "", ""},
}

// apiLog records what the API received and logged.
type apiLog struct {
	mu      sync.Mutex
	cookies []string // Cookie headers received, "" for none
	agents  []string // User-Agent headers received
	by      int      // access-log lines with by=corscheck
}

func (l *apiLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *apiLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *apiLog) WithGroup(string) slog.Handler            { return l }
func (l *apiLog) Handle(_ context.Context, rec slog.Record) error {
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == "by" && a.Value.String() == "corscheck" {
			l.mu.Lock()
			l.by++
			l.mu.Unlock()
		}
		return true
	})
	return nil
}

// startExplainDemo serves the API and the client origin on loopback, the
// API trusting the client's origin as the page's browser sends it.
func startExplainDemo(t *testing.T) (apiURL, clientURL string, log *apiLog) {
	t.Helper()
	clientSrv := httptest.NewUnstartedServer(nil)
	clientURL = "http://" + clientSrv.Listener.Addr().String()
	log = &apiLog{}
	api, err := demo.NewAPI(clientURL, slog.New(log))
	if err != nil {
		t.Fatal(err)
	}
	apiSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.mu.Lock()
		log.cookies = append(log.cookies, r.Header.Get("Cookie"))
		log.agents = append(log.agents, r.UserAgent())
		log.mu.Unlock()
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(apiSrv.Close)
	clientSrv.Config.Handler = demo.NewClient(apiSrv.URL, clientURL)
	clientSrv.Start()
	t.Cleanup(clientSrv.Close)
	return apiSrv.URL, clientURL, log
}

func getExplained(t *testing.T, clientURL, id string) demo.Explained {
	t.Helper()
	res, err := http.Get(clientURL + "/explain?call=" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		var e map[string]string
		_ = json.NewDecoder(res.Body).Decode(&e)
		t.Fatalf("/explain?call=%s: %d %q", id, res.StatusCode, e["error"])
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	var got demo.Explained
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	return got
}

// For every call in the table, the checker, run by the client origin's
// /explain against the live API, predicts the outcome the table promises,
// for fetch and XMLHttpRequest alike, with the expected reason.
func TestExplain(t *testing.T) {
	apiURL, clientURL, log := startExplainDemo(t)
	calls := demo.Calls(apiURL, clientURL, clientURL)
	var ids []string
	for _, c := range calls {
		ids = append(ids, c.ID)
	}
	for id := range explainWants {
		if !slices.Contains(ids, id) {
			t.Errorf("explainWants has %q, which is not a call", id)
		}
	}
	for _, c := range calls {
		t.Run(c.ID, func(t *testing.T) {
			want, ok := explainWants[c.ID]
			if !ok {
				t.Fatalf("no expectation for %q in explainWants", c.ID)
			}
			if want.outcome != c.Expect.Outcome {
				t.Fatalf("explainWants says %s, the table %s", want.outcome, c.Expect.Outcome)
			}
			got := getExplained(t, clientURL, c.ID)
			if got.Call != c.ID || got.Origin != clientURL {
				t.Errorf("call %q, origin %q; want %q, %q", got.Call, got.Origin, c.ID, clientURL)
			}
			for _, api := range []struct {
				kind check.Initiator
				res  *check.Result
			}{{check.Fetch, got.Fetch}, {check.XHR, got.XHR}} {
				r := api.res
				if r == nil {
					t.Fatalf("%s: no result", api.kind)
				}
				if r.Allowed != (want.outcome == demo.Pass) {
					t.Errorf("%s: allowed = %v, want %s (reason %s: %s)", api.kind, r.Allowed, want.outcome, r.Reason, r.Message)
				}
				if r.Reason != want.reason || r.FailedParameter != want.param {
					t.Errorf("%s: reason %q (%q), want %q (%q)", api.kind, r.Reason, r.FailedParameter, want.reason, want.param)
				}
				if r.Preflight != c.Preflight {
					t.Errorf("%s: preflight = %v, the table says %v", api.kind, r.Preflight, c.Preflight)
				}
				if want.outcome == demo.Pass {
					// SendActual: the checker judged the actual response, as
					// the browser does, and lists what the page can read.
					if !r.ActualSent || r.Stage != check.StageActual {
						t.Errorf("%s: actual sent %v, stage %q; want the actual response judged", api.kind, r.ActualSent, r.Stage)
					}
					var readable []string
					for _, h := range c.ReadHeaders {
						if slices.ContainsFunc(r.Readable, func(n string) bool { return strings.EqualFold(n, h) }) {
							readable = append(readable, h)
						}
					}
					if !slices.Equal(readable, c.Expect.Readable) {
						t.Errorf("%s: readable %q of %q, want %q", api.kind, readable, c.ReadHeaders, c.Expect.Readable)
					}
					continue
				}
				prefix := "Access to " + string(api.kind) + " at '" + c.URL + "' from origin '" + clientURL + "' has been blocked by CORS policy: "
				if !strings.HasPrefix(r.Message, prefix) {
					t.Errorf("%s: console line %q, want it to start %q", api.kind, r.Message, prefix)
				}
				if r.Explanation == "" || r.Fix == "" {
					t.Errorf("%s: explanation %q, fix %q: want both", api.kind, r.Explanation, r.Fix)
				}
				// A refused preflight keeps the actual request from being
				// sent; a blocked simple request is sent and answered.
				if r.ActualSent == c.Preflight {
					t.Errorf("%s: actual sent = %v for a blocked call with preflight %v", api.kind, r.ActualSent, c.Preflight)
				}
			}
		})
	}

	log.mu.Lock()
	defer log.mu.Unlock()
	if log.by == 0 || log.by != len(log.agents) {
		t.Errorf("%d of %d requests logged with by=corscheck, want all", log.by, len(log.agents))
	}
}

// The checker has no cookie jar: /session sets a cookie on every answer,
// and no request the checker sends carries one back.
func TestExplainNoCookieJar(t *testing.T) {
	_, clientURL, log := startExplainDemo(t)
	for range 3 {
		if got := getExplained(t, clientURL, "session"); !got.Fetch.Allowed || !got.XHR.Allowed {
			t.Fatalf("session blocked: %s / %s", got.Fetch.Message, got.XHR.Message)
		}
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.cookies) < 6 {
		t.Fatalf("the API received %d requests, want at least 6", len(log.cookies))
	}
	for i, c := range log.cookies {
		if c != "" {
			t.Errorf("request %d carried Cookie %q", i, c)
		}
	}
}

func TestExplainErrors(t *testing.T) {
	_, clientURL, _ := startExplainDemo(t)
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close() // nothing listens on its port any more
	downSrv := httptest.NewServer(demo.NewClient(down.URL, "http://localhost:8080"))
	defer downSrv.Close()

	tests := []struct {
		name, url  string
		wantStatus int
		wantError  string
	}{
		{"unknown call", clientURL + "/explain?call=nope", http.StatusNotFound, `no call "nope"`},
		{"no call", clientURL + "/explain", http.StatusNotFound, `no call ""`},
		{"API down", downSrv.URL + "/explain?call=with-cors", http.StatusBadGateway, "corscheck (fetch): actual request to " + down.URL + "/with-cors failed"},
		{"unknown browser", clientURL + "/explain?call=with-cors&browser=opera", http.StatusBadRequest, "browser=opera: write chromium, firefox or safari"},
		{"every browser", clientURL + "/explain?call=with-cors&browser=all", http.StatusBadRequest, "browser=all: write chromium, firefox or safari"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := http.Get(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body map[string]string
			if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tc.wantStatus || !strings.HasPrefix(body["error"], tc.wantError) {
				t.Errorf("%d %q, want %d and an error starting %q", res.StatusCode, body["error"], tc.wantStatus, tc.wantError)
			}
		})
	}
}

// The page opened under another name for the client's server: the API
// trusts http://localhost:PORT, the page is at http://127.0.0.1:PORT. The
// checker, run for that page, finds what the browser will: only the
// AllowAll route passes, and for the routes whose middleware refused the
// origin it does not say the CORS code may never have run.
func TestExplainWrongOrigin(t *testing.T) {
	clientSrv := httptest.NewUnstartedServer(nil)
	pageURL := "http://" + clientSrv.Listener.Addr().String() // 127.0.0.1
	trusted := strings.Replace(pageURL, "127.0.0.1", "localhost", 1)
	api, err := demo.NewAPI(trusted, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	apiSrv := httptest.NewServer(api)
	t.Cleanup(apiSrv.Close)
	clientSrv.Config.Handler = demo.NewClient(apiSrv.URL, trusted)
	clientSrv.Start()
	t.Cleanup(clientSrv.Close)

	// Written by hand from NewAPI's policies, for an origin none of the
	// restricted routes trusts. refusedByCORS: the route's middleware ran.
	wants := map[string]struct {
		reason        check.CorsError
		refusedByCORS bool
	}{
		"without-cors":          {check.MissingAllowOriginHeader, false},
		"with-cors":             {"", false},
		"products":              {check.MissingAllowOriginHeader, true},
		"products-put":          {check.PreflightMissingAllowOriginHeader, true},
		"allow-list":            {check.MissingAllowOriginHeader, true},
		"partners":              {check.MissingAllowOriginHeader, true},
		"items-put":             {check.PreflightMissingAllowOriginHeader, true},
		"items-delete":          {check.PreflightMissingAllowOriginHeader, true},
		"items-header":          {check.PreflightMissingAllowOriginHeader, true},
		"session":               {check.MissingAllowOriginHeader, true},
		"with-cors-credentials": {check.WildcardOriginNotAllowed, false},
		"exposed-headers":       {check.MissingAllowOriginHeader, true},
	}
	calls := demo.Calls(apiSrv.URL, trusted, pageURL)
	if len(calls) != len(wants) {
		t.Fatalf("%d calls, %d expectations", len(calls), len(wants))
	}
	for _, c := range calls {
		t.Run(c.ID, func(t *testing.T) {
			want, ok := wants[c.ID]
			if !ok {
				t.Fatalf("no expectation for %q", c.ID)
			}
			if (want.reason == "") != (c.Expect.Outcome == demo.Pass) {
				t.Errorf("the table expects %s", c.Expect.Outcome)
			}
			got := getExplained(t, pageURL, c.ID)
			if got.Origin != pageURL {
				t.Errorf("origin %q, want %q", got.Origin, pageURL)
			}
			for _, r := range []*check.Result{got.Fetch, got.XHR} {
				if r.Allowed != (want.reason == "") || r.Reason != want.reason {
					t.Errorf("allowed %v, reason %q; want %q", r.Allowed, r.Reason, want.reason)
				}
				if want.refusedByCORS && strings.Contains(r.Explanation, "never ran") {
					t.Errorf("the route's CORS middleware ran, yet: %s", r.Explanation)
				}
			}
		})
	}
}

// /explain speaks for the browser the page names: its console lines for a
// blocked call, written out here from the lines Firefox ESR 153 and
// WebKitGTK 2.50 print.
func TestExplainBrowser(t *testing.T) {
	apiURL, clientURL, _ := startExplainDemo(t)
	url := apiURL + "/items/1"
	for _, tc := range []struct {
		browser string
		want    check.Browser
		fetch   []string
	}{
		{"", check.Chromium, []string{"Access to fetch at '" + url + "' from origin '" + clientURL + "' has been blocked by CORS policy: Request header field x-debug is not allowed by Access-Control-Allow-Headers in preflight response."}},
		{"firefox", check.Firefox, []string{
			"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at " + url + ". (Reason: header ‘x-debug’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response).",
			"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at " + url + ". (Reason: CORS request did not succeed). Status code: (null).",
		}},
		{"safari", check.Safari, []string{
			"Request header field X-Debug is not allowed by Access-Control-Allow-Headers.",
			"Fetch API cannot load " + url + " due to access control checks.",
		}},
	} {
		res, err := http.Get(clientURL + "/explain?call=items-header&browser=" + tc.browser)
		if err != nil {
			t.Fatal(err)
		}
		var got demo.Explained
		err = json.NewDecoder(res.Body).Decode(&got)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got.Browser != tc.want || got.Fetch == nil || !slices.Equal(got.Fetch.Console, tc.fetch) || got.Fetch.Browser != tc.want {
			t.Errorf("browser=%s: %s, fetch console %q; want %s, %q", tc.browser, got.Browser, got.Fetch.Console, tc.want, tc.fetch)
		}
	}
}
