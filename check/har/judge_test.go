package har_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/cors/check"
	"github.com/corskit/cors/check/har"
)

// entry builds a HAR entry: method, URL, request headers, status, response
// headers (pairs of name and value), and extra fields of the entry.
type entry struct {
	method, url string
	req         []string
	status      int
	resp        []string
	extra       map[string]any // entry fields (_resourceType, …)
	respExtra   map[string]any // response fields (_error, …)
	// body is the request's postData text, when hasBody.
	body    string
	hasBody bool
}

func pairs(kv []string) []map[string]string {
	out := []map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, map[string]string{"name": kv[i], "value": kv[i+1]})
	}
	return out
}

// archive writes a HAR by creator with entries and reads it back.
func archive(t *testing.T, creator string, pages []map[string]string, es ...entry) *har.Archive {
	t.Helper()
	list := []map[string]any{}
	for _, e := range es {
		resp := map[string]any{"status": e.status, "statusText": "", "headers": pairs(e.resp), "content": map[string]any{"size": 0}}
		for k, v := range e.respExtra {
			resp[k] = v
		}
		req := map[string]any{"method": e.method, "url": e.url, "headers": pairs(e.req), "cookies": []any{}}
		if e.hasBody {
			req["postData"] = map[string]any{"mimeType": "", "text": e.body}
		}
		m := map[string]any{
			"pageref": "page_1", "startedDateTime": "2026-01-01T00:00:00.000Z",
			"request":  req,
			"response": resp,
		}
		for k, v := range e.extra {
			m[k] = v
		}
		list = append(list, m)
	}
	if pages == nil {
		pages = []map[string]string{}
	}
	b, err := json.Marshal(map[string]any{"log": map[string]any{
		"version": "1.2", "creator": map[string]string{"name": creator, "version": "1"}, "pages": pages, "entries": list}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := har.Read(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

const (
	page = "https://app.example"
	api  = "https://api.example/v1/items"
)

func TestJudge(t *testing.T) {
	fetchType := map[string]any{"_resourceType": "fetch"}
	tests := []struct {
		name    string
		creator string
		pages   []map[string]string
		entries []entry
		browser check.Browser // Options.Browser
		// want
		verdict      har.Verdict
		reason       check.CorsError
		console      []string
		missing      string // a substring of one Missing line
		alternative  check.CorsError
		disagreement string // a substring; "" means none
		explain      string // a substring of the command
		originFrom   string
	}{
		{
			name: "sanitized Chrome DevTools export: Authorization named only by the preflight", creator: "WebInspector",
			entries: []entry{
				{method: "OPTIONS", url: api, req: []string{"Origin", page, "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "authorization,content-type"},
					status: 204, resp: []string{"Access-Control-Allow-Origin", page, "Access-Control-Allow-Methods", "PUT", "Access-Control-Allow-Headers", "content-type"},
					extra: map[string]any{"_resourceType": "preflight", "_initiator": map[string]any{"type": "preflight", "url": api}}},
				{method: "PUT", url: api, req: []string{"Origin", page, "Content-Type", "application/json", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty"},
					status: 0, extra: fetchType, respExtra: map[string]any{"_error": "net::ERR_FAILED"}},
			},
			// Sanitized: whether it carried credentials is unknown, and
			// with them the preflight fails first on its missing ACAC.
			verdict: har.Blocked, reason: check.HeaderDisallowedByPreflightResponse, alternative: check.PreflightInvalidAllowCredentials,
			console:    []string{"Access to fetch at '" + api + "' from origin '" + page + "' has been blocked by CORS policy: Request header field authorization is not allowed by Access-Control-Allow-Headers in preflight response."},
			explain:    "corscheck explain " + api + " --origin " + page + " --method PUT -H 'Content-Type: application/json' -H 'authorization: (not in the HAR)'",
			originFrom: "the request's Origin header",
		},
		{
			name: "a preflight without its request", creator: "WebInspector",
			entries: []entry{
				{method: "OPTIONS", url: api, req: []string{"Origin", page, "Access-Control-Request-Method", "DELETE"}, status: 403,
					extra: map[string]any{"_resourceType": "preflight"}},
			},
			verdict: har.Blocked, reason: check.PreflightMissingAllowOriginHeader, missing: "the HAR has only its preflight",
		},
		{
			name: "Chromium delivered what corscheck blocks: a disagreement", creator: "WebInspector",
			entries: []entry{
				{method: "GET", url: api, req: []string{"Origin", page, "Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty"}, status: 200, extra: fetchType},
			},
			verdict: har.Blocked, reason: check.MissingAllowOriginHeader, disagreement: "Chromium delivered the response",
		},
		{
			name: "the connection was refused: failed, not blocked", creator: "Playwright",
			entries: []entry{
				{method: "GET", url: api, req: []string{"Referer", page + "/"}, status: -1, extra: fetchType,
					respExtra: map[string]any{"_failureText": "net::ERR_CONNECTION_REFUSED"}},
			},
			verdict: har.Failed, missing: "no response for entry 0", originFrom: "the request's Referer header",
		},
		{
			name: "Playwright: blocked, why not kept", creator: "Playwright",
			entries: []entry{
				{method: "PUT", url: api, req: []string{"X-Custom", "1", "Referer", page + "/"}, status: -1, extra: map[string]any{"_resourceType": "xhr"},
					respExtra: map[string]any{"_failureText": "net::ERR_FAILED"}},
			},
			verdict: har.Blocked, missing: "no preflight, nor the response",
			explain: "corscheck explain " + api + " --origin " + page + " --method PUT -H 'X-Custom: 1' --xhr",
		},
		{
			name: "wildcard: allowed without credentials, blocked with them", creator: "Firefox",
			entries: []entry{
				{method: "GET", url: api, req: []string{"Origin", page, "Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty"}, status: 200,
					resp: []string{"Access-Control-Allow-Origin", "*"}},
			},
			verdict: har.Allowed, alternative: check.WildcardOriginNotAllowed,
		},
		{
			name: "wildcard with a cookie sent: credentials proven", creator: "Firefox",
			entries: []entry{
				{method: "GET", url: api, req: []string{"Origin", page, "Cookie", "sid=1", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty"}, status: 200,
					resp: []string{"Access-Control-Allow-Origin", "*"}},
			},
			verdict: har.Blocked, reason: check.WildcardOriginNotAllowed,
			explain: "--credentials --cookie sid=1 --browser firefox",
		},
		{
			name: "Firefox's recording judged as Chromium", creator: "Firefox", browser: check.Chromium,
			entries: []entry{
				{method: "GET", url: api, req: []string{"Origin", page, "Cookie", "sid=1", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty"}, status: 200,
					resp: []string{"Access-Control-Allow-Origin", "*"}},
			},
			// Firefox does not record fetch() or XMLHttpRequest: the
			// latter's line has a sentence more.
			verdict: har.Blocked, reason: check.WildcardOriginNotAllowed, alternative: check.WildcardOriginNotAllowed,
			console: []string{"Access to fetch at '" + api + "' from origin '" + page + "' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."},
		},
		{
			name: "an image without crossorigin: opaque", creator: "Firefox",
			entries: []entry{
				{method: "GET", url: "https://cdn.example/a.png", req: []string{"Referer", page + "/", "Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "image"}, status: 200},
			},
			verdict: har.Opaque,
		},
		{
			name: "a GET without Origin, whose headers were recorded: no-cors", creator: "Firefox",
			entries: []entry{
				{method: "GET", url: "http://cdn.test/a.png", req: []string{"Referer", page + "/", "Accept", "image/avif,image/*"}, status: 200},
			},
			verdict: har.Opaque,
		},
		{
			name: "a cross-origin redirect taints the origin", creator: "WebInspector",
			entries: []entry{
				{method: "GET", url: api, req: []string{"Origin", page, "Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty"}, status: 302,
					resp: []string{"Access-Control-Allow-Origin", page, "Location", "https://other.example/x"}, extra: fetchType},
				{method: "GET", url: "https://other.example/x", req: []string{"Origin", "null", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty"}, status: 200,
					resp: []string{"Access-Control-Allow-Origin", page}, extra: fetchType, respExtra: map[string]any{"_error": "net::ERR_FAILED"}},
			},
			verdict: har.Blocked, reason: check.AllowOriginMismatch, alternative: check.InvalidAllowCredentials,
			console: []string{"Access to fetch at 'https://other.example/x' (redirected from '" + api + "') from origin '" + page + "' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value '" + page + "' that is not equal to the supplied origin. Have the server send the header with a valid value."},
		},
		{
			name: "page origin from the page's document when the request has no Origin or Referer", creator: "Playwright",
			pages: []map[string]string{{"id": "page_1", "title": "My app"}},
			entries: []entry{
				{method: "GET", url: page + "/", req: []string{"Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document"}, status: 200, extra: map[string]any{"_resourceType": "document"}},
				{method: "GET", url: api, status: -1, extra: fetchType, respExtra: map[string]any{"_failureText": "net::ERR_FAILED"}},
			},
			verdict: har.Blocked, missing: "no response for entry 1", originFrom: "the URL of its page in the HAR",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := archive(t, tt.creator, tt.pages, tt.entries...)
			rep, err := har.Judge(context.Background(), a, har.Options{Browser: tt.browser})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Requests) != 1 {
				t.Fatalf("%d cross-origin requests, want 1; skipped %+v", len(rep.Requests), rep.Skipped)
			}
			q := rep.Requests[0]
			if q.Verdict != tt.verdict || q.Reason != tt.reason {
				t.Errorf("verdict %s %s, want %s %s\n%+v", q.Verdict, q.Reason, tt.verdict, tt.reason, q)
			}
			if tt.console != nil && !slices.Equal(q.Console, tt.console) {
				t.Errorf("console\n got: %q\nwant: %q", q.Console, tt.console)
			}
			if tt.missing != "" && !slices.ContainsFunc(q.Missing, func(m string) bool { return strings.Contains(m, tt.missing) }) {
				t.Errorf("missing %q, want one that says %q", q.Missing, tt.missing)
			}
			if tt.missing == "" && len(q.Missing) > 0 {
				t.Errorf("missing %q, want nothing", q.Missing)
			}
			var alts []check.CorsError
			for _, al := range q.Alternatives {
				alts = append(alts, al.Reason)
			}
			if (tt.alternative == "") != (len(alts) == 0) || (tt.alternative != "" && !slices.Contains(alts, tt.alternative)) {
				t.Errorf("alternatives %v, want %q", alts, tt.alternative)
			}
			if !strings.Contains(q.Disagreement, tt.disagreement) || (tt.disagreement == "") != (q.Disagreement == "") {
				t.Errorf("disagreement %q, want %q", q.Disagreement, tt.disagreement)
			}
			if !strings.Contains(q.Explain, tt.explain) {
				t.Errorf("explain command %q, want it to contain %q", q.Explain, tt.explain)
			}
			if tt.originFrom != "" && q.OriginFrom != tt.originFrom {
				t.Errorf("origin from %q, want %q", q.OriginFrom, tt.originFrom)
			}
			if want := len(q.Missing) > 0 || len(q.Alternatives) > 0 || q.Disagreement != ""; q.Settle != want {
				t.Errorf("settle %v, want %v", q.Settle, want)
			}
		})
	}
}

func TestJudgeBrowser(t *testing.T) {
	a := archive(t, "Firefox", nil)
	if _, err := har.Judge(context.Background(), a, har.Options{Browser: check.AllBrowsers}); err == nil {
		t.Error("Judge with AllBrowsers: no error, want an InputError")
	}
	for creator, want := range map[string]check.Browser{"Firefox": check.Firefox, "WebInspector": check.Chromium, "WebKit Web Inspector": check.Safari, "Playwright": check.Chromium} {
		rep, err := har.Judge(context.Background(), archive(t, creator, nil), har.Options{})
		if err != nil || rep.Browser != want {
			t.Errorf("%s: judged as %s (%v), want %s", creator, rep.Browser, err, want)
		}
	}
}
