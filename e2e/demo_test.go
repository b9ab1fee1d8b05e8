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

// TestDemo loads the corsdemo page in each engine, clicks every call's
// button, then "Run all", and checks that every outcome, with fetch and
// with XHR, is the one the demo's table promises; that the page names the
// engine it runs in; that corscheck, which the page runs on every call
// through the client origin's /explain as that engine, agrees with the
// browser, and that the console lines it shows for a blocked call are, word
// for word, the ones the engine printed (so this test proves checker ==
// engine on the demo's calls); that the preflights and the requests the API
// receives from the browser are those the table describes. In Chromium it
// saves a screenshot of the page after "Run all" in the test's temporary
// directory and, if CORSDEMO_SCREENSHOT is set, at that path too (the
// demo's origins are then localhost:3000 and localhost:8080 when those
// ports are free, as in the README).
func TestDemo(t *testing.T) {
	forEachEngine(t, testDemo)
}

// demoBrowsers is what the page must detect in each engine: the browser
// corscheck explains the calls as, and the name the page shows.
var demoBrowsers = map[engineName][2]string{
	chromium: {"chromium", "Chromium"},
	firefox:  {"firefox", "Firefox"},
	webkit:   {"safari", "Safari (WebKit)"},
}

func testDemo(t *testing.T, eng engineName) {
	ctx := openTab(t, eng)
	shot := ""
	if eng == chromium {
		shot = os.Getenv("CORSDEMO_SCREENSHOT")
	}
	apiAddr, clientAddr := "127.0.0.1:0", "127.0.0.1:0"
	if shot != "" {
		apiAddr, clientAddr = "127.0.0.1:3000", "127.0.0.1:8080"
	}
	api, apiURL, clientURL := startDemo(t, apiAddr, "localhost", clientAddr, "localhost")
	calls := demo.Calls(apiURL, clientURL, clientURL)

	if eng == chromium {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
			t.Fatal(err)
		}
	}
	demoOpen(t, ctx, clientURL+"/")
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
	if b := demoBanner(t, ctx); b.Shown {
		t.Errorf("the page is on the trusted origin, yet shows the banner %q", b.Text)
	}
	var detected [2]string
	if err := evalJSON(ctx, `return [document.body.dataset.browser, document.querySelector("#browser-name").textContent];`, &detected); err != nil {
		t.Fatal(err)
	}
	if detected != demoBrowsers[eng] {
		t.Errorf("the page says it runs in %q, want %q", detected, demoBrowsers[eng])
	}

	// One button at a time, so that each call's requests and console lines
	// can be told apart.
	for _, c := range calls {
		t.Run(c.ID, func(t *testing.T) {
			reqsBefore := len(api.requests("/"))
			linesBefore := len(corsErrors(ctx))
			demoClick(t, ctx, fmt.Sprintf(`button[data-run=%q]`, c.ID))
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
			if c.ID == "session" {
				if len(actuals) == 2 && !strings.Contains(actuals[1].Cookie, demo.SessionCookie+"=") {
					t.Errorf("the XHR call did not send the cookie the fetch call got: Cookie = %q", actuals[1].Cookie)
				}
				// Page and API are one site: the cookie came back, and the
				// row says nothing about a lost one.
				if got.Cookie != "came-back" || got.CookieNote != "" || strings.Contains(got.BadgeFetch+got.BadgeXHR, "cookie") {
					t.Errorf("cookie %q, badges %q and %q, note %q; want the cookie back and no note", got.Cookie, got.BadgeFetch, got.BadgeXHR, got.CookieNote)
				}
			}
			// The advice fits the evidence: /partners' middleware ran (its
			// answer varies on Origin) and refused this origin; /without-cors
			// has no CORS code at all.
			switch c.ID {
			case "partners":
				if !strings.Contains(got.CheckerExpl, "the CORS code ran") || strings.Contains(got.CheckerExpl, "never ran") {
					t.Errorf("corscheck's explanation for a route whose CORS middleware refused the origin: %q", got.CheckerExpl)
				}
			case "without-cors":
				if !strings.Contains(got.CheckerExpl, "never ran") {
					t.Errorf("corscheck's explanation for a route without CORS code: %q", got.CheckerExpl)
				}
			}

			// What the engine's console says, against the table.
			if c.Expect.Outcome == demo.Pass {
				if err := settleConsole(ctx); err != nil {
					t.Fatal(err)
				}
				if lines := corsErrors(ctx)[linesBefore:]; len(lines) > 0 {
					t.Errorf("CORS console lines for a passing call: %q", texts(lines))
				}
				return
			}
			demoCheckConsole(t, ctx, eng, c, got, linesBefore)
		})
	}

	// "Run all", as a visitor would, then the screenshot.
	all := demoRunAll(t, ctx)
	for _, c := range calls {
		t.Run("run-all/"+c.ID, func(t *testing.T) { demoCheckOutcome(t, c, all[c.ID]) })
	}
	if eng == chromium {
		demoScreenshot(t, ctx, shot)
	}
}

