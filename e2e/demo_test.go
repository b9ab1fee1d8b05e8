package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/corskit/cors/internal/demo"
)

// TestDemo loads the corsdemo page in Chromium, clicks every call's button,
// then "Run all", and checks that every outcome, with fetch and with XHR, is
// the one the demo's table promises; that corscheck, which the page runs on
// every call through the client origin's /explain, agrees with the browser,
// and that the console lines it shows for a blocked call are, word for word,
// the ones Chromium printed (so this test proves checker == Chromium on the
// demo's calls); that the preflights and the requests the API receives from
// the browser are those the table describes. It saves a
// screenshot of the page after "Run all" in the test's temporary directory
// and, if CORSDEMO_SCREENSHOT is set, at that path too (the demo's origins
// are then localhost:3000 and localhost:8080 when those ports are free, as
// in the README).
func TestDemo(t *testing.T) {
	ctx := browser(t)
	shot := os.Getenv("CORSDEMO_SCREENSHOT")
	apiAddr, clientAddr := "127.0.0.1:0", "127.0.0.1:0"
	if shot != "" {
		apiAddr, clientAddr = "127.0.0.1:3000", "127.0.0.1:8080"
	}
	api, apiURL, clientURL := startDemo(t, apiAddr, clientAddr)
	calls := demo.Calls(apiURL, clientURL)

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	openPage(t, ctx, clientURL+"/")
	if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS(`body[data-ready="true"]`))); err != nil {
		t.Fatalf("the page did not load its calls: %v", err)
	}
	var ids []string
	if err := evalJSON(ctx, `return [...document.querySelectorAll("tr[data-call]")].map(r => r.dataset.call);`, &ids); err != nil {
		t.Fatal(err)
	}
	want := make([]string, len(calls))
	for i, c := range calls {
		want[i] = c.ID
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("the page lists %q, want %q", ids, want)
	}

	// One button at a time, so that each call's requests and console lines
	// can be told apart.
	for _, c := range calls {
		t.Run(c.ID, func(t *testing.T) {
			reqsBefore := len(api.requests("/"))
			linesBefore := len(corsErrors(ctx))
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`button[data-run=%q]`, c.ID)))); err != nil {
				t.Fatalf("clicking %s: %v", c.ID, err)
			}
			got, err := demoWaitOutcome(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			demoCheckOutcome(t, c, got)

			// What the API received.
			reqs := api.requests("/")[reqsBefore:]
			var preflights, actuals []apiRequest
			probes := 0
			for _, r := range reqs {
				if r.Header.Get("User-Agent") == "corscheck" {
					probes++ // the page's /explain: corscheck probing the API
					if r.Path != c.Path {
						t.Errorf("corscheck sent %s %s", r.Method, r.Path)
					}
					continue
				}
				if r.Path != c.Path {
					t.Errorf("unexpected request %s %s", r.Method, r.Path)
				} else if r.Preflight() {
					preflights = append(preflights, r)
				} else {
					actuals = append(actuals, r)
				}
			}
			switch {
			case c.Preflight && len(preflights) == 0:
				t.Errorf("no preflight, want one (the table says %s needs one)", c.ID)
			case !c.Preflight && len(preflights) > 0:
				t.Errorf("%d preflights, want none", len(preflights))
			}
			for _, p := range preflights {
				if p.ACRM != c.Method {
					t.Errorf("preflight for %q, want %q", p.ACRM, c.Method)
				}
			}
			// A refused preflight keeps the request from being sent; a
			// blocked simple request is sent (twice: fetch, XHR) and answered.
			wantActuals := 2
			if c.Expect.Outcome == demo.Blocked && c.Preflight {
				wantActuals = 0
			}
			if len(actuals) != wantActuals {
				t.Errorf("the API received %d %s requests, want %d", len(actuals), c.Method, wantActuals)
			}
			for _, r := range actuals {
				if r.Origin != clientURL {
					t.Errorf("Origin = %q, want %q", r.Origin, clientURL)
				}
				if !c.Credentials && r.Cookie != "" {
					t.Errorf("Cookie %q sent without credentials", r.Cookie)
				}
			}
			if probes == 0 {
				t.Error("corscheck sent nothing to the API: the page's explanation was not probed live")
			}
			if c.ID == "session" && len(actuals) == 2 && !strings.Contains(actuals[1].Cookie, demo.SessionCookie+"=") {
				t.Errorf("the XHR call did not send the cookie the fetch call got: Cookie = %q", actuals[1].Cookie)
			}

			// What Chromium's console says, against the table.
			if c.Expect.Outcome == demo.Pass {
				if err := settleConsole(ctx); err != nil {
					t.Fatal(err)
				}
				if lines := corsErrors(ctx)[linesBefore:]; len(lines) > 0 {
					t.Errorf("CORS console lines for a passing call: %q", texts(lines))
				}
				return
			}
			lines, err := waitCORSErrors(ctx, linesBefore+2)
			if err != nil {
				t.Fatal(err)
			}
			demoCheckConsole(t, c, got, lines[linesBefore:])
		})
	}

	// "Run all", as a visitor would, then the screenshot.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("run-all")),
		chromedp.WaitReady(chromedp.CSS(`body[data-done="true"]:not([data-running])`)),
	); err != nil {
		t.Fatalf("Run all: %v", err)
	}
	var all map[string]demoOutcome
	if err := evalJSON(ctx, demoOutcomesJS+`return readAll();`, &all); err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		t.Run("run-all/"+c.ID, func(t *testing.T) { demoCheckOutcome(t, c, all[c.ID]) })
	}
	demoScreenshot(t, ctx, shot)
}

