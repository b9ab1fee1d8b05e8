// Package e2e is corskit's real-browser suite: it drives a headless Chromium
// through the DevTools protocol (chromedp) and checks what a page really sees
// when it calls an API on another origin.
//
// This file is the shared harness. Every test file of the package may use it:
//
//   - browser(t) opens a fresh tab in the one Chromium the package shares,
//     and records that tab's console;
//   - newPageServer and newAPIServer start loopback servers: the page origin
//     and the API origin, which must differ; the API server records every
//     request it gets (method, path, Origin, Cookie, preflight headers), so a
//     test can count preflights;
//   - openPage navigates a tab, evalJSON runs an async JavaScript snippet in
//     it and decodes its JSON result, call runs one fetch or XHR described in
//     Go (optionally from a sandboxed iframe, whose origin is "null");
//   - consoleMessages, corsErrors and waitCORSErrors read what Chromium wrote
//     to the console, and parseCORSMessage splits a "has been blocked by CORS
//     policy" line into its parts.
//
// Chromium is found through $CHROMIUM, then chromium, chromium-browser,
// google-chrome and google-chrome-stable on $PATH. Without it every test
// that calls browser is skipped, with a message, except when CI=true: a
// missing browser then fails the test.
package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/corskit/cors/e2e/internal/driver"
)

// Bounds on everything that waits, so a hung browser fails a test instead of
// the whole run.
const (
	browserStartTimeout = 3 * time.Minute        // launching a browser: seconds idle, far more beside other builds
	tabTimeout          = 60 * time.Second       // everything one tab does, from browser(t) on
	consoleSettle       = 5 * time.Second        // waiting for console lines to arrive
	lateLines           = 300 * time.Millisecond // Firefox: quiet time after the expected lines
)

// shared is the one browser of the package, started on first use and stopped
// by TestMain.
var shared struct {
	once    sync.Once
	path    string             // the executable, "" if none was found
	lookErr error              // why none was found
	ctx     context.Context    // the browser's root chromedp context
	cancel  context.CancelFunc // stops the browser and removes its profile
	err     error              // start failure
	dir     string             // the --user-data-dir
	group   *driver.Group      // Chromium's process group, under its supervisor
}

func TestMain(m *testing.M) {
	sel, err := selectedEngines()
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		os.Exit(2)
	}
	for _, e := range sel {
		var why error
		if e == chromium {
			if p, err := chromiumPath(); err != nil {
				why = err
			} else {
				shared.path = p
			}
		} else {
			_, why = findEngine(e)
		}
		switch {
		case why == nil:
			fmt.Fprintf(os.Stderr, "e2e: engine=%s: will run\n", e)
		case os.Getenv("CI") == "true":
			fmt.Fprintf(os.Stderr, "e2e: FAIL: engine=%s: %v (CI=true: the real-browser suite must run)\n", e, why)
		default:
			fmt.Fprintf(os.Stderr, "e2e: SKIPPING engine=%s: %v\n", e, why)
		}
	}
	stopWatch := func() {}
	if launcherMode() {
		launchAndReport()
	} else {
		stopWatch = suiteProgress.watch(os.Stderr, progressEvery, stallLimit)
	}
	code := m.Run()
	stopWatch()
	stopBrowser()
	stopEngines()
	suiteProgress.summary(os.Stderr)
	os.Exit(code)
}

// chromiumPath finds the browser: $CHROMIUM if set, else the first of
// chromium, chromium-browser, google-chrome, google-chrome-stable on $PATH.
func chromiumPath() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		full, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("CHROMIUM=%q is not an executable: %w", p, err)
		}
		return full, nil
	}
	names := []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium found (looked for $CHROMIUM, then %s on $PATH)", strings.Join(names, ", "))
}

