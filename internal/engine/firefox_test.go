package engine_test

import (
	"slices"
	"testing"

	"github.com/corskit/cors/internal/engine"
)

// The expected lines were printed by Firefox ESR 153 on this project's
// machine (e2e suite, log.entryAdded), copied here as they came.
func TestFirefoxMessage(t *testing.T) {
	for _, tc := range []struct {
		reason engine.FirefoxReason
		url    string
		param  string
		want   string
	}{
		{engine.FirefoxMissingAllowOrigin, "http://127.0.0.1:46685/x", engine.FirefoxStatus(200),
			"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:46685/x. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200."},
		{engine.FirefoxMissingAllowOrigin, "http://127.0.0.1:37563/redirect?to=%2Fa", engine.FirefoxStatus(302),
			"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:37563/redirect?to=%2Fa. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 302."},
		{engine.FirefoxDidNotSucceed, "http://127.0.0.1:33717/a", engine.FirefoxNoStatus,
			"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:33717/a. (Reason: CORS request did not succeed). Status code: (null)."},
		{engine.FirefoxNotSupportingCredentials, "http://127.0.0.1:37597/a", "",
			"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ‘http://127.0.0.1:37597/a’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’)."},
		{engine.FirefoxMethodNotFound, "http://127.0.0.1:41595/a", "",
			"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:41595/a. (Reason: Did not find method in CORS header ‘Access-Control-Allow-Methods’)."},
		{engine.FirefoxMissingAllowCredentials, "http://127.0.0.1:46201/a", "",
			"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:46201/a. (Reason: expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’)."},
		{engine.FirefoxMissingAllowHeader, "http://127.0.0.1:34527/a", "authorization",
			"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:34527/a. (Reason: header ‘authorization’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response)."},
		{engine.FirefoxPreflightDidNotSucceed, "http://127.0.0.1:40505/a", engine.FirefoxStatus(302),
			"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:40505/a. (Reason: CORS preflight response did not succeed). Status code: 302."},
		{engine.FirefoxExternalRedirectNotAllowed, "http://127.0.0.1:40505/a", "",
			"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:40505/a. (Reason: CORS request external redirect not allowed)."},
		{engine.FirefoxReason("NoSuchKey"), "http://x/", "", ""},
	} {
		if got := engine.FirefoxMessage(tc.reason, tc.url, tc.param); got != tc.want {
			t.Errorf("FirefoxMessage(%s, %q, %q):\n got %q\nwant %q", tc.reason, tc.url, tc.param, got, tc.want)
		}
	}
}

