package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corskit/cors/e2e/internal/driver"
)

// engineName names one of the three browser engines the suite runs in.
type engineName string

const (
	chromium engineName = "chromium"
	firefox  engineName = "firefox"
	webkit   engineName = "webkit"
)

// allEngines is every engine, in the order the suite runs them.
var allEngines = []engineName{chromium, firefox, webkit}

// engineEnv selects engines: a comma-separated list of names (make e2e
// ENGINE=firefox sets it); empty means all three.
const engineEnv = "E2E_ENGINE"

// selectedEngines returns the engines $E2E_ENGINE names, or all of them.
func selectedEngines() ([]engineName, error) {
	v := strings.TrimSpace(os.Getenv(engineEnv))
	if v == "" || v == "all" {
		return allEngines, nil
	}
	var out []engineName
	for _, n := range strings.Split(v, ",") {
		e := engineName(strings.TrimSpace(strings.ToLower(n)))
		if !slices.Contains(allEngines, e) {
			return nil, fmt.Errorf("%s=%q: unknown engine %q; write chromium, firefox, webkit, a comma-separated list of them, or all", engineEnv, v, n)
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

func engineSelected(e engineName) bool {
	sel, err := selectedEngines()
	return err == nil && slices.Contains(sel, e)
}

// forEachEngine runs f as a subtest "engine=<name>" for each selected
// engine. The subtests run one after the other; f may run parallel
// subtests of its own.
func forEachEngine(t *testing.T, f func(t *testing.T, e engineName)) {
	t.Helper()
	sel, err := selectedEngines()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range sel {
		t.Run("engine="+string(e), func(t *testing.T) { f(t, e) })
	}
}

// engines holds the shared Firefox and WebKit, each started on first use
// and stopped by TestMain.
var engines = struct {
	mu      sync.Mutex
	started map[engineName]*startedEngine
}{started: map[engineName]*startedEngine{}}

type startedEngine struct {
	once sync.Once
	b    driver.Browser
	err  error
}

// webkitBrowsers is how many WebKit browsers run side by side (each shows
// one page at a time; see driver.WebKit).
const webkitBrowsers = 2

// findEngine reports whether e can run here, and how to start it.
func findEngine(e engineName) (func() (driver.Browser, error), error) {
	switch e {
	case firefox:
		path, err := firefoxPath()
		if err != nil {
			return nil, err
		}
		return func() (driver.Browser, error) {
			f, err := driver.StartFirefox(driver.FirefoxOptions{Path: path, LocalHosts: testHosts(), StartTimeout: browserStartTimeout})
			if err != nil {
				return nil, err // not a nil *Firefox in a non-nil interface
			}
			return f, nil
		}, nil
	case webkit:
		py, xvfb, err := webkitPrereqs()
		if err != nil {
			return nil, err
		}
		return func() (driver.Browser, error) {
			w, err := driver.StartWebKit(driver.WebKitOptions{Python: py, Xvfb: xvfb, Browsers: webkitBrowsers, StartTimeout: browserStartTimeout})
			if err != nil {
				return nil, err
			}
			return w, nil
		}, nil
	}
	return nil, fmt.Errorf("no driver for %s", e)
}

// firefoxPath finds Firefox: $FIREFOX, else firefox-esr or firefox on $PATH.
func firefoxPath() (string, error) {
	if p := os.Getenv("FIREFOX"); p != "" {
		full, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("FIREFOX=%q is not an executable: %w", p, err)
		}
		return full, nil
	}
	for _, n := range []string{"firefox-esr", "firefox"} {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Firefox found (looked for $FIREFOX, then firefox-esr, firefox on $PATH; Debian: apt-get install firefox-esr)")
}

// webkitPrereqs finds what the WebKit driver needs: a python3 that can load
// WebKit2 4.1 through gi ($WEBKIT_PYTHON, else /usr/bin/python3, which is
// where Debian's python3-gi lives), and Xvfb.
func webkitPrereqs() (python, xvfb string, err error) {
	python = os.Getenv("WEBKIT_PYTHON")
	if python == "" {
		python = "/usr/bin/python3"
	}
	const hint = " (Debian: apt-get install python3-gi gir1.2-webkit2-4.1 xvfb)"
	if _, err := exec.LookPath(python); err != nil {
		return "", "", fmt.Errorf("no %s for the WebKit driver%s", python, hint)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	check := exec.CommandContext(ctx, python, "-c", "import gi; gi.require_version('Gtk', '3.0'); gi.require_version('WebKit2', '4.1'); from gi.repository import WebKit2")
	if out, err := check.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("%s cannot load WebKit2 4.1: %v: %s%s", python, err, strings.TrimSpace(string(out)), hint)
	}
	if xvfb, err = exec.LookPath("Xvfb"); err != nil {
		return "", "", fmt.Errorf("no Xvfb on $PATH%s", hint)
	}
	return python, xvfb, nil
}

// requireEngine skips t when e cannot run here (fails it under CI=true),
// fails it when e did not start, and returns the running browser.
func requireEngine(t testing.TB, e engineName) driver.Browser {
	t.Helper()
	start, err := findEngine(e)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %s cannot run: %v", e, err)
		}
		t.Skipf("skipping %s: %v", e, err)
	}
	engines.mu.Lock()
	s := engines.started[e]
	if s == nil {
		s = &startedEngine{}
		engines.started[e] = s
	}
	engines.mu.Unlock()
	s.once.Do(func() { s.b, s.err = start() })
	if s.err != nil {
		t.Fatalf("starting %s: %v", e, s.err)
	}
	return s.b
}

// stopEngines stops the shared Firefox and WebKit.
func stopEngines() {
	engines.mu.Lock()
	defer engines.mu.Unlock()
	for e, s := range engines.started {
		if s.b != nil {
			if err := s.b.Close(); err != nil {
				fmt.Fprintf(os.Stderr, "e2e: stopping %s: %v\n", e, err)
			}
		}
	}
}

// openTab opens a fresh page in engine e, bounded by tabTimeout, and returns
// a context the harness's helpers (openPage, call, evalJSON, corsErrors, …)
// work with. The page closes when t ends.
func openTab(t testing.TB, e engineName) context.Context {
	t.Helper()
	if e == chromium {
		return browser(t)
	}
	b := requireEngine(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), tabTimeout)
	p, err := b.NewPage(ctx)
	if err != nil {
		cancel()
		t.Fatalf("opening a %s page: %v", e, err)
	}
	t.Cleanup(func() {
		cancel()
		if err := p.Close(); err != nil {
			t.Logf("closing the %s page: %v", e, err)
		}
	})
	return withPage(t, ctx, e, p)
}