// startDemo serves the demo's two origins on loopback, at apiAddr and
// clientAddr if those can be bound, else on ports of the system's choosing,
// and names them apiHost and clientHost ("localhost", as corsdemo does, or
// "127.0.0.1"): the API trusts http://clientHost:PORT. The API records its
// requests through newAPIServer's handler.
func startDemo(t *testing.T, apiAddr, apiHost, clientAddr, clientHost string) (api *apiServer, apiURL, clientURL string) {
	t.Helper()
	clientLn := demoListen(t, clientAddr)
	clientURL = "http://" + clientHost + ":" + demoPortOf(clientLn)
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
	apiURL = "http://" + apiHost + ":" + demoPortOf(apiSrv.Listener)

	clientSrv := &httptest.Server{Listener: clientLn, Config: &http.Server{Handler: demo.NewClient(apiURL, clientURL)}}
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
	BadgeFetch, BadgeXHR       string // the badges' text
	ReadableFetch, ReadableXHR string // the headers the page could read, comma-separated
	Checker                    string // corscheck vs the browser: "agrees", "disagrees" or "error"
	ConsoleFetch, ConsoleXHR   string // the console lines corscheck predicts, shown for a blocked call
	CheckerExpl                string // corscheck's explanation of a blocked call
	Here                       string // the demo's own account of a blocked call ("Here: …")
	Cookie                     string // for the cookie route: "came-back", "missing" or ""
	CookieNote                 string // the "pass, but no cookie" note
}

// demoOutcomesJS defines read(id) and readAll(), which collect the page's
// data-result-* and data-readable-* attributes.
const demoOutcomesJS = `
const read = (id) => {
  const row = document.querySelector('tr[data-call="' + id + '"]');
  const f = row.querySelector("[data-result-fetch]"), x = row.querySelector("[data-result-xhr]");
  return {
    Fetch: f.getAttribute("data-result-fetch"), XHR: x.getAttribute("data-result-xhr"),
    BadgeFetch: f.textContent, BadgeXHR: x.textContent,
    ReadableFetch: f.getAttribute("data-readable-fetch") || "", ReadableXHR: x.getAttribute("data-readable-xhr") || "",
    Checker: row.dataset.checker || "",
    ConsoleFetch: row.querySelector('pre[data-console="fetch"]')?.textContent || "",
    ConsoleXHR: row.querySelector('pre[data-console="xhr"]')?.textContent || "",
    CheckerExpl: row.querySelector(".checker-expl")?.textContent || "",
    Here: row.querySelector("td.result > p.reason")?.textContent || "",
    Cookie: row.dataset.cookie || "",
    CookieNote: row.querySelector(".cookie-lost")?.textContent || "",
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

// demoCheckConsole compares the CORS lines the engine printed for a
// blocked call, from the first linesBefore on, with the ones the page
// shows, which come from corscheck speaking for that engine: in Chromium
// the fetch line and the XMLHttpRequest line (which may add a sentence
// about withCredentials) must each be the one Chromium printed, word for
// word; in Firefox and WebKit, which print more than one line for a call,
// the fetch lines and the XMLHttpRequest lines together must be the lines
// the engine printed (Firefox may log the fetch's late, after the XHR's).
func demoCheckConsole(t *testing.T, ctx context.Context, eng engineName, c demo.Call, page demoOutcome, linesBefore int) {
	t.Helper()
	if eng != chromium {
		want := append(strings.Split(page.ConsoleFetch, "\n"), strings.Split(page.ConsoleXHR, "\n")...)
		all, err := waitCORSErrors(ctx, linesBefore+len(want))
		if err != nil {
			t.Fatal(err)
		}
		got := texts(all[min(linesBefore, len(all)):])
		if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
			t.Errorf("%s console:\n%s\ncorscheck, on the page, says:\n%s", eng, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for _, l := range got {
			t.Logf("console: %s", l)
		}
		return
	}
	all, err := waitCORSErrors(ctx, linesBefore+2)
	if err != nil {
		t.Fatal(err)
	}
	lines := all[min(linesBefore, len(all)):]
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

// demoBannerState is the page's wrong-origin banner.
type demoBannerState struct {
	Shown bool
	Text  string
	Link  string // the href of its link to the trusted origin
}

func demoBanner(t *testing.T, ctx context.Context) demoBannerState {
	t.Helper()
	var b demoBannerState
	if err := evalJSON(ctx, `const b = document.querySelector("#wrong-origin");
