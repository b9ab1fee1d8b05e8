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

func TestFirefoxPreflightFailed(t *testing.T) {
	got := engine.FirefoxPreflightFailed("http://127.0.0.1:34347/a", engine.FirefoxMissingAllowOrigin, engine.FirefoxStatus(403))
	want := []string{
		"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:34347/a. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 403.",
		"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:34347/a. (Reason: CORS request did not succeed). Status code: (null).",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestMaxAgeCaps(t *testing.T) {
	// Firefox: nsCORSListenerProxy.cpp, "Cap at 24 hours"; WebKit:
	// CrossOriginPreflightResultCache.cpp, maxPreflightCacheTimeout = 600_s.
	if engine.FirefoxMaxAge != 86400 || engine.WebKitMaxAge != 600 {
		t.Errorf("caps: Firefox %d, WebKit %d; want 86400, 600", engine.FirefoxMaxAge, engine.WebKitMaxAge)
	}
}
