package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/corskit/cors/internal/difftest"
)

// The differential harness (package internal/difftest) against the real
// Chromium: each case runs in a tab and through check.Explain against the
// same two servers, and the verdict, Chromium's CorsError reason (from the
// DevTools protocol's Network.loadingFailed) and the console line must be
// identical.
//
// TestDifferential runs a live sample of the committed corpus (the first
// differentialLive cases) on every "make test". With DIFFTEST_RECORD set to
// a file, TestDifferentialRecord generates the whole corpus afresh, runs it
// in Chromium and writes Chromium's answers there ("make
// record-differential"); the root module's check tests replay that corpus
// without a browser.

const (
	differentialLive  = 160 // cases run live in Chromium by make test
	differentialCount = 320 // cases in a recorded corpus
	differentialSeed  = 156 // the seed of the committed corpus
	differentialTabs  = 4   // tabs at work at once
	differentialBatch = 10  // cases run one after the other in one tab
)

var corpusPath = filepath.Join("..", "internal", "difftest", "testdata", "chromium156.json")

// diffEnv is the page and the two API servers of many cases.
type diffEnv struct {
	*difftest.Servers
	origins difftest.Origins
	page    *httptest.Server
}

func newDiffEnv(t *testing.T) *diffEnv {
	s := difftest.NewServers()
	t.Cleanup(s.Close)
	return &diffEnv{Servers: s, origins: s.Origins, page: newPageServer(t)}
}

// diffTab is one tab that runs a batch of cases in turn (a tab per case
// would spend most of the time opening tabs).
type diffTab struct {
	ctx      context.Context
	mu       sync.Mutex
	corsErrs []string // CorsError of every Network.loadingFailed, in order
	lines    int      // CORS console lines seen so far
}

func (e *diffEnv) newTab(t *testing.T) (*diffTab, error) {
	tab := &diffTab{ctx: browser(t)}
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
	openPage(t, tab.ctx, e.page.URL)
	return tab, nil
}