// requireBrowser skips t (or fails it under CI=true) when there is no
// Chromium, and fails it when Chromium did not start. It returns the shared
// browser's root context.
func requireBrowser(t testing.TB) context.Context {
	t.Helper()
	if shared.path == "" {
		if shared.lookErr == nil {
			_, shared.lookErr = chromiumPath()
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and the real-browser suite cannot run: %v", shared.lookErr)
		}
		t.Skipf("skipping real-browser test: %v (install chromium or set CHROMIUM)", shared.lookErr)
	}
	shared.once.Do(startBrowser)
	if shared.err != nil {
		t.Fatalf("starting %s: %v", shared.path, shared.err)
	}
	return shared.ctx
}

// startBrowser launches the shared Chromium with a fresh profile.
func startBrowser() {
	dir, err := os.MkdirTemp("", "corskit-e2e-profile-")
	if err != nil {
		shared.err = err
		return
	}
	shared.dir = dir
	actx, acancel := chromedp.NewExecAllocator(context.Background(), chromiumOptions(dir)...)
	bctx, bcancel := chromedp.NewContext(actx)
	shared.cancel = func() { bcancel(); acancel() }
	start, cancel := context.WithTimeout(bctx, browserStartTimeout)
	defer cancel()
	// chromedp binds the browser's life to the context of the first Run, so
	// run on bctx itself and bound the wait with a timer.
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(bctx) }()
	select {
	case err = <-done:
	case <-start.Done():
		err = fmt.Errorf("browser did not start within %v", browserStartTimeout)
	}
	if g, ok := chromiumGroups.Load(dir); ok {
		shared.group = g.(*driver.Group)
	}
	if err != nil {
		shared.err = err
		shared.cancel()
		return
	}
	shared.ctx = bctx
}

// chromiumOptions are the command line of the suite's Chromium, with its
// profile in dir (TestLNA starts one of its own with more flags).
func chromiumOptions(dir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(shared.path),
		chromedp.Headless,
		chromedp.NoSandbox, // the suite may run as root (containers, CI)
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(dir),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("disable-popup-blocking", true),
		// Keep sandboxed iframes (origin "null") in their parent's process, so
		// their console lines reach the tab's DevTools session.
		chromedp.Flag("disable-features", "IsolateSandboxedIframes"),
		// Names under .test resolve to loopback, for tests that need hosts
		// that *.localhost cannot express. *.localhost works without it.
		chromedp.Flag("host-resolver-rules", "MAP *.test 127.0.0.1"),
		// Under a supervisor, like every browser of the suite, so that
		// Chromium's zygote and renderers die with the test however it
		// ends, and its profile goes (driver.Supervise). chromedp starts
		// it from a goroutine locked to its thread until it exits, as
		// Supervise requires; a failure to supervise fails the start.
		chromedp.ModifyCmdFunc(func(cmd *exec.Cmd) {
			g, err := driver.Supervise(cmd, dir)
			if err == nil {
				chromiumGroups.Store(dir, g)
			}
		}),
	}
}

// chromiumGroups maps the profile directory of each Chromium the suite
// started to its process group (a *driver.Group).
var chromiumGroups sync.Map

// stopBrowser stops the shared browser, if it was started, and removes its
// profile.
func stopBrowser() {
	if shared.cancel != nil {
		shared.cancel()
	}
	if shared.group != nil {
		shared.group.Kill()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
}

// browser opens a new tab (a new target) in the shared Chromium and returns
// its context, bounded by tabTimeout. The tab's console is recorded from the
// start (see consoleLines); the tab closes when t ends. Each call gives a
// new tab, so a test can use several origins or run cases in parallel. The
// context also works with chromedp's actions. openTab does the same in any
// engine.
func browser(t testing.TB) context.Context {
	t.Helper()
	if !engineSelected(chromium) {
		t.Skipf("Chromium is not among the selected engines (%s=%s)", engineEnv, os.Getenv(engineEnv))
	}
	root := requireBrowser(t)
	tctx, tcancel := chromedp.NewContext(root)
	ctx, cancel := context.WithTimeout(tctx, tabTimeout)
	t.Cleanup(func() { cancel(); tcancel() })
	if err := chromedp.Do(ctx); err != nil { // creates the target
		t.Fatalf("opening a tab: %v", err)
	}
	p := &chromiumPage{ctx: ctx, console: driver.NewConsole()}
	msgs := chromedp.Console(ctx) // subscribes now
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			p.console.Add(driver.Line{Level: string(m.Type), Source: m.Source, Text: m.Text})
		}
	}()
	return withPage(t, ctx, chromium, p)
}

