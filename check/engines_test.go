package check_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/corskit/cors/check"
)

func TestParseBrowser(t *testing.T) {
	for in, want := range map[string]check.Browser{
		"": check.Chromium, "chromium": check.Chromium, "Chrome": check.Chromium, "edge": check.Chromium,
		"firefox": check.Firefox, "FIREFOX": check.Firefox, "safari": check.Safari, "webkit": check.Safari, "all": check.AllBrowsers,
	} {
		if got, err := check.ParseBrowser(in); err != nil || got != want {
			t.Errorf("ParseBrowser(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := check.ParseBrowser("opera mini"); err == nil || !strings.Contains(err.Error(), "write chromium, firefox, safari or all") {
		t.Errorf("ParseBrowser(opera mini): %v", err)
	}
}

// TestExplainEngines: the same request in the three browsers, where they
// differ. Every expected line is written out here, from the lines the real
// browsers printed (see internal/difftest's corpus), not computed.
func TestExplainEngines(t *testing.T) {
	type want struct {
		allowed   bool
		preflight bool
		reason    check.CorsError
		console   []string // "{URL}" is the request's URL
	}
	const page = "http://127.0.0.1:9"
	tests := []struct {
		name    string
		handler http.HandlerFunc
		req     check.Request
		want    map[check.Browser]want
	}{
		{
			// Firefox checks a preflight's Access-Control-Allow-Origin
			// first, as Chromium does; Safari its status.
			name: "preflight refused with 403 and no CORS headers",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodOptions {
					w.WriteHeader(http.StatusForbidden)
				}
			},
			req: check.Request{Method: "PUT", SendActual: true},
			want: map[check.Browser]want{
				check.Chromium: {false, true, check.PreflightMissingAllowOriginHeader, []string{
					"Access to fetch at '{URL}' from origin '" + page + "' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource."}},
				check.Firefox: {false, true, check.PreflightMissingAllowOriginHeader, []string{
					"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {URL}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 403.",
					"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {URL}. (Reason: CORS request did not succeed). Status code: (null)."}},
				check.Safari: {false, true, check.PreflightInvalidStatus, []string{
					"Preflight response is not successful. Status code: 403",
					"Fetch API cannot load {URL} due to access control checks."}},
			},
		},
		{
			// Chromium safelists DPR (a client hint); the others preflight it.
			name:    "Chromium's extra safelisted header",
			handler: echoOrigin,
			req:     check.Request{Header: http.Header{"DPR": {"2.0"}}},
			want: map[check.Browser]want{
				check.Chromium: {true, false, "", nil},
				check.Firefox: {false, true, check.HeaderDisallowedByPreflightResponse, []string{
					"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {URL}. (Reason: header ‘dpr’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response).",
					"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {URL}. (Reason: CORS request did not succeed). Status code: (null)."}},
				check.Safari: {false, true, check.HeaderDisallowedByPreflightResponse, []string{
					"Request header field DPR is not allowed by Access-Control-Allow-Headers.",
					"Fetch API cannot load {URL} due to access control checks."}},
			},
		},
		{
			// Upload listeners preflight a request without a body in
			// Firefox and Safari, not in Chromium.
			name: "upload listener without a body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				echoOrigin(w, r)
				w.Header().Set("Access-Control-Allow-Methods", "GET")
			},
			req: check.Request{ForcePreflight: true, Initiator: check.XHR},
			want: map[check.Browser]want{
				check.Chromium: {true, false, "", nil},
				check.Firefox:  {true, true, "", nil},
				check.Safari:   {true, true, "", nil},
			},
		},
		{
			// Two Access-Control-Allow-Origin values in one line: Firefox
			// compares the line whole.
			name: "a list in one Access-Control-Allow-Origin line",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin")+", http://example.com")
			},
			req: check.Request{Initiator: check.XHR},
			want: map[check.Browser]want{
				check.Chromium: {false, false, check.MultipleAllowOriginValues, []string{
					"Access to XMLHttpRequest at '{URL}' from origin '" + page + "' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header contains multiple values '" + page + ", http://example.com', but only one is allowed."}},
				check.Firefox: {false, false, check.AllowOriginMismatch, []string{
					"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {URL}. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘" + page + ", http://example.com’)."}},
				check.Safari: {false, false, check.MultipleAllowOriginValues, []string{
					"Access-Control-Allow-Origin cannot contain more than one origin.",
					"XMLHttpRequest cannot load {URL} due to access control checks."}},
			},
		},
		{
			// Several headers refused: each browser names another one.
			name: "several headers refused",
			handler: func(w http.ResponseWriter, r *http.Request) {
				echoOrigin(w, r)
				w.Header().Set("Access-Control-Allow-Headers", "x-unrelated")
			},
			req: check.Request{Header: http.Header{"X-B": {"1"}, "Zz-Last": {"1"}, "Content-Type": {"application/json"}}, HeaderOrder: []string{"X-B", "Zz-Last", "Content-Type"}},
			want: map[check.Browser]want{
				check.Chromium: {false, true, check.HeaderDisallowedByPreflightResponse, []string{
					"Access to fetch at '{URL}' from origin '" + page + "' has been blocked by CORS policy: Request header field content-type is not allowed by Access-Control-Allow-Headers in preflight response."}},
				check.Firefox: {false, true, check.HeaderDisallowedByPreflightResponse, []string{
					"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {URL}. (Reason: header ‘content-type’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response).",
					"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {URL}. (Reason: CORS request did not succeed). Status code: (null)."}},
				check.Safari: {false, true, check.HeaderDisallowedByPreflightResponse, []string{
					"Request header field Content-Type is not allowed by Access-Control-Allow-Headers.",
					"Fetch API cannot load {URL} due to access control checks."}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			for b, w := range tt.want {
				req := tt.req
				req.URL, req.Origin, req.Browser = srv.URL+"/r", page, b
				res, err := check.Explain(context.Background(), srv.Client(), req)
				if err != nil {
					t.Fatal(err)
				}
				var console []string
				for _, l := range w.console {
					console = append(console, strings.ReplaceAll(l, "{URL}", req.URL))
				}
				if res.Browser != b || res.Allowed != w.allowed || res.Preflight != w.preflight || res.Reason != w.reason || !slices.Equal(res.Console, console) {
					t.Errorf("%s: browser %s, allowed %v, preflight %v, reason %s, console %q\nwant allowed %v, preflight %v, reason %s, console %q",
						b, res.Browser, res.Allowed, res.Preflight, res.Reason, res.Console, w.allowed, w.preflight, w.reason, console)
				}
				if want := ""; len(console) > 0 && res.Message != console[0] || len(console) == 0 && res.Message != want {
					t.Errorf("%s: message %q, want the first console line", b, res.Message)
				}
			}
		})
	}
}

