package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/corskit/cors/e2e/internal/driver"
	"github.com/corskit/cors/internal/difftest"
)

// The differential harness (package internal/difftest) against the real
// browsers: each case runs in a page of one engine and through
// check.Explain, speaking for that engine, against the same two servers,
// and the verdict, the console lines and, in Chromium, the CorsError
// reason (from the DevTools protocol's Network.loadingFailed; the other
// engines' automation reports none) must be identical.
//
// TestDifferential runs a live sample of the committed corpus in every
// selected engine on every "make test": the first differentialLive[engine]
// cases. With DIFFTEST_RECORD set to a file, TestDifferentialRecord
// generates the whole corpus afresh, runs it in every selected engine and
// writes their answers there ("make record-differential"; ENGINE=firefox
// re-records Firefox's answers alone and keeps the others'); the root
// module's check tests replay that corpus without a browser.

// differentialLive is how many cases of the corpus each engine runs live
// in make test. Firefox waits a little after each case for console lines
// that come late, and WebKit runs two pages at a time, so they run fewer.
var differentialLive = map[engineName]int{chromium: 120, firefox: 80, webkit: 120}

// differentialTabs is how many pages of each engine work at once (WebKit
// has two browsers, each showing one page).
var differentialTabs = map[engineName]int{chromium: 4, firefox: 4, webkit: webkitBrowsers}

const (
	differentialCount = 480 // cases in a recorded corpus
	differentialSeed  = 156 // the seed of the committed corpus
	differentialBatch = 10  // cases run one after the other in one page
)

var corpusPath = filepath.Join("..", "internal", "difftest", "testdata", "differential.json")

// diffEnv is the servers of many cases: the two API origins and the
// page's own origin (P), which serves the page and the cases that start or
// pass there.
type diffEnv struct {
	*difftest.Servers
	origins difftest.Origins
}

func newDiffEnv(t *testing.T) *diffEnv {
	s := difftest.NewServers()
	s.SetPage(pageHandler)
	t.Cleanup(s.Close)
	return &diffEnv{Servers: s, origins: s.Origins}
}

// pageHandler serves the page the cases run from (pageHTML), as
// newPageServer does.
var pageHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, pageHTML)
})

// diffTab is one page that runs a batch of cases in turn (a page per case
// would spend most of the time opening pages).
type diffTab struct {
	ctx      context.Context
	eng      engineName
	mu       sync.Mutex
	corsErrs []string // Chromium: the CorsError of every Network.loadingFailed, in order
	lines    int      // console lines seen so far
}

func (e *diffEnv) newTab(t *testing.T, eng engineName) (*diffTab, error) {
	tab := &diffTab{ctx: openTab(t, eng), eng: eng}
	if eng == chromium {
		if err := chromedp.Listen(tab.ctx, func(ev any) {
			if lf, ok := ev.(*network.EventLoadingFailed); ok && lf.CorsErrorStatus != nil {
				tab.mu.Lock()
				tab.corsErrs = append(tab.corsErrs, string(lf.CorsErrorStatus.CorsError))
				tab.mu.Unlock()
			}
		}); err != nil {
			return nil, err
		}
		if _, err := chromedp.Call(tab.ctx, network.Enable, network.EnableParams{}); err != nil {
			return nil, err
		}
	}
	openPage(t, tab.ctx, e.origins.P+"/")
	tab.lines = len(consoleLines(tab.ctx))
	return tab, nil
}