// startDemo serves the demo's two origins on loopback, at apiAddr and
// clientAddr if those can be bound, else on ports of the system's choosing,
// and names them "localhost", as corsdemo does. The API records its
// requests through newAPIServer's handler.
func startDemo(t *testing.T, apiAddr, clientAddr string) (api *apiServer, apiURL, clientURL string) {
	t.Helper()
	clientLn := demoListen(t, clientAddr)
	clientURL = "http://localhost:" + demoPortOf(clientLn)
	h, err := demo.NewAPI(clientURL, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	// newAPIServer serves on a port of its own choosing; its handler, which
	// records each request, is served on apiAddr too, and that is the
	// origin the page uses.
	api = newAPIServer(t, h)
	apiSrv := &httptest.Server{Listener: demoListen(t, apiAddr), Config: &http.Server{Handler: api.Config.Handler}}
	apiSrv.Start()
	t.Cleanup(apiSrv.Close)
	apiURL = "http://localhost:" + demoPortOf(apiSrv.Listener)

	clientSrv := &httptest.Server{Listener: clientLn, Config: &http.Server{Handler: demo.NewClient(apiURL)}}
	clientSrv.Start()
	t.Cleanup(clientSrv.Close)
	return api, apiURL, clientURL
}

func demoListen(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Logf("%s is taken (%v): using another port", addr, err)
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
	}
	return ln
}