func echoOrigin(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
}

// TestExplainAllBrowsers: Browser all gives each browser's Result, the
// top level being Chromium's, and sends a request the browsers share once.
func TestExplainAllBrowsers(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		echoOrigin(w, r)
	}))
	defer srv.Close()
	res, err := check.Explain(context.Background(), srv.Client(), check.Request{
		URL: srv.URL + "/r", Origin: "https://app.example", Method: "DELETE", Browser: check.AllBrowsers,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Browsers) != 3 {
		t.Fatalf("browsers: %v", res.Browsers)
	}
	if res.Browser != check.Chromium || res.Reason != check.PreflightMissingAllowOriginHeader {
		t.Errorf("top level: %s %s, want Chromium's PreflightMissingAllowOriginHeader", res.Browser, res.Reason)
	}
	for b, want := range map[check.Browser]check.CorsError{
		check.Chromium: check.PreflightMissingAllowOriginHeader,
		check.Firefox:  check.PreflightMissingAllowOriginHeader,
		check.Safari:   check.PreflightInvalidStatus,
	} {
		r := res.Browsers[b]
		if r == nil || r.Browser != b || r.Reason != want || r.Allowed || r.Browsers != nil {
			t.Errorf("%s: %+v, want reason %s", b, r, want)
		}
	}
	// The three send the same preflight: the server sees it once.
	if n := hits.Load(); n != 1 {
		t.Errorf("the server saw %d requests, want 1", n)
	}
}

// Only Chromium ignores upload listeners on a request without a body, and
// only for Chromium does Explain warn that no preflight is sent for them.
func TestExplainUploadWarning(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(echoOrigin))
	defer srv.Close()
	for b, warns := range map[check.Browser]bool{check.Chromium: true, check.Firefox: false, check.Safari: false} {
		res, err := check.Explain(context.Background(), srv.Client(), check.Request{
			URL: srv.URL, Origin: "https://a.example", ForcePreflight: true, Initiator: check.XHR, Browser: b,
		})
		if err != nil {
			t.Fatal(err)
		}
		got := slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "sends no preflight for them") })
		if got != warns {
			t.Errorf("%s: warns %v, want %v: %q", b, got, warns, res.Warnings)
		}
	}
}