return {Shown: !b.hidden && b.offsetHeight > 0, Text: b.textContent, Link: b.querySelector("a#trusted-link")?.href || ""};`, &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// demoOpen loads the demo page at url and waits until it has loaded its
// calls.
func demoOpen(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	openPage(t, ctx, url)
	demoWait(t, ctx, `document.body.dataset.ready === "true"`, "the page did not load its calls")
}

// demoWait waits, in the page, until the JavaScript expression cond is
// true (the tab's time limit bounds the wait).
func demoWait(t *testing.T, ctx context.Context, cond, failure string) {
	t.Helper()
	js := "for (;;) { if (" + cond + ") return true; await new Promise(r => setTimeout(r, 20)); }"
	if err := evalJSON(ctx, js, nil); err != nil {
		t.Fatalf("%s: %v", failure, err)
	}
}

// demoClick clicks the element sel selects, as a script does: the same in
// every engine.
func demoClick(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	if err := evalJSON(ctx, fmt.Sprintf(`document.querySelector(%q).click();`, sel), nil); err != nil {
		t.Fatalf("clicking %s: %v", sel, err)
	}
}

// demoRunAll presses "Run all" and returns what the page shows for every
// call once it is done.
func demoRunAll(t *testing.T, ctx context.Context) map[string]demoOutcome {
	t.Helper()
	demoClick(t, ctx, "#run-all")
	demoWait(t, ctx, `document.body.dataset.done === "true" && !document.body.dataset.running`, "Run all")
	var all map[string]demoOutcome
	if err := evalJSON(ctx, demoOutcomesJS+`return readAll();`, &all); err != nil {
		t.Fatal(err)
	}
	return all
}

// TestDemoWrongOrigin opens the page as http://127.0.0.1:PORT while the API
// trusts http://localhost:PORT, the same server under another name, as a
// visitor who retypes the URL might. The page must say so at the top and
// link the right URL, and every row must say what really happened: the
// routes that trust only the client origin refuse this one, and corscheck
// does not suggest that their CORS code never ran. In each engine.
func TestDemoWrongOrigin(t *testing.T) {
	forEachEngine(t, testDemoWrongOrigin)
}

func testDemoWrongOrigin(t *testing.T, eng engineName) {
	ctx := openTab(t, eng)
	api, _, trusted := startDemo(t, "127.0.0.1:0", "localhost", "127.0.0.1:0", "localhost")
	page := strings.Replace(trusted, "localhost", "127.0.0.1", 1)

	demoOpen(t, ctx, page+"/")
	b := demoBanner(t, ctx)
	if !b.Shown || !strings.Contains(b.Text, page) || !strings.Contains(b.Text, trusted) || b.Link != trusted+"/" {
		t.Errorf("banner shown %v, %q, link %q; want it shown, naming %s and %s, linking %s/", b.Shown, b.Text, b.Link, page, trusted, trusted)
	}

	// Written by hand from NewAPI's policies: from an origin the API does
	// not trust, only the AllowAll route lets the page read. refusedBy is
	// "cors" for the routes whose CORS middleware refused this origin,
	// "none" for the route without CORS code, "" for the others.
	wants := map[string]struct {
		outcome   demo.Outcome
		refusedBy string
		preflight bool
	}{
		"without-cors":          {demo.Blocked, "none", false},
		"with-cors":             {demo.Pass, "", false},
		"products":              {demo.Blocked, "cors", false},
		"products-put":          {demo.Blocked, "cors", true},
		"allow-list":            {demo.Blocked, "cors", false},
		"partners":              {demo.Blocked, "cors", false},
		"items-put":             {demo.Blocked, "cors", true},
		"items-delete":          {demo.Blocked, "cors", true},
		"items-header":          {demo.Blocked, "cors", true},
		"session":               {demo.Blocked, "cors", false},
		"with-cors-credentials": {demo.Blocked, "", false},
		"exposed-headers":       {demo.Blocked, "cors", false},
	}
	all := demoRunAll(t, ctx)
	if len(all) != len(wants) {
		t.Fatalf("the page lists %d calls, want %d", len(all), len(wants))
	}
	for id, want := range wants {
		t.Run(id, func(t *testing.T) {
			got, ok := all[id]
			if !ok {
				t.Fatal("not on the page")
			}
			if got.Fetch != string(want.outcome) || got.XHR != string(want.outcome) {
				t.Errorf("fetch %q, XHR %q; want %q", got.Fetch, got.XHR, want.outcome)
			}
			if got.Checker != "agrees" {
				t.Errorf("corscheck %q with the browser, want \"agrees\"", got.Checker)
			}
			switch want.refusedBy {
			case "cors":
				if strings.Contains(got.CheckerExpl, "never ran") {
					t.Errorf("the route's CORS middleware ran, yet corscheck says: %q", got.CheckerExpl)
				}
			case "none":
				if !strings.Contains(got.CheckerExpl, "never ran") {
					t.Errorf("a route without CORS code: corscheck says %q", got.CheckerExpl)
				}
			}
			// The calls that pass from the trusted origin say why they do
			// not pass from this one.
			if want.refusedBy == "cors" && id != "partners" {
				for _, s := range []string{"This page is at " + page, "trusts only " + trusted} {
					if !strings.Contains(got.Here, s) {
						t.Errorf("the row's account lacks %q: %q", s, got.Here)
					}
				}
			}
			// What the API received: a refused preflight keeps the request
			// from being sent.
			if want.preflight {
				for _, r := range api.requests("/") {
					if r.Header.Get("User-Agent") != "corscheck" && !r.Preflight() && r.Origin == page && strings.HasPrefix(r.Path, "/items/") {
						t.Errorf("the browser sent %s %s after a refused preflight", r.Method, r.Path)
					}
				}
			}
		})
	}

	// The banner's link leads to the origin the API trusts, where the
	// banner is gone and the calls restricted to it pass. (The link is
	// followed by loading its address: a click's navigation is the same
	// load, but racing it against the next script differs by engine.)
	demoOpen(t, ctx, b.Link)
	var at string
	if err := evalJSON(ctx, `return location.origin;`, &at); err != nil {
		t.Fatal(err)
	}
	if at != trusted {
		t.Errorf("the link led to %s, want %s", at, trusted)
	}
	if b := demoBanner(t, ctx); b.Shown {
		t.Errorf("on the trusted origin the banner still shows: %q", b.Text)
	}
	demoClick(t, ctx, `button[data-run="products"]`)
	if got, err := demoWaitOutcome(ctx, "products"); err != nil {
		t.Fatal(err)
	} else if got.Fetch != "pass" || got.XHR != "pass" {
		t.Errorf("products from the trusted origin: fetch %q, XHR %q; want pass", got.Fetch, got.XHR)
	}
}

// TestDemoCrossSiteCookie serves the API as http://127.0.0.1:PORT and the
// page as http://localhost:PORT, the trusted client origin: CORS lets the
// credentialed call through, but the two are different sites, so the
// browser neither stores nor sends the API's SameSite=Lax cookie. The row
// must say "pass, but no cookie" and explain cross-site cookies, not show a
// plain pass. In each engine.
func TestDemoCrossSiteCookie(t *testing.T) {
	forEachEngine(t, testDemoCrossSiteCookie)
}

func testDemoCrossSiteCookie(t *testing.T, eng engineName) {
	ctx := openTab(t, eng)
	api, _, client := startDemo(t, "127.0.0.1:0", "127.0.0.1", "127.0.0.1:0", "localhost")
	demoOpen(t, ctx, client+"/")
	if b := demoBanner(t, ctx); b.Shown {
		t.Errorf("the page is on the trusted origin, yet shows the banner %q", b.Text)
	}
	for round := 1; round <= 2; round++ {
		demoClick(t, ctx, `button[data-run="session"]`)
		got, err := demoWaitOutcome(ctx, "session")
		if err != nil {
			t.Fatal(err)
		}
		if got.Fetch != "pass" || got.XHR != "pass" || got.Checker != "agrees" {
			t.Errorf("round %d: fetch %q, XHR %q, corscheck %q; want pass, pass, agrees", round, got.Fetch, got.XHR, got.Checker)
		}
		// The first fetch has no earlier call to compare with; from the
		// XHR on, every call should have brought the cookie back.
		wantFetch := "pass"
		if round > 1 {
			wantFetch = "pass, but no cookie"
		}
		if got.Cookie != "missing" || got.BadgeFetch != wantFetch || got.BadgeXHR != "pass, but no cookie" {
			t.Errorf("round %d: cookie %q, badges %q and %q; want missing, %q and \"pass, but no cookie\"", round, got.Cookie, got.BadgeFetch, got.BadgeXHR, wantFetch)
		}
		for _, s := range []string{"pass, but no cookie", "site localhost", "site 127.0.0.1", "different sites", "third-party cookie", "SameSite=None and Secure"} {
			if !strings.Contains(got.CookieNote, s) {
				t.Errorf("round %d: the note lacks %q: %q", round, s, got.CookieNote)
			}
		}
	}
	// The browser really withheld it: no request the page made to the API
	// carried the API's cookie. (Other cookies may come along: the
	// browser's profile is shared by the whole suite, and WebKit sends a
	// cookie set without SameSite, by an earlier test's page on
	// 127.0.0.1, to another site too.)
	n := 0
	for _, r := range api.actuals("/session") {
		if r.Header.Get("User-Agent") == "corscheck" {
			continue
		}
		n++
		if strings.Contains(r.Cookie, demo.SessionCookie+"=") {
			t.Errorf("the browser sent Cookie %q to the other site", r.Cookie)
		}
	}
	if n != 4 {
		t.Errorf("the API received %d credentialed calls from the page, want 4", n)
	}
}