// chromiumPage is a chromedp tab seen as a driver.Page.
type chromiumPage struct {
	ctx     context.Context
	console *driver.Console
}

func (p *chromiumPage) Navigate(ctx context.Context, url string) error {
	return chromedp.Do(ctx, chromedp.Navigate(url))
}

func (p *chromiumPage) Eval(ctx context.Context, body string) (json.RawMessage, error) {
	expr := "(async () => {\n" + body + "\n})().then(v => JSON.stringify(v === undefined ? null : v))"
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	return json.RawMessage(s), err
}

func (p *chromiumPage) Console() *driver.Console { return p.console }
func (p *chromiumPage) Close() error             { return nil } // browser(t)'s cleanup closes it

// tab is what a test context carries: the engine and its page.
type tab struct {
	engine engineName
	page   driver.Page
}

type tabKey struct{}

// withPage makes ctx carry the page p of engine e, which t has opened: one
// case of the suite, counted by its progress from now until t ends.
func withPage(t testing.TB, ctx context.Context, e engineName, p driver.Page) context.Context {
	t.Cleanup(suiteProgress.begin(t.Name(), e))
	return context.WithValue(ctx, tabKey{}, &tab{engine: e, page: p})
}

func tabOf(ctx context.Context) *tab {
	tb, _ := ctx.Value(tabKey{}).(*tab)
	if tb == nil {
		panic("e2e: context does not come from browser(t) or openTab")
	}
	return tb
}

// consoleLines returns every console line of the tab so far: console API
// calls, uncaught exceptions and the engine's own messages (CORS errors
// among them).
func consoleLines(ctx context.Context) []driver.Line {
	return tabOf(ctx).page.Console().Lines()
}

// settleConsole writes a unique marker with console.log and waits until it
// has been recorded. Chromium and WebKit log a CORS error before the failing
// fetch or XHR settles, so once a snippet has returned and the marker is in,
// its CORS lines are in too. Firefox may log them later: waitCORSErrors
// waits for them.
func settleConsole(ctx context.Context) error {
	marker := fmt.Sprintf("e2e-settle-%d", time.Now().UnixNano())
	if err := evalJSON(ctx, fmt.Sprintf("console.log(%q)", marker), nil); err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, consoleSettle)
	defer cancel()
	_, err := tabOf(ctx).page.Console().Wait(wctx, func(ls []driver.Line) bool {
		for i := len(ls) - 1; i >= 0; i-- {
			if ls[i].Text == marker {
				return true
			}
		}
		return false
	})
	if err != nil {
		return fmt.Errorf("console marker not seen within %v", consoleSettle)
	}
	return nil
}

// corsMessage is one "has been blocked by CORS policy" console line, split as
// Chromium builds it:
//
//	Access to <Kind> at '<URL>' [(redirected from '<RedirectedFrom>') ]from origin '<Origin>' has been blocked by CORS policy: [Response to preflight request doesn't pass access control check: ]<Reason>
type corsMessage struct {
	Text           string // the whole line
	Kind           string // "fetch", "XMLHttpRequest", "script", …
	URL            string // the URL that failed (after redirects)
	RedirectedFrom string // the URL first requested, if redirected
	Origin         string // the page's origin, "null" for opaque ones
	Preflight      bool   // the "Response to preflight request…" prefix was present
	Reason         string // the text after the prefix
}

const (
	corsMarker      = "has been blocked by CORS policy: "
	preflightPrefix = "Response to preflight request doesn't pass access control check: "
)

var corsLineRE = regexp.MustCompile(`^Access to (.+?) at '([^']*)' (?:\(redirected from '([^']*)'\) )?from origin '([^']*)' has been blocked by CORS policy: (.*)$`)

