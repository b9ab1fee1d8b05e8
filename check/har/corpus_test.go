package har_test

import (
	"context"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/corskit/cors/check"
	"github.com/corskit/cors/check/har"
	"github.com/corskit/cors/internal/difftest"
	"github.com/corskit/cors/internal/fetch"
)

// TestDifferentialSameOriginStart judges, from HAR files, the corpus cases
// whose request starts on the page's own origin (internal/difftest, the
// family a redirect makes cross-origin), and requires the verdict and the
// console lines each browser gave for the case when it was recorded. Each
// HAR holds what the servers answered to the requests a browser makes, as
// Firefox's export records them: every hop, every preflight, every
// response, and, after a preflight that failed, the request it stopped,
// with status 0; each entry's _resourceType names the API, as Chrome's
// writers record it, so that only the credentials mode is left open (the
// Cookie on a hop to another origin proves it, its absence does not). The
// expected values come from the browsers (the corpus), not from this
// package.
func TestDifferentialSameOriginStart(t *testing.T) {
	corpus, err := difftest.Load(filepath.Join("..", "..", "internal", "difftest", "testdata", "differential.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := difftest.NewServers()
	defer srv.Close()
	var cases []difftest.Record
	for _, r := range corpus.Records {
		// A sandboxed page's HAR shows its creator's URL, and a mode the
		// HAR cannot show: left to TestDifferentialCorpus.
		if c := r.Case; c.Start == "P" && !c.Sandboxed && c.Mode == "" {
			srv.Add(&r.Case)
			cases = append(cases, r)
		}
	}
	if len(cases) < 50 {
		t.Fatalf("%d cases start on the page's origin, want at least 50", len(cases))
	}
	o, page := srv.Origins, srv.Origins.P
	for _, engine := range difftest.Engines {
		t.Run(engine, func(t *testing.T) {
			crossed, stayed := 0, 0
			for _, r := range cases {
				want := r.Verdict(engine)
				if want == nil {
					continue
				}
				c := r.Case
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				a, err := recordHAR(ctx, t, srv.Client(), c.Request(o, page, engine), page, c.API)
				if err != nil {
					cancel()
					t.Errorf("%s: %v", c.ID, err)
					continue
				}
				rep, err := har.Judge(ctx, a, har.Options{Browser: check.Browser(engine)})
				cancel()
				if err != nil {
					t.Fatalf("%s: %v", c.ID, err)
				}
				for _, s := range rep.Skipped {
					t.Errorf("%s: entry %d not judged: %s", c.ID, s.Entry, s.Why)
				}
				if len(rep.Requests) == 0 {
					// It never left the page's origin.
					if !want.Allowed || rep.Summary.NotCrossOrigin != 1 {
						t.Errorf("%s: not a cross-origin request for corscheck har; %s: %s", c.ID, engine, want)
					}
					stayed++
					continue
				}
				q := rep.Requests[0]
				initiator := check.Fetch
				if c.API == "xhr" {
					initiator = check.XHR
				}
				v, console := branch(q, c.Credentials, initiator)
				got := difftest.Verdict{Allowed: v == har.Allowed}
				for _, l := range console {
					got.Console = append(got.Console, difftest.Normalize(l, o, page))
				}
				want.Reason = "" // a HAR names no CorsError, and the verdict and lines are what is judged
				if len(rep.Requests) != 1 || v != har.Allowed && v != har.Blocked || !got.Equal(*want) {
					t.Errorf("%s: corscheck har says %s %s, %s said %s\n%+v", c.ID, v, got, engine, want, q)
				}
				crossed++
			}
			t.Logf("%s: %d requests redirected to another origin judged from their HAR as the browser did, %d that stayed on the page's origin", engine, crossed, stayed)
		})
	}
}

// recordHAR makes req live with check.Explain against the corpus servers,
// and writes what went over the wire as Firefox's HAR export does; api,
// when not "", is the _resourceType of each request.
func recordHAR(ctx context.Context, t *testing.T, client *http.Client, req check.Request, page, api string) (*har.Archive, error) {
	res, err := check.Explain(ctx, client, req)
	if err != nil {
		return nil, err
	}
	var es []entry
	for _, ex := range res.Exchanges {
		e := entry{method: ex.Method, url: ex.URL, status: ex.Status, body: ex.Body, hasBody: ex.Kind == check.ActualRequest && ex.Body != ""}
		e.req = append(fields(ex.RequestHeader), "Referer", page+"/")
		e.resp = fields(ex.Header)
		if ex.Kind == check.ActualRequest && api != "" {
			e.extra = map[string]any{"_resourceType": api}
		}
		es = append(es, e)
	}
	if n := len(res.Exchanges); !res.Allowed && res.Stage == check.StagePreflight && n > 0 {
		// Firefox records the request a failed preflight stopped: its
		// method and the Origin it would carry, no response.
		p := res.Exchanges[n-1]
		es = append(es, entry{method: p.RequestHeader.Get(fetch.HeaderRequestMethod), url: p.URL,
			req:   []string{"Origin", p.RequestHeader.Get(fetch.HeaderOrigin), "Referer", page + "/"},
			extra: map[string]any{"_resourceType": api}})
	}
	return archive(t, "Firefox", []map[string]string{{"id": "page_1", "title": page + "/"}}, es...), nil
}

// fields lists h as name, value pairs, names sorted.
func fields(h http.Header) []string {
	var kv []string
	for _, name := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[name] {
			kv = append(kv, name, v)
		}
	}
	return kv
}