// chromium runs c in tab and returns Chromium's verdict: whether the page
// could read the response, the CorsError of the failed load (DevTools
// protocol), and the console line.
func (e *diffEnv) chromium(tab *diffTab, c *difftest.Case) (difftest.Verdict, error) {
	ctx := tab.ctx
	tab.mu.Lock()
	errsBefore := len(tab.corsErrs)
	tab.mu.Unlock()
	spec, _ := json.Marshal(map[string]any{
		"api": c.API, "method": c.Method, "url": c.URL(e.origins), "headers": fieldPairs(c.Header),
		"body": c.Body, "credentials": c.Credentials, "upload": c.Upload,
	})
	var got struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := evalJSON(ctx, "return await ("+diffCallJS+")("+string(spec)+");", &got); err != nil {
		return difftest.Verdict{}, err
	}
	v := difftest.Verdict{Allowed: got.OK}
	want := tab.lines + 1
	if got.OK {
		want = tab.lines
	}
	all, err := waitCORSErrors(ctx, want)
	if err != nil {
		return v, err
	}
	lines := all[min(tab.lines, len(all)):]
	tab.lines = len(all)
	if got.OK {
		if len(lines) > 0 {
			return v, fmt.Errorf("allowed, yet CORS console lines %q", texts(lines))
		}
		return v, nil
	}
	if len(lines) != 1 {
		return v, fmt.Errorf("blocked (%s) with %d CORS console lines: %q", got.Error, len(lines), texts(lines))
	}
	v.Message = difftest.Normalize(lines[0].Text, e.origins, e.page.URL)
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
	return v, nil
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
  try {
    const r = await fetch(s.url, init);
    await r.arrayBuffer();
    return {ok: true};
  } catch (e) {
    return {ok: false, error: String(e)};
  }
}`

// checker runs c through check.Explain against the same servers.
func (e *diffEnv) checker(c *difftest.Case) (difftest.Verdict, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return difftest.Explain(ctx, e.Client(), c, e.origins, e.page.URL)
}

// runCases runs cases in Chromium, in batches of differentialBatch cases
// per tab and differentialTabs tabs at a time, and calls each with
// Chromium's and the checker's verdicts.
func runCases(t *testing.T, cases []difftest.Case, each func(t *testing.T, c *difftest.Case, inChromium, checker difftest.Verdict)) {
	if !engineSelected(chromium) {
		t.Skipf("the differential harness runs in Chromium, which is not among the selected engines (%s=%s)", engineEnv, os.Getenv(engineEnv))
	}
	requireBrowser(t)
	e := newDiffEnv(t)
	for i := range cases {
		e.Add(&cases[i])
	}
	sem := make(chan struct{}, differentialTabs)
	t.Run("batches", func(t *testing.T) {
		for start := 0; start < len(cases); start += differentialBatch {
			batch := cases[start:min(start+differentialBatch, len(cases))]
			t.Run(batch[0].ID, func(t *testing.T) {
				t.Parallel()
				sem <- struct{}{}
				defer func() { <-sem }()
				tab, err := e.newTab(t)
				if err != nil {
					t.Fatal(err)
				}
				for i := range batch {
					c := &batch[i]
					cv, err := e.chromium(tab, c)
					if err != nil {
						t.Fatalf("%s in Chromium: %v", c.ID, err)
					}
					kv, err := e.checker(c)
					if err != nil {
						t.Fatalf("%s: check.Explain: %v", c.ID, err)
					}
					each(t, c, cv, kv)
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
	cases := make([]difftest.Case, 0, differentialLive)
	for _, r := range corpus.Records[:min(differentialLive, len(corpus.Records))] {
		cases = append(cases, r.Case)
	}
	var mu sync.Mutex
	agree := 0
	runCases(t, cases, func(t *testing.T, c *difftest.Case, chromium, checker difftest.Verdict) {
		if chromium != checker {
			js, _ := json.Marshal(c)
			t.Errorf("%s: check.Explain disagrees with Chromium\n Chromium: %+v\n    check: %+v\n     case: %s", c.ID, chromium, checker, js)
			return
		}
		mu.Lock()
		agree++
		mu.Unlock()
	})
	t.Logf("%d of %d cases: check.Explain agrees with Chromium (verdict, reason and console line)", agree, len(cases))
}

// TestDifferentialRecord re-records the corpus (make record-differential).
func TestDifferentialRecord(t *testing.T) {
	out := os.Getenv("DIFFTEST_RECORD")
	if out == "" {
		t.Skip("set DIFFTEST_RECORD=path (make record-differential) to re-record the corpus")
	}
	cases := difftest.Generate(differentialSeed, differentialCount)
	corpus := &difftest.Corpus{Browser: chromiumVersion(), Seed: differentialSeed, Records: make([]difftest.Record, len(cases))}
	var mu sync.Mutex
	agree := 0
	runCases(t, cases, func(t *testing.T, c *difftest.Case, chromium, checker difftest.Verdict) {
		mu.Lock()
		defer mu.Unlock()
		for i := range cases {
			if cases[i].ID == c.ID {
				corpus.Records[i] = difftest.Record{Case: *c, Chromium: chromium}
			}
		}
		if chromium == checker {
			agree++
		} else {
			t.Logf("disagreement on %s\n Chromium: %+v\n    check: %+v", c.ID, chromium, checker)
		}
	})
	for i, r := range corpus.Records {
		if r.Case.ID == "" {
			t.Fatalf("case %d was not recorded", i)
		}
	}
	if err := corpus.Save(out); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d cases from %s into %s; check.Explain agrees on %d", len(cases), corpus.Browser, out, agree)
}

// chromiumVersion is the browser's product string, e.g. "Chromium/156.0.8078.114".
func chromiumVersion() string {
	out, err := execOutput(shared.path, "--version")
	if err != nil {
		return "Chromium (" + runtime.GOOS + ")"
	}
	return strings.TrimSpace(out)
}

func execOutput(name string, args ...string) (string, error) {
	b, err := exec.Command(name, args...).Output()
	return string(b), err
}