// isCORSLine reports whether l is one of the lines engine e logs when it
// blocks a cross-origin read:
//   - Chromium: "Access to … has been blocked by CORS policy: …";
//   - Firefox: "Cross-Origin Request Blocked: …" (and the "Cross-Origin
//     Request Warning: …" it logs for a deprecated but allowed answer);
//   - WebKit: every security error ("Origin … is not allowed by …",
//     "Preflight response is not successful…") and the "… cannot load …
//     due to access control checks." error that follows it.
func isCORSLine(e engineName, l driver.Line) bool {
	switch e {
	case chromium:
		return strings.Contains(l.Text, corsMarker)
	case firefox:
		return l.Source == "javascript" && strings.HasPrefix(l.Text, "Cross-Origin Request ")
	case webkit:
		return (l.Source == "SECURITY" && l.Level == "error") ||
			strings.HasSuffix(l.Text, " due to access control checks.")
	}
	return false
}

// testHosts are the loopback names the conformance rows use that Firefox
// does not resolve by itself (it does resolve *.localhost): they go to
// network.dns.localDomains. WebKit reaches every name through the driver's
// loopback proxy; Chromium maps *.test with --host-resolver-rules.
func testHosts() []string {
	var out []string
	for _, c := range conformanceCases() {
		for _, h := range []string{c.page, c.api} {
			if strings.HasSuffix(h, ".test") && !slices.Contains(out, h) {
				out = append(out, h)
			}
		}
	}
	return out
}

// chromiumReason is what a blocked call's Chromium line must say (see
// expectCORSReason).
type chromiumReason struct {
	preflight bool
	reason    string
}

// blockedLines are the whole CORS console lines Firefox and WebKit must log
// for a blocked call.
type blockedLines map[engineName][]string

// expectLines checks the CORS lines the tab's engine logged after the first
// skip: in Chromium, one line with the reason cr; in Firefox and WebKit,
// exactly the lines lines[engine]. It returns how many lines there are now.
func expectLines(ctx context.Context, eng engineName, skip int, cr chromiumReason, lines blockedLines) (int, error) {
	if eng == chromium {
		if _, err := expectCORSReason(ctx, skip, cr.preflight, cr.reason); err != nil {
			return 0, err
		}
		return skip + 1, nil
	}
	want := lines[eng]
	got, err := waitCORSErrors(ctx, skip+len(want))
	if err != nil {
		return 0, err
	}
	if g := texts(got[min(skip, len(got)):]); !slices.Equal(g, want) {
		return len(got), fmt.Errorf("%s console:\n got: %q\nwant: %q", eng, g, want)
	}
	return len(got), nil
}
