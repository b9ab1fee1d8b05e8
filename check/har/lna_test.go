package har_test

import (
	"context"
	"strings"
	"testing"

	"github.com/corskit/cors/check"
	"github.com/corskit/cors/check/har"
)

// Local Network Access is judged from the addresses the HAR records
// (serverIPAddress), exactly as corscheck explain judges it live, and is
// said to be unknown, without a DNS lookup, where the HAR records none.
// The console lines are Chromium 156's (e2e TestLNA).
func TestJudgeLocalNetworkAccess(t *testing.T) {
	noNetwork(t)
	const (
		shop    = "http://www.shop.example"
		secure  = "https://www.shop.example"
		nas     = "http://nas.shop.example/api"
		devAPI  = "http://dev.shop.example:8080/api"
		refused = "net::ERR_FAILED"
	)
	ip := func(a string) map[string]any { return map[string]any{"_resourceType": "fetch", "serverIPAddress": a} }
	doc := func(u, a string) entry {
		return entry{method: "GET", url: u + "/", status: 200, extra: map[string]any{"_resourceType": "document", "serverIPAddress": a}}
	}
	failed := map[string]any{"_error": refused}
	tests := []struct {
		name    string
		entries []entry
		browser check.Browser
		// want
		verdict      har.Verdict
		reason       check.CorsError
		console      []string
		page, target string // Result.LocalNetworkAccess's spaces
		applies      bool
		denied       string // the "permission denied" outcome's line
		unknown      []string
	}{
		{
			name: "public page, local target: refused before sending, as the page is not a secure context",
			entries: []entry{doc(shop, "203.0.113.7"),
				{method: "GET", url: nas, req: []string{"Origin", shop}, status: 0, extra: ip("192.168.1.20"), respExtra: failed}},
			verdict: har.Blocked, reason: check.InsecureLocalNetwork, page: "public", target: "local", applies: true,
			console: []string{"Access to fetch at '" + nas + "' from origin '" + shop + "' has been blocked by CORS policy: The request client is not a secure context and the resource is in more-private address space `local`."},
		},
		{
			name: "the target's address from another entry for its host",
			entries: []entry{doc(shop, "203.0.113.7"),
				{method: "GET", url: "http://nas.shop.example/logo.png", status: 200, extra: map[string]any{"_resourceType": "image", "serverIPAddress": "10.0.0.9"}},
				{method: "GET", url: nas, req: []string{"Origin", shop}, status: 0, extra: ip(""), respExtra: failed}},
			verdict: har.Blocked, reason: check.InsecureLocalNetwork, page: "public", target: "local", applies: true,
			console: []string{"Access to fetch at '" + nas + "' from origin '" + shop + "' has been blocked by CORS policy: The request client is not a secure context and the resource is in more-private address space `local`."},
		},
		{
			name: "secure public page, loopback target in brackets: the user granted it, CORS allowed it",
			entries: []entry{doc(secure, "203.0.113.7"),
				{method: "GET", url: devAPI, req: []string{"Origin", secure}, status: 200, resp: []string{"Access-Control-Allow-Origin", secure}, extra: ip("[::1]")}},
			verdict: har.Allowed, page: "public", target: "loopback", applies: true,
			denied: "Access to fetch at '" + devAPI + "' from origin '" + secure + "' has been blocked by CORS policy: Permission was denied for this request to access the `loopback` address space.",
		},
		{
			name: "both on the local network: LNA does not apply",
			entries: []entry{doc(shop, "192.168.1.4"),
				{method: "GET", url: nas, req: []string{"Origin", shop}, status: 200, resp: []string{"Access-Control-Allow-Origin", "*"}, extra: ip("192.168.1.20")}},
			verdict: har.Allowed, page: "local", target: "local",
		},
		{
			name: "no serverIPAddress: cannot be known from this HAR, and no DNS",
			entries: []entry{doc(shop, ""),
				{method: "GET", url: nas, req: []string{"Origin", shop}, status: 0, extra: map[string]any{"_resourceType": "fetch"}, respExtra: failed}},
			verdict: har.Blocked, page: "unknown", target: "unknown",
			unknown: []string{"cannot be known from this HAR", "no address for www.shop.example", "no address for nas.shop.example"},
		},
		{
			name: "a serverIPAddress that is not an address",
			entries: []entry{doc(shop, "203.0.113.7"),
				{method: "GET", url: nas, req: []string{"Origin", shop}, status: 200, resp: []string{"Access-Control-Allow-Origin", "*"}, extra: ip("(redacted)")}},
			verdict: har.Allowed, page: "public", target: "unknown",
			unknown: []string{"cannot be known from this HAR", `serverIPAddress for nas.shop.example is "(redacted)", not an IP address`},
		},
		{
			name: "Firefox does not enforce LNA by default: the CORS verdict", browser: check.Firefox,
			entries: []entry{doc(shop, "203.0.113.7"),
				{method: "GET", url: nas, req: []string{"Origin", shop}, status: 200, resp: []string{"Access-Control-Allow-Origin", "*"}, extra: ip("192.168.1.20")}},
			verdict: har.Allowed, page: "public", target: "local", applies: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := archive(t, "WebInspector", nil, tc.entries...)
			rep, err := har.Judge(context.Background(), a, har.Options{Browser: tc.browser})
			if err != nil {
				t.Fatal(err)
			}
			var q *har.Request
			for _, r := range rep.Requests {
				if r.Kind != "image" {
					q = r
				}
			}
			if q == nil {
				t.Fatalf("the fetch is not judged: %+v (skipped %+v)", rep.Requests, rep.Skipped)
			}
			if q.Verdict != tc.verdict || q.Reason != tc.reason || strings.Join(q.Console, "\n") != strings.Join(tc.console, "\n") {
				t.Errorf("verdict %s %s %q\nwant %s %s %q", q.Verdict, q.Reason, q.Console, tc.verdict, tc.reason, tc.console)
			}
			if q.Disagreement != "" {
				t.Errorf("disagrees with the recording: %s", q.Disagreement)
			}
			if q.Result == nil || q.Result.LocalNetworkAccess == nil {
				t.Fatalf("no Local Network Access judgement in %+v", q.Result)
			}
			lna := q.Result.LocalNetworkAccess
			if lna.PageAddressSpace != tc.page || lna.TargetAddressSpace != tc.target || lna.Applies != tc.applies {
				t.Errorf("page %s (%s), target %s (%s), applies %v; want %s, %s, %v", lna.PageAddressSpace, lna.PageFrom, lna.TargetAddressSpace, lna.TargetFrom, lna.Applies, tc.page, tc.target, tc.applies)
			}
			if tc.denied != "" && (len(lna.Outcomes) == 0 || lna.Outcomes[0].Message != tc.denied) {
				t.Errorf("outcomes %+v, want first the denied line %q", lna.Outcomes, tc.denied)
			}
			if tc.page != "unknown" && tc.target != "unknown" && !strings.HasPrefix(lna.TargetFrom, "the HAR's serverIPAddress: ") && !strings.HasPrefix(lna.TargetFrom, "IP address") {
				t.Errorf("target's space from %q, want the HAR's serverIPAddress", lna.TargetFrom)
			}
			if len(tc.unknown) == 0 && q.LocalNetworkAccess != "" {
				t.Errorf("LocalNetworkAccess = %q, want none: the HAR has the addresses", q.LocalNetworkAccess)
			}
			for _, s := range tc.unknown {
				if !strings.Contains(q.LocalNetworkAccess, s) {
					t.Errorf("LocalNetworkAccess = %q, want it to say %q", q.LocalNetworkAccess, s)
				}
			}
		})
	}
}