// TestFirefoxConsole: the lines Firefox ESR 153 logged, in the differential
// corpus (internal/difftest/testdata), for each kind of failure, with the
// corpus's {A} written as a URL.
func TestFirefoxConsole(t *testing.T) {
	const u = "http://127.0.0.1:34347/d/x/0"
	const at = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at " + u + ". (Reason: "
	const failed = at + "CORS request did not succeed). Status code: (null)."
	for _, tc := range []struct {
		name string
		f    engine.Failure
		want []string
	}{
		{"actual response", engine.Failure{Check: engine.MissingAllowOrigin, Status: 200, URL: u},
			[]string{at + "CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200."}},
		{"preflight", engine.Failure{Check: engine.MissingAllowOrigin, Preflight: true, Status: 204, URL: u},
			[]string{at + "CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 204.", failed}},
		{"preflight status", engine.Failure{Check: engine.PreflightStatus, Preflight: true, Status: 304, URL: u},
			[]string{at + "CORS preflight response did not succeed). Status code: 304.", failed}},
		{"redirected preflight", engine.Failure{Check: engine.PreflightRedirect, Preflight: true, Redirect: true, Status: 307, URL: u},
			[]string{at + "CORS request external redirect not allowed).", at + "CORS preflight response did not succeed). Status code: 307.", failed}},
		{"redirected preflight without the origin", engine.Failure{Check: engine.MissingAllowOrigin, Preflight: true, Redirect: true, Status: 302, URL: u},
			[]string{at + "CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 302.", failed, failed}},
		{"redirect of the actual request", engine.Failure{Check: engine.AllowOriginMismatch, Redirect: true, Status: 302, Value: "http://example.com", URL: u},
			[]string{at + "CORS header ‘Access-Control-Allow-Origin’ does not match ‘http://example.com’).", failed}},
		{"redirect to user:password", engine.Failure{Check: engine.RedirectCredentials, Redirect: true, Status: 308, URL: u},
			[]string{failed}},
		{"invalid method token", engine.Failure{Check: engine.InvalidAllowMethods, Preflight: true, Status: 204, Value: "PUT DELETE", URL: u},
			[]string{at + "invalid token ‘PUT DELETE’ in CORS header ‘Access-Control-Allow-Methods’).", failed}},
		{"header", engine.Failure{Check: engine.HeaderNotAllowed, Preflight: true, Status: 204, Value: "x-custom", URL: u},
			[]string{at + "header ‘x-custom’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response).", failed}},
		{"wildcard with credentials", engine.Failure{Check: engine.WildcardWithCredentials, Status: 200, URL: u},
			[]string{"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ‘" + u + "’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’)."}},
	} {
		if got := engine.Firefox.Console(tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

// TestFirefoxAllowOrigin: nsCORSListenerProxy::CheckRequestApproved's
// classification, which differs from Chromium's where a value holds a list.
func TestFirefoxAllowOrigin(t *testing.T) {
	const o = "https://a.example"
	for _, tc := range []struct {
		acao, acac []string
		creds      bool
		want       engine.Check
		value      string
	}{
		{nil, nil, false, engine.MissingAllowOrigin, ""},
		{[]string{o, o}, nil, false, engine.MultipleAllowOrigin, o + ", " + o},
		{[]string{o + ", https://b.example"}, nil, false, engine.AllowOriginMismatch, o + ", https://b.example"},
		{[]string{"*"}, nil, false, engine.Passed, ""},
		{[]string{"*"}, []string{"true"}, true, engine.WildcardWithCredentials, ""},
		{[]string{o + "/"}, nil, false, engine.AllowOriginMismatch, o + "/"},
		{[]string{o}, []string{"true", "true"}, true, engine.AllowCredentialsNotTrue, "true, true"},
		{[]string{o}, []string{"true"}, true, engine.Passed, ""},
	} {
		c, v := engine.Firefox.AllowOrigin(tc.acao, tc.acac, o, tc.creds)
		if c != tc.want || v != tc.value {
			t.Errorf("ACAO %q ACAC %q creds %v: %v %q, want %v %q", tc.acao, tc.acac, tc.creds, c, v, tc.want, tc.value)
		}
	}
}

// TestPreflightCacheSeconds: how long each engine keeps a preflight for an
// Access-Control-Max-Age value, written from each engine's source
// (preflight_result.cc, nsCORSListenerProxy.cpp AddResultToCache,
// CrossOriginPreflightResultCache.cpp).
func TestPreflightCacheSeconds(t *testing.T) {
	for _, tc := range []struct {
		v                         string
		present                   bool
		chromium, firefox, webkit int
	}{
		{"", false, 5, 5, 5},
		{"600", true, 600, 600, 600},
		{"86400", true, 7200, 86400, 600},
		{"99999999999999999999", true, 7200, 86400, 5},
		{"0", true, 0, 0, 0},
		{"-1", true, 0, 0, 0},
		{"abc", true, 5, 0, 5},
		{"600, 600", true, 5, 0, 5},
		{"+10", true, 5, 0, 10},
	} {
		got := [3]int{engine.Chromium.PreflightCacheSeconds(tc.v, tc.present), engine.Firefox.PreflightCacheSeconds(tc.v, tc.present), engine.WebKit.PreflightCacheSeconds(tc.v, tc.present)}
		if want := [3]int{tc.chromium, tc.firefox, tc.webkit}; got != want {
			t.Errorf("Access-Control-Max-Age %q: Chromium, Firefox, WebKit keep it %v s, want %v", tc.v, got, want)
		}
	}
}

func TestMaxAgeCaps(t *testing.T) {
	// Chromium: preflight_result.cc, kMaxTimeout; Firefox:
	// nsCORSListenerProxy.cpp, "Cap at 24 hours"; WebKit:
	// CrossOriginPreflightResultCache.cpp, maxPreflightCacheTimeout = 600_s.
	if engine.ChromiumMaxAge != 7200 || engine.FirefoxMaxAge != 86400 || engine.WebKitMaxAge != 600 {
		t.Errorf("caps: Chromium %d, Firefox %d, WebKit %d; want 7200, 86400, 600", engine.ChromiumMaxAge, engine.FirefoxMaxAge, engine.WebKitMaxAge)
	}
}
