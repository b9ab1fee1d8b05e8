package engine_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/corskit/cors/internal/engine"
	"github.com/corskit/cors/internal/fetch"
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

// TestWebKitConsole: the lines WebKitGTK 2.50 logged, in the differential
// corpus (internal/difftest/testdata), for failures whose line WebKit
// builds from several parts.
func TestWebKitConsole(t *testing.T) {
	const a, b = "http://127.0.0.1:34347/d/x/0", "http://127.0.0.1:46483/d/x/1"
	for _, tc := range []struct {
		name string
		f    engine.Failure
		want []string
	}{
		{"preflight", engine.Failure{Check: engine.PreflightStatus, Preflight: true, Status: 403, URL: a, XHR: true},
			[]string{"Preflight response is not successful. Status code: 403", "XMLHttpRequest cannot load " + a + " due to access control checks."}},
		{"redirect of the actual request", engine.Failure{Check: engine.MissingAllowOrigin, Redirect: true, Status: 303, URL: a, Location: b, Origin: "http://127.0.0.1:9"},
			[]string{"Cross-origin redirection to " + b + " denied by Cross-Origin Resource Sharing policy: Origin http://127.0.0.1:9 is not allowed by Access-Control-Allow-Origin. Status code: 303",
				"Fetch API cannot load " + a + " due to access control checks."}},
		{"redirect to user:password", engine.Failure{Check: engine.RedirectCredentials, Redirect: true, Status: 308, URL: a, Location: "http://u:p@127.0.0.1:46483/d/x/1", Value: "http://u:p@127.0.0.1:46483/d/x/1", XHR: true},
			[]string{"Cross-origin redirection to " + b + " denied by Cross-Origin Resource Sharing policy: redirection URL http://u:p@127.0.0.1:46483/d/x/1 has credentials",
				"XMLHttpRequest cannot load " + a + " due to access control checks."}},
		{"invalid header list", engine.Failure{Check: engine.InvalidAllowHeaders, Preflight: true, Status: 204, URL: a, Value: "Content-Type: application/json"},
			[]string{"Header Access-Control-Allow-Headers has an invalid value: Content-Type: application/json", "Fetch API cannot load " + a + " due to access control checks."}},
		{"list in Access-Control-Allow-Origin", engine.Failure{Check: engine.MultipleAllowOrigin, Status: 200, URL: a},
			[]string{"Access-Control-Allow-Origin cannot contain more than one origin.", "Fetch API cannot load " + a + " due to access control checks."}},
	} {
		if got := engine.WebKit.Console(tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

// TestWebKitHeaderCheckOrder: the header WebKitGTK 2.50 named when it
// refused several (corpus cases s156-132, s156-187, s156-239, s156-310):
// the first it knows by name, in its own spelling, else the first other
// one as the script wrote it.
func TestWebKitHeaderCheckOrder(t *testing.T) {
	field := func(names ...string) []fetch.HeaderField {
		var out []fetch.HeaderField
		for _, n := range names {
			v := "1"
			switch strings.ToLower(n) {
			case "content-type":
				v = "application/json"
			case "authorization":
				v = "Bearer t"
			}
			out = append(out, fetch.HeaderField{Name: n, Value: v})
		}
		return out
	}
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"X-B", "X-Trace-Id", "content-type", "zz-last"}, "Content-Type"},
		{[]string{"x-trace-id", "x-b", "authorization", "Content-Type"}, "Authorization"},
		{[]string{"x-b", "Zz-Last", "Content-Type", "authorization"}, "Content-Type"},
		{[]string{"X-B", "X-Trace-Id"}, "X-B"},
	} {
		got := engine.WebKit.CheckOrder(engine.Headers{Fields: field(tc.names...)})
		if len(got) == 0 || got[0] != tc.want {
			t.Errorf("%q: WebKit checks %q first, want %q", tc.names, got, tc.want)
		}
	}
}