// parseCORSMessage splits a Chromium CORS console line; ok is false if text
// is not one.
func parseCORSMessage(text string) (m corsMessage, ok bool) {
	g := corsLineRE.FindStringSubmatch(text)
	if g == nil {
		return corsMessage{}, false
	}
	m = corsMessage{Text: text, Kind: g[1], URL: g[2], RedirectedFrom: g[3], Origin: g[4], Reason: g[5]}
	if r, ok := strings.CutPrefix(m.Reason, preflightPrefix); ok {
		m.Preflight, m.Reason = true, r
	}
	return m, true
}

// corsErrors returns the tab's CORS console lines so far, in order. In
// Chromium they are parsed (see corsMessage); in Firefox and WebKit only
// Text is set (see isCORSLine).
func corsErrors(ctx context.Context) []corsMessage {
	e := tabOf(ctx).engine
	var out []corsMessage
	for _, l := range consoleLines(ctx) {
		if !isCORSLine(e, l) {
			continue
		}
		if e != chromium {
			out = append(out, corsMessage{Text: l.Text})
		} else if c, ok := parseCORSMessage(l.Text); ok {
			out = append(out, c)
		} else {
			out = append(out, corsMessage{Text: l.Text, Reason: l.Text[strings.Index(l.Text, corsMarker)+len(corsMarker):]})
		}
	}
	return out
}

// waitCORSErrors settles the console and returns the tab's CORS lines,
// waiting up to consoleSettle for at least n of them. In Firefox, which
// may log them after the promise has settled, it then waits lateLines
// more for any further line, so that a test comparing the whole list sees
// every line.
func waitCORSErrors(ctx context.Context, n int) ([]corsMessage, error) {
	if err := settleConsole(ctx); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(consoleSettle)
	for {
		got := corsErrors(ctx)
		if len(got) >= n || time.Now().After(deadline) {
			break
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			return got, ctx.Err()
		}
	}
	if tabOf(ctx).engine == firefox {
		select {
		case <-time.After(lateLines):
		case <-ctx.Done():
			return corsErrors(ctx), ctx.Err()
		}
	}
	return corsErrors(ctx), nil
}

// pageHTML is what newPageServer serves: a blank page that defines the
// request helpers (see helpersJS).
const pageHTML = `<!doctype html><html><head><meta charset="utf-8"><title>corskit e2e</title>
<link rel="icon" href="data:,"><script>` + helpersJS + `</script></head><body></body></html>`

// newPageServer starts the page origin: an HTTP server on 127.0.0.1 that
// answers every GET with pageHTML. Reach it as srv.URL (http://127.0.0.1:P)
// or under another loopback name with originOf(srv, "app.localhost").
func newPageServer(t testing.TB) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprint(w, pageHTML)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// originOf returns http://host:PORT for srv's port, e.g.
// originOf(srv, "api.localhost"). Chromium resolves every *.localhost name
// to loopback itself, and *.test names through --host-resolver-rules.
func originOf(srv *httptest.Server, host string) string {
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	return "http://" + net.JoinHostPort(host, port)
}

// apiRequest is what the API server saw of one request.
type apiRequest struct {
	Method, Path string
	Origin       string // "" when absent
	Cookie       string
	ACRM, ACRH   string // Access-Control-Request-Method / -Headers
	Header       http.Header
}

// Preflight reports whether r was a CORS preflight.
func (r apiRequest) Preflight() bool {
	return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
}

// apiServer is the API origin: it records each request, then hands it to
// the handler under test.
type apiServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []apiRequest
}

