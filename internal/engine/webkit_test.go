package engine_test

import (
	"testing"

	"github.com/corskit/cors/internal/engine"
)

// The expected lines were printed by WebKitGTK 2.50 on this project's
// machine (e2e suite, enable-write-console-messages-to-stdout), copied here
// as they came.
func TestWebKitMessages(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{engine.WebKitOriginNotAllowed("http://app.test:40131", 200), "Origin http://app.test:40131 is not allowed by Access-Control-Allow-Origin. Status code: 200"},
		{engine.WebKitOriginNotAllowed("null", 200), "Origin null is not allowed by Access-Control-Allow-Origin. Status code: 200"},
		{engine.WebKitPreflightNotSuccessful(403), "Preflight response is not successful. Status code: 403"},
		{engine.WebKitPreflightNotSuccessful(302), "Preflight response is not successful. Status code: 302"},
		{engine.WebKitWildcardWithCredentials, "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true."},
		{engine.WebKitCredentialsNotTrue, `Credentials flag is true, but Access-Control-Allow-Credentials is not "true".`},
		{engine.WebKitMethodNotAllowed("patch"), "Method patch is not allowed by Access-Control-Allow-Methods."},
		{engine.WebKitHeaderNotAllowed("X-Other"), "Request header field X-Other is not allowed by Access-Control-Allow-Headers."},
		{engine.WebKitRedirectDenied("http://127.0.0.1:37937/a", engine.WebKitOriginNotAllowed("http://127.0.0.1:45919", 302)),
			"Cross-origin redirection to http://127.0.0.1:37937/a denied by Cross-Origin Resource Sharing policy: Origin http://127.0.0.1:45919 is not allowed by Access-Control-Allow-Origin. Status code: 302"},
		{engine.WebKitCannotLoad("Fetch API", "http://api.test:42447/x"), "Fetch API cannot load http://api.test:42447/x due to access control checks."},
		{engine.WebKitCannotLoad("XMLHttpRequest", "http://127.0.0.1:45675/a"), "XMLHttpRequest cannot load http://127.0.0.1:45675/a due to access control checks."},
	} {
		if tc.got != tc.want {
			t.Errorf("\n got %q\nwant %q", tc.got, tc.want)
		}
	}
}
