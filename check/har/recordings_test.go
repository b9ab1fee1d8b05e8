package har_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/cors/check"
	"github.com/corskit/cors/check/har"
)

// recording is the sidecar e2e's TestRecordHAR writes beside the HAR files
// of one writer: each call the page made, what the page saw, and the CORS
// lines the browser printed (make record-har).
type recording struct {
	Writer  string `json:"writer"`
	Browser string `json:"browser"`
	HARs    []string
	Records []struct {
		Case        string   `json:"case"`
		Call        int      `json:"call"`
		Page        string   `json:"page"`
		API         string   `json:"api"` // fetch, xhr, or an element: image, font, module
		CrossOrigin string   `json:"crossOrigin"`
		Method      string   `json:"method"`
		URL         string   `json:"url"`
		Credentials bool     `json:"credentials"`
		Console     []string `json:"console"`
		Saw         struct {
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		} `json:"saw"`
	} `json:"records"`
}

// TestRecordings replays HAR files that real writers recorded of the e2e
// suite's conformance rows — Playwright's recordHar driving Chromium, and
// Firefox's DevTools export — and requires, for every call a page made,
// that corscheck's verdict is what the page saw, and that its console
// lines are, word for word, those the browser printed wherever the HAR
// keeps enough to know them. The expected values come from the browsers,
// not from this package.
func TestRecordings(t *testing.T) {
	for _, tc := range []struct {
		name    string
		browser check.Browser
		// everyLine: the writer keeps enough of every blocked request
		// for corscheck to give the browser's console lines (Firefox
		// does; Playwright keeps nothing of a blocked request but its
		// failure).
		everyLine bool
	}{
		{"playwright-chromium", check.Chromium, false},
		{"firefox", check.Firefox, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rec recording
			b, err := os.ReadFile(filepath.Join("testdata", tc.name+".json"))
			if err == nil {
				err = json.Unmarshal(b, &rec)
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rec.Records) < 100 {
				t.Fatalf("%d calls recorded, want the conformance rows' 100 and more", len(rec.Records))
			}
			// The requests of every HAR file, by URL, in the order made.
			byURL := map[string][]*har.Request{}
			for _, name := range rec.HARs {
				a, err := har.ReadFile(filepath.Join("testdata", name))
				if err != nil {
					t.Fatal(err)
				}
				rep, err := har.Judge(context.Background(), a, har.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if rep.Browser != tc.browser {
					t.Errorf("%s: judged as %s, want the recording browser %s", name, rep.Browser, tc.browser)
				}
				for _, s := range rep.Skipped {
					t.Errorf("%s: entry %d (%s %s) not judged: %s", name, s.Entry, s.Method, s.URL, s.Why)
				}
				for _, q := range rep.Requests {
					byURL[q.URL] = append(byURL[q.URL], q)
				}
			}
			verdicts, lines, unknown, elements, sameOriginStart := 0, 0, 0, 0, 0
			for _, r := range rec.Records {
				qs := byURL[r.URL]
				if len(qs) == 0 {
					t.Errorf("%s call %d: %s %s is not among the HAR's cross-origin requests", r.Case, r.Call, r.Method, r.URL)
					continue
				}
				q := qs[0]
				byURL[r.URL] = qs[1:]
				var v har.Verdict
				var console []string
				switch r.API {
				case "fetch", "xhr":
					initiator := check.Fetch
					if r.API == "xhr" {
						initiator = check.XHR
					}
					v, console = branch(q, r.Credentials, initiator)
				default:
					elements++
					// An element: its crossorigin attribute sets the
					// credentials mode; whether a script is a module the
					// HAR does not tell.
					v, console = branchWhere(q, func(a har.Assumption) bool {
						return (a.CredentialsKnown || a.Credentials == r.Credentials) && (!a.ModuleUnknown || a.Module == (r.API == "module"))
					})
				}
				if strings.HasPrefix(r.URL, r.Page+"/") {
					sameOriginStart++
				}
				if q.PageOrigin != r.Page && q.OriginFrom == "the request's Origin header" {
					t.Errorf("%s: page origin %s, the page was on %s", r.Case, q.PageOrigin, r.Page)
				}
				switch {
				case v == har.Allowed && r.Saw.OK, v == har.Blocked && !r.Saw.OK:
					verdicts++
				default:
					t.Errorf("%s call %d: corscheck says %s, the page saw ok=%v (%s)\n%+v", r.Case, r.Call, v, r.Saw.OK, r.Saw.Error, q)
				}
				if q.Disagreement != "" {
					t.Errorf("%s call %d: corscheck disagrees with the recording: %s", r.Case, r.Call, q.Disagreement)
				}
				if r.Call > 1 {
					continue // the row's lines are on its first call
				}
				switch {
				case v == har.Allowed && len(r.Console) > 0:
					t.Errorf("%s: allowed, but the browser printed %q", r.Case, r.Console)
				case v == har.Blocked && len(console) == 0:
					if len(q.Missing) == 0 {
						t.Errorf("%s: blocked without a console line, yet nothing is said to be missing from the HAR", r.Case)
					}
					unknown++
				case v == har.Blocked:
					if !slices.Equal(console, r.Console) {
						t.Errorf("%s: console lines\n got: %q\nwant: %q", r.Case, console, r.Console)
					} else {
						lines += len(console)
					}
				}
			}
			for u, qs := range byURL {
				for _, q := range qs {
					t.Errorf("the HAR has a cross-origin request no page call made: %s %s (entries %v)", q.Method, u, q.Entries)
				}
			}
			// The families the judging learned after the first
			// recordings (e2e harFamilies): element loads, and requests
			// a redirect takes from the page's origin to another.
			if elements < 10 || sameOriginStart < 4 {
				t.Errorf("%d element loads and %d requests starting on the page's origin recorded, want the 11 and 4 of e2e harFamilies", elements, sameOriginStart)
			}
			if tc.everyLine && unknown > 0 {
				t.Errorf("%d blocked calls without the browser's console lines: %s keeps enough for all", unknown, rec.Writer)
			}
			t.Logf("%s (%s): %d verdicts equal the page's (%d element loads, %d starting on the page's origin), %d console lines equal the browser's, %d blocked calls whose reason the HAR does not keep",
				rec.Writer, rec.Browser, verdicts, elements, sameOriginStart, lines, unknown)
		})
	}
}

// branch returns q's verdict and console lines for a request made with
// these credentials and this API: q's own when its assumptions are those
// (or the HAR recorded them), else the alternative for them, else q's (no
// alternative means the verdict does not depend on them).
func branch(q *har.Request, creds bool, initiator check.Initiator) (har.Verdict, []string) {
	return branchWhere(q, func(a har.Assumption) bool {
		return (a.CredentialsKnown || a.Credentials == creds) && (a.InitiatorKnown || a.Initiator == "" || a.Initiator == initiator)
	})
}

// branchWhere returns the verdict and lines of q's first outcome (q's
// own, then its alternatives) whose assumption fits, else q's.
func branchWhere(q *har.Request, fits func(har.Assumption) bool) (har.Verdict, []string) {
	if fits(q.Assumed) {
		return q.Verdict, q.Console
	}
	for _, a := range q.Alternatives {
		if fits(a.Assumed) {
			return a.Verdict, a.Console
		}
	}
	return q.Verdict, q.Console
}