func demoPortOf(ln net.Listener) string {
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// demoOutcome is what the page shows for one call.
type demoOutcome struct {
	Fetch, XHR                 string // "pass" or "blocked"
	ReadableFetch, ReadableXHR string // the headers the page could read, comma-separated
	Checker                    string // corscheck vs the browser: "agrees", "disagrees" or "error"
	ConsoleFetch, ConsoleXHR   string // the console lines corscheck predicts, shown for a blocked call
}

// demoOutcomesJS defines read(id) and readAll(), which collect the page's
// data-result-* and data-readable-* attributes.
const demoOutcomesJS = `
const read = (id) => {
  const row = document.querySelector('tr[data-call="' + id + '"]');
  const f = row.querySelector("[data-result-fetch]"), x = row.querySelector("[data-result-xhr]");
  return {
    Fetch: f.getAttribute("data-result-fetch"), XHR: x.getAttribute("data-result-xhr"),
    ReadableFetch: f.getAttribute("data-readable-fetch") || "", ReadableXHR: x.getAttribute("data-readable-xhr") || "",
    Checker: row.dataset.checker || "",
    ConsoleFetch: row.querySelector('pre[data-console="fetch"]')?.textContent || "",
    ConsoleXHR: row.querySelector('pre[data-console="xhr"]')?.textContent || "",
  };
};
const readAll = () => Object.fromEntries([...document.querySelectorAll("tr[data-call]")].map(r => [r.dataset.call, read(r.dataset.call)]));
const done = (o) => ["pass", "blocked"].includes(o.Fetch) && ["pass", "blocked"].includes(o.XHR) &&
  ["agrees", "disagrees", "error"].includes(o.Checker);
`

// demoWaitOutcome waits until the page shows both results of call id and
// corscheck's verdict on them.
func demoWaitOutcome(ctx context.Context, id string) (demoOutcome, error) {
	var o demoOutcome
	err := evalJSON(ctx, demoOutcomesJS+fmt.Sprintf(`
for (;;) {
  const o = read(%q);
  if (done(o)) return o;
  await new Promise(r => setTimeout(r, 20));
}`, id), &o)
	return o, err
}

func demoCheckOutcome(t *testing.T, c demo.Call, got demoOutcome) {
	t.Helper()
	want := string(c.Expect.Outcome)
	if got.Fetch != want || got.XHR != want {
		t.Errorf("%s %s: fetch %q, XHR %q; the policy promises %q", c.Method, c.Path, got.Fetch, got.XHR, want)
	}
	if got.Checker != "agrees" {
		t.Errorf("%s %s: the page says corscheck %q with the browser, want \"agrees\"", c.Method, c.Path, got.Checker)
	}
	if c.Expect.Outcome != demo.Pass {
		return
	}
	wantReadable := strings.Join(c.Expect.Readable, ",")
	if got.ReadableFetch != wantReadable || got.ReadableXHR != wantReadable {
		t.Errorf("readable headers: fetch %q, XHR %q; want %q of %q", got.ReadableFetch, got.ReadableXHR, wantReadable, c.ReadHeaders)
	}
}

// demoCheckConsole compares the CORS lines Chromium printed for a blocked
// call with the ones the page shows, which come from corscheck: the fetch
// line and the XMLHttpRequest line (which may add a sentence about
// withCredentials) must each be the one Chromium printed, word for word.
func demoCheckConsole(t *testing.T, c demo.Call, page demoOutcome, lines []corsMessage) {
	t.Helper()
	var fetchLine, xhrLine *corsMessage
	for i, l := range lines {
		switch l.Kind {
		case "fetch":
			fetchLine = &lines[i]
		case "XMLHttpRequest":
			xhrLine = &lines[i]
		}
	}
	if len(lines) != 2 || fetchLine == nil || xhrLine == nil {
		t.Fatalf("CORS console lines = %q, want one for fetch and one for XMLHttpRequest", texts(lines))
	}
	if fetchLine.Text != page.ConsoleFetch {
		t.Errorf("fetch: Chromium says:\n  %s\ncorscheck, on the page, says:\n  %s", fetchLine.Text, page.ConsoleFetch)
	}
	if xhrLine.Text != page.ConsoleXHR {
		t.Errorf("XMLHttpRequest: Chromium says:\n  %s\ncorscheck, on the page, says:\n  %s", xhrLine.Text, page.ConsoleXHR)
	}
	if fetchLine.URL != c.URL || xhrLine.URL != c.URL {
		t.Errorf("the lines are about %q and %q, want %q", fetchLine.URL, xhrLine.URL, c.URL)
	}
}

func demoScreenshot(t *testing.T, ctx context.Context, extra string) {
	t.Helper()
	// No focus ring on the last button clicked, and the top of the page.
	if err := evalJSON(ctx, `document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);`, nil); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	paths := []string{filepath.Join(t.TempDir(), "corsdemo.png")}
	if extra != "" {
		paths = append(paths, extra)
	}
	for _, p := range paths {
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s (%d KB)", p, len(png)/1024)
	}
}