// newAPIServer starts h on 127.0.0.1, recording every request before h sees
// it. Give each test case its own path prefix (or its own server): Chromium
// caches preflights per origin and URL.
func newAPIServer(t testing.TB, h http.Handler) *apiServer {
	t.Helper()
	s := &apiServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, apiRequest{
			Method: r.Method, Path: r.URL.Path,
			Origin: r.Header.Get("Origin"), Cookie: r.Header.Get("Cookie"),
			ACRM: r.Header.Get("Access-Control-Request-Method"), ACRH: r.Header.Get("Access-Control-Request-Headers"),
			Header: r.Header.Clone(),
		})
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// requests returns the recorded requests whose path starts with prefix.
func (s *apiServer) requests(prefix string) []apiRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []apiRequest
	for _, r := range s.reqs {
		if strings.HasPrefix(r.Path, prefix) {
			out = append(out, r)
		}
	}
	return out
}

// preflights counts the preflights (OPTIONS with
// Access-Control-Request-Method) under prefix.
func (s *apiServer) preflights(prefix string) int {
	n := 0
	for _, r := range s.requests(prefix) {
		if r.Preflight() {
			n++
		}
	}
	return n
}

// actuals returns the requests under prefix that were not preflights.
func (s *apiServer) actuals(prefix string) []apiRequest {
	var out []apiRequest
	for _, r := range s.requests(prefix) {
		if !r.Preflight() {
			out = append(out, r)
		}
	}
	return out
}

// openPage navigates the tab to url and waits for it to load.
func openPage(t testing.TB, ctx context.Context, url string) {
	t.Helper()
	if err := tabOf(ctx).page.Navigate(ctx, url); err != nil {
		t.Fatalf("navigating to %s: %v", url, err)
	}
}

// evalJSON runs body, the body of an async JavaScript function (it may use
// await and must return a JSON-serialisable value), in the tab's page and
// decodes the result into out (which may be nil). A thrown exception is an
// error.
func evalJSON(ctx context.Context, body string, out any) error {
	s, err := tabOf(ctx).page.Eval(ctx, body)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(s, out)
}

// request describes one cross-origin call a page makes.
type request struct {
	API            string            // "fetch" (default) or "xhr"
	Method         string            // as the script writes it; "" means GET
	URL            string            // absolute
	Headers        map[string]string // request headers the script sets
	Body           string            // sent if not ""
	Credentials    bool              // fetch credentials:'include' / xhr.withCredentials
	UploadListener bool              // xhr: add an upload progress listener (forces a preflight)
	ReadHeaders    []string          // response headers the script tries to read
	Sandboxed      bool              // run from a sandboxed iframe (origin "null")
	SetCookie      string            // document.cookie assignment made first, e.g. "sid=1; path=/"
}

// result is what the page saw.
type result struct {
	OK      bool               `json:"ok"` // the call completed (no network error)
	Status  int                `json:"status"`
	Body    string             `json:"body"`
	Headers map[string]*string `json:"headers"` // ReadHeaders: value, or nil if unreadable
	Error   string             `json:"error"`   // the error the script got, e.g. "TypeError: Failed to fetch"
}

// call makes req from the tab's page (which must come from newPageServer, or
// define helpersJS itself) and returns what the script saw.
func call(ctx context.Context, req request) (result, error) {
	spec, err := json.Marshal(req.spec())
	if err != nil {
		return result{}, err
	}
	fn := "corsE2E.run"
	if req.Sandboxed {
		fn = "corsE2E.runSandboxed"
	}
	var res result
	err = evalJSON(ctx, "return await "+fn+"("+string(spec)+");", &res)
	return res, err
}

// spec is req as corsE2E.run takes it (see helpersJS).
func (req request) spec() map[string]any {
	return map[string]any{
		"api": req.API, "method": req.Method, "url": req.URL, "headers": req.Headers, "body": req.Body,
		"credentials": req.Credentials, "upload": req.UploadListener, "read": req.ReadHeaders, "cookie": req.SetCookie,
	}
}