// browser runs c in tab and returns what the engine did: whether the page
// could read the response, the CORS console lines the case caused and, in
// Chromium, the CorsError of the failed load. others receives every other
// line the case logged (for the recording's log).
func (e *diffEnv) browser(tab *diffTab, c *difftest.Case) (v difftest.Verdict, others []string, err error) {
	ctx := tab.ctx
	tab.mu.Lock()
	errsBefore := len(tab.corsErrs)
	tab.mu.Unlock()
	spec, _ := json.Marshal(map[string]any{
		"api": c.API, "method": c.Method, "url": c.URL(e.origins), "headers": fieldPairs(c.Header),
		"body": c.Body, "credentials": c.Credentials, "upload": c.Upload,
		"mode": c.Mode, "keepalive": c.Keepalive, "referrerPolicy": c.ReferrerPolicy,
		"sandboxed": c.Sandboxed, "cookie": map[bool]string{false: difftest.PageCookie}[c.Sandboxed],
	})
	var got struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	run := "return await (" + diffCallJS + ")(" + string(spec) + ");"
	if c.Sandboxed {
		run = "return await (" + diffSandboxedJS + ")(" + string(spec) + ", " + strconv.Quote(diffCallJS) + ");"
	}
	if err := evalJSON(ctx, run, &got); err != nil {
		return v, nil, err
	}
	v.Allowed = got.OK
	lines, err := caseLines(tab, c)
	if err != nil {
		return v, nil, err
	}
	for _, l := range lines {
		if isVerdictLine(tab.eng, l) {
			v.Console = append(v.Console, difftest.Normalize(l.Text, e.origins, e.origins.P))
		} else {
			others = append(others, l.Level+" "+l.Source+" "+l.Text)
		}
	}
	if tab.eng != chromium {
		return v, others, nil
	}
	if got.OK && len(v.Console) > 0 {
		return v, others, fmt.Errorf("Chromium: ok=%v (%s) with CORS console lines %q", got.OK, got.Error, v.Console)
	}
	if got.OK || !slices.ContainsFunc(v.Console, func(l string) bool { return strings.Contains(l, corsMarker) }) {
		return v, others, nil // no CORS error to wait for
	}
	// Network.loadingFailed can trail the console line a little.
	deadline := time.Now().Add(consoleSettle)
	for {
		tab.mu.Lock()
		n := len(tab.corsErrs)
		if n > errsBefore {
			v.Reason = tab.corsErrs[n-1]
		}
		tab.mu.Unlock()
		if n > errsBefore || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return v, others, nil
}

// isVerdictLine reports whether l belongs to an engine's verdict on a
// case: a CORS line (isCORSLine), or the error line with which the engine
// reports a request it refused to make or to follow, which is all a page's
// developer sees of it:
//   - Chromium: "Failed to load resource: net::ERR_…" (too many redirects,
//     an unsafe redirect), except net::ERR_FAILED, which follows every
//     CORS line, and "Fetch API cannot load …" (a request its mode
//     refuses);
//   - Firefox: "Security Error: Content at … may not load data from …";
//   - WebKit: "Fetch API cannot load ….", "XMLHttpRequest cannot load …."
//     (the same, without "due to access control checks").
func isVerdictLine(e engineName, l driver.Line) bool {
	if isCORSLine(e, l) {
		return true
	}
	if l.Level != "error" {
		return false
	}
	switch e {
	case chromium:
		return strings.HasPrefix(l.Text, "Failed to load resource: net::ERR_") && l.Text != "Failed to load resource: net::ERR_FAILED" ||
			strings.HasPrefix(l.Text, "Fetch API cannot load ")
	case firefox:
		return strings.HasPrefix(l.Text, "Security Error: Content at ")
	case webkit:
		return strings.HasPrefix(l.Text, "Fetch API cannot load ") || strings.HasPrefix(l.Text, "XMLHttpRequest cannot load ")
	}
	return false
}

// caseLines returns the console lines the last case logged, marker lines
// aside. Chromium and WebKit log a CORS line before the failing call
// settles, so the lines up to a console marker are the case's. Firefox
// may log them later: there the lines are the ones that name one of the
// case's URLs (every Firefox CORS line does), and caseLines waits until
// none has come for lateLines.
func caseLines(tab *diffTab, c *difftest.Case) ([]driver.Line, error) {
	ctx := tab.ctx
	if err := settleConsole(ctx); err != nil {
		return nil, err
	}
	all := consoleLines(ctx)
	if tab.eng == firefox {
		marker := "/d/" + c.ID + "/"
		count := func(ls []driver.Line) int {
			n := 0
			for _, l := range ls {
				if strings.Contains(l.Text, marker) {
					n++
				}
			}
			return n
		}
		deadline := time.Now().Add(consoleSettle)
		for n := count(all); time.Now().Before(deadline); {
			select {
			case <-time.After(lateLines):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			all = consoleLines(ctx)
			if m := count(all); m == n {
				break
			} else {
				n = m
			}
		}
		var out []driver.Line
		for _, l := range all[tab.lines:] {
			if strings.Contains(l.Text, marker) {
				out = append(out, l)
			}
		}
		tab.lines = len(all)
		return out, nil
	}
	var out []driver.Line
	for _, l := range all[tab.lines:] {
		if !strings.HasPrefix(l.Text, "e2e-settle-") {
			out = append(out, l)
		}
	}
	tab.lines = len(all)
	return out, nil
}

func fieldPairs(fs []difftest.Field) [][2]string {
	out := make([][2]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, [2]string{f.Name, f.Value})
	}
	return out
}

// diffCallJS makes one call with the request headers in the case's order
// (fetch takes the pairs as they are; XMLHttpRequest gets them in order).
const diffCallJS = `async (s) => {
  if (s.cookie) try { document.cookie = s.cookie; } catch (e) {}
  if (s.api === 'xhr') {
    return await new Promise((resolve) => {
      const x = new XMLHttpRequest();
      x.open(s.method, s.url);
      x.withCredentials = !!s.credentials;
      for (const [k, v] of s.headers) x.setRequestHeader(k, v);
      if (s.upload) x.upload.addEventListener('progress', () => {});
      x.onload = () => resolve({ok: true});
      x.onerror = () => resolve({ok: false, error: 'XMLHttpRequest error'});
      x.ontimeout = () => resolve({ok: false, error: 'timeout'});
      x.timeout = 15000;
      x.send(s.body ? s.body : null);
    });
  }
  const init = {method: s.method, headers: s.headers, credentials: s.credentials ? 'include' : 'same-origin'};
  if (s.body) init.body = s.body;
  if (s.mode) init.mode = s.mode;
  if (s.keepalive) init.keepalive = true;
  if (s.referrerPolicy) init.referrerPolicy = s.referrerPolicy;
  try {
    const r = await fetch(s.url, init);
    await r.arrayBuffer();
    return {ok: true};
  } catch (e) {
    return {ok: false, error: String(e)};
  }
}`

// diffSandboxedJS runs diffCallJS (call, its source) with spec s inside a
// new <iframe sandbox="allow-scripts"> of the page, whose origin is
// opaque, and resolves to its result.
const diffSandboxedJS = `(s, call) => new Promise((resolve) => {
  const id = 'sbx-' + Math.random();
  const f = document.createElement('iframe');
  f.setAttribute('sandbox', 'allow-scripts');
  const onMsg = (ev) => {
    if (!ev.data || ev.data.id !== id) return;
    window.removeEventListener('message', onMsg);
    f.remove();
    resolve(ev.data.result);
  };
  window.addEventListener('message', onMsg);
  const src = '(' + call + ')(' + JSON.stringify(s) + ').then(r => parent.postMessage({id: ' + JSON.stringify(id) + ', result: r}, "*"));';
  f.srcdoc = '<!doctype html><script>' + src.replace(/<\//g, '<\\/') + '<\/script>';
  document.body.appendChild(f);
})`

// checker runs c through check.Explain for eng against the same servers.
func (e *diffEnv) checker(c *difftest.Case, eng engineName) (difftest.Verdict, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return difftest.Explain(ctx, e.Client(), c, e.origins, e.origins.P, string(eng))
}

// caseResult is one case as an engine and the checker saw it.
type caseResult struct {
	c                *difftest.Case
	browser, checker difftest.Verdict
	others           []string // the case's other console lines
}

// both runs c in tab, then through check.Explain for eng. A checker error
// is reported as the checker's verdict, so that the disagreement shows with
// the browser's answer; a browser error is the error.
func (e *diffEnv) both(tab *diffTab, c *difftest.Case, eng engineName) (caseResult, error) {
	bv, others, err := e.browser(tab, c)
	if err != nil {
		return caseResult{}, fmt.Errorf("%s in %s: %v", c.ID, eng, err)
	}
	kv, err := e.checker(c, eng)
	if err != nil {
		kv = difftest.Verdict{Console: []string{"check.Explain failed: " + err.Error()}}
	}
	return caseResult{c: c, browser: bv, checker: kv, others: others}, nil
}

// runCases runs cases in eng, in batches of differentialBatch cases per
// page and differentialTabs[eng] pages at a time, and calls each with the
// engine's and the checker's verdicts.
func runCases(t *testing.T, eng engineName, cases []difftest.Case, each func(t *testing.T, r caseResult)) {
	e := newDiffEnv(t)
	for i := range cases {
		e.Add(&cases[i])
	}
	sem := make(chan struct{}, differentialTabs[eng])
	t.Run("batches", func(t *testing.T) {
		for start := 0; start < len(cases); start += differentialBatch {
			batch := cases[start:min(start+differentialBatch, len(cases))]
			t.Run(batch[0].ID, func(t *testing.T) {
				t.Parallel()
				sem <- struct{}{}
				defer func() { <-sem }()
				tab, err := e.newTab(t, eng)
				if err != nil {
					t.Fatal(err)
				}
				for i := range batch {
					r, err := e.both(tab, &batch[i], eng)
					if err != nil {
						t.Fatal(err)
					}
					each(t, r)
				}
			})
		}
	})
}

func TestDifferential(t *testing.T) {
	corpus, err := difftest.Load(corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	forEachEngine(t, func(t *testing.T, eng engineName) {
		n := min(differentialLive[eng], len(corpus.Records))
		cases := make([]difftest.Case, 0, n)
		recorded := map[string]difftest.Verdict{}
		for _, r := range corpus.Records[:n] {
			cases = append(cases, r.Case)
			if v := r.Verdict(string(eng)); v != nil {
				recorded[r.Case.ID] = *v
			}
		}
		if len(recorded) != n {
			t.Fatalf("the corpus has %s's answers for %d of the first %d cases: record them with make record-differential ENGINE=%s", eng, len(recorded), n, eng)
		}
		var mu sync.Mutex
		agree, changed := 0, 0
		runCases(t, eng, cases, func(t *testing.T, r caseResult) {
			js, _ := json.Marshal(r.c)
			if !r.browser.Equal(r.checker) {
				t.Errorf("%s: check.Explain disagrees with %s\n %8s: %s\n    check: %s\n     case: %s", r.c.ID, eng, eng, r.browser, r.checker, js)
			} else {
				mu.Lock()
				agree++
				mu.Unlock()
			}
			if !r.browser.Equal(recorded[r.c.ID]) {
				// The browser itself changed: the replay in make test
				// would then test the checker against an old answer.
				t.Errorf("%s: %s now answers %s, the corpus says %s (re-record with make record-differential ENGINE=%s)", r.c.ID, eng, r.browser, recorded[r.c.ID], eng)
				mu.Lock()
				changed++
				mu.Unlock()
			}
		})
		t.Logf("%s: check.Explain agrees on %d of %d cases (verdict, console lines%s); %d differ from the corpus",
			eng, agree, len(cases), map[bool]string{true: " and CorsError"}[eng == chromium], changed)
	})
}

// TestDifferentialRecord re-records the corpus (make record-differential):
// every case generated afresh, run in each selected engine. The answers of
// engines not selected are kept, which requires that the generator still
// makes the corpus's cases.
func TestDifferentialRecord(t *testing.T) {
	out := os.Getenv("DIFFTEST_RECORD")
	if out == "" {
		t.Skip("set DIFFTEST_RECORD=path (make record-differential) to re-record the corpus")
	}
	cases := difftest.Generate(differentialSeed, differentialCount)
	corpus := &difftest.Corpus{Browsers: map[string]string{}, Seed: differentialSeed, Records: make([]difftest.Record, len(cases))}
	for i := range cases {
		corpus.Records[i].Case = cases[i]
	}
	sel, err := selectedEngines()
	if err != nil {
		t.Fatal(err)
	}
	if old, err := difftest.Load(out); err == nil && len(sel) < len(allEngines) {
		same := old.Seed == corpus.Seed && len(old.Records) == len(cases)
		for i := 0; same && i < len(cases); i++ {
			a, _ := json.Marshal(old.Records[i].Case)
			b, _ := json.Marshal(cases[i])
			same = string(a) == string(b)
		}
		if !same {
			t.Fatalf("%s holds other cases than the generator makes now: record every engine (make record-differential without ENGINE)", out)
		}
		corpus.Browsers = old.Browsers
		for i := range corpus.Records {
			for _, eng := range allEngines {
				if v := old.Records[i].Verdict(string(eng)); v != nil && !slices.Contains(sel, eng) {
					corpus.Records[i].SetVerdict(string(eng), *v)
				}
			}
		}
	}
	index := map[string]int{}
	for i, c := range cases {
		index[c.ID] = i
	}
	forEachEngine(t, func(t *testing.T, eng engineName) {
		var mu sync.Mutex
		agree := 0
		runCases(t, eng, cases, func(t *testing.T, r caseResult) {
			mu.Lock()
			defer mu.Unlock()
			corpus.Records[index[r.c.ID]].SetVerdict(string(eng), r.browser)
			if r.browser.Equal(r.checker) {
				agree++
			} else {
				js, _ := json.Marshal(r.c)
				t.Logf("disagreement on %s\n %8s: %s\n    check: %s\n     case: %s", r.c.ID, eng, r.browser, r.checker, js)
			}
			if len(r.others) > 0 && (eng != chromium || len(r.browser.Console) == 0) {
				// Chromium's others are its "Failed to load resource"
				// lines; any other engine's are worth a look.
				t.Logf("%s: other console lines: %q", r.c.ID, r.others)
			}
		})
		if t.Failed() {
			return
		}
		corpus.Browsers[string(eng)] = browserVersion(t, eng)
		t.Logf("recorded %d cases from %s; check.Explain agrees on %d", len(cases), corpus.Browsers[string(eng)], agree)
	})
	for i, r := range corpus.Records {
		for _, eng := range sel {
			if r.Verdict(string(eng)) == nil {
				t.Fatalf("case %d (%s) was not recorded in %s", i, r.Case.ID, eng)
			}
		}
	}
	if err := corpus.Save(out); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", out)
}

// browserVersion names the browser of engine eng and its version, for the
// corpus: "Chromium 156.0.8078.114 …", "Mozilla Firefox 153.0…",
// "WebKitGTK 2.50.4".
func browserVersion(t *testing.T, eng engineName) string {
	var out string
	var err error
	switch eng {
	case chromium:
		out, err = execOutput(shared.path, "--version")
	case firefox:
		var p string
		if p, err = firefoxPath(); err == nil {
			out, err = execOutput(p, "--version")
		}
	case webkit:
		var py string
		if py, _, err = webkitPrereqs(); err == nil {
			out, err = execOutput(py, "-c", "import gi; gi.require_version('WebKit2', '4.1'); from gi.repository import WebKit2; print('WebKitGTK %d.%d.%d' % (WebKit2.get_major_version(), WebKit2.get_minor_version(), WebKit2.get_micro_version()))")
		}
	}
	if err != nil {
		t.Fatalf("the version of %s: %v", eng, err)
	}
	return strings.TrimSpace(out)
}

func execOutput(name string, args ...string) (string, error) {
	b, err := exec.Command(name, args...).Output()
	return string(b), err
}

// TestDifferentialProbe runs the cases of the JSON file DIFFTEST_PROBE (a
// list of difftest.Case) in each selected engine, one after the other, and
// logs, for each, what the engine concluded, what check.Explain
// concludes, and every request the servers got from the engine: the tool
// for finding out what an engine does when a recording surprises.
func TestDifferentialProbe(t *testing.T) {
	path := os.Getenv("DIFFTEST_PROBE")
	if path == "" {
		t.Skip("set DIFFTEST_PROBE=cases.json to run hand-made cases and see what each engine sends")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []difftest.Case
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	forEachEngine(t, func(t *testing.T, eng engineName) {
		e := newDiffEnv(t)
		var mu sync.Mutex
		seen := map[string][]string{}
		e.OnRequest(func(server string, r *http.Request) {
			if r.Header.Get("User-Agent") == "corscheck" {
				return
			}
			id := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/d/"), "/", 2)[0]
			var hs []string
			for _, k := range slices.Sorted(maps.Keys(r.Header)) {
				switch k {
				case "User-Agent", "Accept-Encoding", "Accept-Language", "Connection", "Sec-Ch-Ua", "Sec-Ch-Ua-Mobile", "Sec-Ch-Ua-Platform", "Pragma", "Cache-Control", "Priority", "Upgrade-Insecure-Requests":
					continue
				}
				hs = append(hs, k+": "+strings.Join(r.Header[k], " | "))
			}
			mu.Lock()
			seen[id] = append(seen[id], fmt.Sprintf("%s %s %s %q", server, r.Method, r.URL.RequestURI(), hs))
			mu.Unlock()
		})
		for i := range cases {
			e.Add(&cases[i])
		}
		tab, err := e.newTab(t, eng)
		if err != nil {
			t.Fatal(err)
		}
		for i := range cases {
			r, err := e.both(tab, &cases[i], eng)
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			reqs := seen[r.c.ID]
			mu.Unlock()
			t.Logf("%s %s\n  %8s: %s\n     check: %s\n    others: %q\n  requests:\n    %s", r.c.ID, map[bool]string{true: "AGREE", false: "DIFFER"}[r.browser.Equal(r.checker)], eng, r.browser, r.checker, r.others, strings.Join(reqs, "\n    "))
		}
	})
}