// helpersJS defines window.corsE2E in a page:
//
//	corsE2E.run(spec)           makes one fetch or XHR, resolves to a result
//	corsE2E.runSandboxed(spec)  the same from a new <iframe sandbox="allow-scripts">
//
// spec has the fields of request in lower case (api, method, url, headers,
// body, credentials, upload, read, cookie). Failures resolve, never reject.
const helpersJS = `
window.corsE2EFactory = () => {
  const readHeaders = (get, names) => {
    const out = {};
    for (const n of names || []) out[n] = get(n);
    return out;
  };
  const viaFetch = async (s) => {
    const init = {method: s.method || 'GET', headers: s.headers || {}, credentials: s.credentials ? 'include' : 'same-origin'};
    if (s.body) init.body = s.body;
    try {
      const r = await fetch(s.url, init);
      const body = await r.text();
      return {ok: true, status: r.status, body, headers: readHeaders(n => r.headers.get(n), s.read)};
    } catch (e) {
      return {ok: false, status: 0, body: '', headers: null, error: String(e)};
    }
  };
  const viaXHR = (s) => new Promise((resolve) => {
    const x = new XMLHttpRequest();
    x.open(s.method || 'GET', s.url);
    x.withCredentials = !!s.credentials;
    for (const [k, v] of Object.entries(s.headers || {})) x.setRequestHeader(k, v);
    if (s.upload) x.upload.addEventListener('progress', () => {});
    x.onload = () => resolve({ok: true, status: x.status, body: x.responseText,
      headers: readHeaders(n => x.getResponseHeader(n), s.read)});
    x.onerror = () => resolve({ok: false, status: x.status, body: '', headers: null, error: 'XMLHttpRequest error'});
    x.ontimeout = () => resolve({ok: false, status: 0, body: '', headers: null, error: 'XMLHttpRequest timeout'});
    x.timeout = 15000;
    x.send(s.body ? s.body : null);
  });
  const run = (s) => {
    if (s.cookie) document.cookie = s.cookie;
    return s.api === 'xhr' ? viaXHR(s) : viaFetch(s);
  };
  let seq = 0;
  const runSandboxed = (s) => new Promise((resolve) => {
    const id = 'sbx' + (++seq) + '-' + Date.now();
    const f = document.createElement('iframe');
    f.setAttribute('sandbox', 'allow-scripts');
    const onMsg = (ev) => {
      if (!ev.data || ev.data.id !== id) return;
      window.removeEventListener('message', onMsg);
      resolve(ev.data.result);
    };
    window.addEventListener('message', onMsg);
    const src = 'window.corsE2EFactory = ' + window.corsE2EFactory.toString() + ';' +
      'window.corsE2E = window.corsE2EFactory();' +
      'window.corsE2E.run(' + JSON.stringify(s) + ').then(r => parent.postMessage({id: ' + JSON.stringify(id) + ', result: r}, "*"));';
    f.srcdoc = '<!doctype html><script>' + src.replace(/<\//g, '<\\/') + '<\/script>';
    document.body.appendChild(f);
  });
  return {run, runSandboxed};
};
window.corsE2E = window.corsE2EFactory();
`

// errNoCORSLine is returned by expectCORSReason when no CORS line came.
var errNoCORSLine = errors.New("no CORS console message")

// expectCORSReason waits for the tab's CORS lines and checks that exactly
// one arrived since skip lines were seen, and that its reason (after the
// optional preflight prefix) is reason. It returns that line.
func expectCORSReason(ctx context.Context, skip int, preflight bool, reason string) (corsMessage, error) {
	got, err := waitCORSErrors(ctx, skip+1)
	if err != nil {
		return corsMessage{}, err
	}
	got = got[min(skip, len(got)):]
	switch {
	case len(got) == 0:
		return corsMessage{}, errNoCORSLine
	case len(got) > 1:
		return got[0], fmt.Errorf("%d CORS console messages, want 1: %q", len(got), texts(got))
	}
	m := got[0]
	if m.Reason != reason || m.Preflight != preflight {
		return m, fmt.Errorf("CORS console reason:\n got: preflight=%v %q\nwant: preflight=%v %q", m.Preflight, m.Reason, preflight, reason)
	}
	return m, nil
}

func texts(ms []corsMessage) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Text
	}
	return out
}
