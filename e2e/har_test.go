package e2e

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/corskit/cors/check"
	"github.com/corskit/cors/check/har"
	"github.com/corskit/cors/e2e/internal/driver"
)

// This file records the HAR files that check/har's tests replay: the rows
// of TestConformance, made by a page in real browsers while a HAR writer
// nobody here wrote records them — Playwright's recordHar driving Chromium,
// and Firefox's own DevTools export — with, beside each HAR, what the page
// saw of each call and the CORS lines the browser printed. It runs only
// when asked (make record-har):
//
//	go test -run '^TestRecordHAR$' -record-har ../check/har/testdata
var recordHAR = flag.String("record-har", "", "record HAR files of the conformance rows into `dir` (make record-har)")

// harRecording is the sidecar of one writer's HAR files.
type harRecording struct {
	// Writer is "playwright-chromium" or "firefox"; Browser the browser's
	// own version line; HARs the files, relative to the sidecar.
	Writer  string      `json:"writer"`
	Browser string      `json:"browser"`
	HARs    []string    `json:"hars"`
	Records []harRecord `json:"records"`
}

// harRecord is one call of one row and what the browser made of it.
type harRecord struct {
	Case string `json:"case"`
	Call int    `json:"call"` // 1 for the first call, 2… for repeats
	// Page is the page's origin, "null" in a sandboxed iframe.
	Page string `json:"page"`
	// API is "fetch" or "xhr", or for an element load the element:
	// "image", "font", "module" (CrossOrigin its crossorigin attribute).
	API         string `json:"api"`
	CrossOrigin string `json:"crossOrigin,omitempty"`
	Method      string `json:"method"`
	URL         string `json:"url"`
	Credentials bool   `json:"credentials"`
	Upload      bool   `json:"upload,omitempty"`
	// Saw is what the page saw: OK (it read the response), or the error.
	Saw harSaw `json:"saw"`
	// Console is every CORS line the browser printed for the row's URLs,
	// in order, on the row's first call (no blocked row repeats).
	Console []string `json:"console"`
}

type harSaw struct {
	OK     bool   `json:"ok"`
	Status int    `json:"status"`
	Error  string `json:"error,omitempty"`
}

// harPlanCase is one row as the runner page makes it.
type harPlanCase struct {
	ID        int            `json:"id"`
	Spec      map[string]any `json:"spec"`
	Sandboxed bool           `json:"sandboxed"`
	Repeat    int            `json:"repeat"`
	PauseMs   int            `json:"pauseMs"`
}

// harResult is what the runner page posts for one call.
type harResult struct {
	ID   int `json:"id"`
	Call int `json:"call"`
	harSaw
}

// harRunner is the page origin of a recording: for each page host it
// serves a page that makes that host's rows one after the other, posts what
// it saw, and only then lets its load event fire (an <img> the server
// holds until the results arrive). Firefox exports the HAR of a page when
// it has loaded, so the page's requests must be done by then.
type harRunner struct {
	srv   *httptest.Server
	plans map[string][]harPlanCase // by page host

	mu      sync.Mutex
	results map[string][]harResult
	done    map[string]chan struct{}
}

const harRunnerJS = `
(async () => {
  const plan = await (await fetch('/plan')).json();
  const results = [];
  for (const c of plan) {
    for (let i = 0; i < c.repeat; i++) {
      if (i > 0 && c.pauseMs) await new Promise(r => setTimeout(r, c.pauseMs));
      const r = c.spec.load && c.spec.load !== 'fetch' ? await corsLoad(c.spec) :
        c.sandboxed ? await corsE2E.runSandboxed(c.spec) : await corsE2E.run(c.spec);
      results.push({id: c.id, call: i + 1, ok: r.ok, status: r.status, error: r.error || ''});
    }
  }
  await fetch('/results', {method: 'POST', body: JSON.stringify(results)});
  window.corskitDone = true;
})();
`

func newHARRunner(t *testing.T, ln net.Listener, plans map[string][]harPlanCase) *harRunner {
	h := &harRunner{plans: plans, results: map[string][]harResult{}, done: map[string]chan struct{}{}}
	for host := range plans {
		h.done[host] = make(chan struct{})
	}
	h.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	h.srv.Start()
	t.Cleanup(h.srv.Close)
	return h
}

func (h *harRunner) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, _, _ := net.SplitHostPort(r.Host)
	w.Header().Set("Cache-Control", "no-store")
	switch r.URL.Path {
	case "/":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><head><meta charset="utf-8"><title>corskit har</title><link rel="icon" href="data:,"><script>`+
			helpersJS+harLoadJS+`</script></head><body><script>`+harRunnerJS+`</script><img src="/hold" alt=""></body></html>`)
	case "/warmup":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>warm-up</title><link rel="icon" href="data:,">`)
	case "/hop":
		// A request on the page's own origin that a redirect sends to
		// another (harFamilies).
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	case "/plan":
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(h.plans[host])
	case "/results":
		var rs []harResult
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&rs); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.results[host] = rs
		if ch := h.done[host]; ch != nil {
			close(ch)
			h.done[host] = nil
		}
		h.mu.Unlock()
	case "/hold":
		h.mu.Lock()
		ch := h.done[host]
		h.mu.Unlock()
		if ch != nil {
			select {
			case <-ch:
			case <-time.After(2 * time.Minute):
			case <-r.Context().Done():
			}
		}
		w.Header().Set("Content-Type", "image/gif")
	default:
		http.NotFound(w, r)
	}
}

// harRow is one row set up for recording.
type harRow struct {
	c     confCase
	setup caseSetup
	host  string // the page's host
	// family, when not nil, is the row instead of c and setup.
	family *harFamily
}

func TestRecordHAR(t *testing.T) {
	if *recordHAR == "" {
		t.Skip("records HAR files only when asked: make record-har")
	}
	out, err := filepath.Abs(*recordHAR)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	other := newPageServer(t) // a port no page uses: the "wrong port" origin
	e := env{port: portOf("http://" + ln.Addr().String()), other: portOf(other.URL)}

	var rows []harRow
	plans := map[string][]harPlanCase{}
	var hosts []string // page hosts, in the order of the rows
	ports := map[string]int{}
	for i, c := range conformanceCases() {
		s := setUp(t, e, c)
		host := or(c.page, "127.0.0.1")
		rows = append(rows, harRow{c: c, setup: s, host: host})
		if !slices.Contains(hosts, host) {
			hosts = append(hosts, host)
		}
		plans[host] = append(plans[host], harPlanCase{ID: i, Spec: s.req.spec(), Sandboxed: s.req.Sandboxed,
			Repeat: max(c.repeat, 1), PauseMs: int(c.pause / time.Millisecond)})
		ports[portOf(s.api.URL)] = i
		if s.target != nil {
			ports[portOf(s.target.URL)] = i
		}
	}
	// The families check/har learned after the first recordings, made by
	// the page on 127.0.0.1.
	familyPage := "http://" + net.JoinHostPort("127.0.0.1", e.port)
	for _, f := range harFamilies(t, familyPage) {
		i := len(rows)
		rows = append(rows, harRow{host: "127.0.0.1", family: &f})
		plans["127.0.0.1"] = append(plans["127.0.0.1"], harPlanCase{ID: i, Spec: f.spec(), Repeat: 1})
		for _, p := range f.ports {
			ports[p] = i
		}
	}
	pages := make([]string, len(hosts))
	for i, h := range hosts {
		pages[i] = "http://" + net.JoinHostPort(h, e.port) + "/"
	}

	record := func(writer, version string, hars []string, results map[string][]harResult, lines []string) harRecording {
		rec := harRecording{Writer: writer, Browser: version, HARs: hars}
		console := map[int][]string{}
		for _, l := range lines {
			if i, ok := rowOfLine(l, ports); ok {
				console[i] = append(console[i], l)
			} else {
				t.Errorf("%s: a CORS line for no row: %s", writer, l)
			}
		}
		for _, host := range hosts {
			if len(results[host]) == 0 {
				t.Errorf("%s: the page on %s posted no results", writer, host)
			}
			for _, r := range results[host] {
				row := rows[r.ID]
				if f := row.family; f != nil {
					hr := harRecord{Case: f.name, Call: r.Call, Page: familyPage, API: f.load, CrossOrigin: string(f.co), Method: "GET",
						URL: f.url, Credentials: f.co == check.CrossOriginUseCredentials, Saw: r.harSaw, Console: append([]string{}, console[r.ID]...)}
					if hr.Saw.OK == f.blocked {
						t.Errorf("%s: %q: the page saw ok=%v (%s), the row promises blocked=%v", writer, f.name, hr.Saw.OK, hr.Saw.Error, f.blocked)
					}
					rec.Records = append(rec.Records, hr)
					continue
				}
				req := row.setup.req
				page := row.setup.pageOrigin
				if req.Sandboxed {
					page = "null"
				}
				hr := harRecord{Case: row.c.name, Call: r.Call, Page: page, API: or(req.API, "fetch"), Method: or(req.Method, "GET"),
					URL: req.URL, Credentials: req.Credentials, Upload: req.UploadListener, Saw: r.harSaw, Console: []string{}}
				if r.Call == 1 {
					hr.Console = append(hr.Console, console[r.ID]...)
				}
				if hr.Saw.OK == row.c.blocked {
					t.Errorf("%s: %q: the page saw ok=%v, the row promises blocked=%v", writer, row.c.name, hr.Saw.OK, row.c.blocked)
				}
				rec.Records = append(rec.Records, hr)
			}
		}
		b, err := json.MarshalIndent(rec, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, writer+".json"), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d calls, %d CORS lines, HAR files %v", writer, len(rec.Records), len(lines), hars)
		return rec
	}

	t.Run("playwright-chromium", func(t *testing.T) {
		runner := newHARRunner(t, ln, plans)
		version, lines := recordPlaywright(t, pages, filepath.Join(out, "playwright-chromium.har"))
		rec := record("playwright-chromium", version, []string{"playwright-chromium.har"}, runner.results, lines)
		settleLive(t, filepath.Join(out, "playwright-chromium.har"), rec)
	})
	ln2, err := net.Listen("tcp", ln.Addr().String()) // the same port: the rows' policies name it
	if err != nil {
		t.Fatal(err)
	}
	t.Run("firefox", func(t *testing.T) {
		runner := newHARRunner(t, ln2, plans)
		version, hars, lines := recordFirefox(t, pages, filepath.Join(out, "firefox"))
		record("firefox", version, hars, runner.results, lines)
	})
}

// settleLive checks, while the rows' servers still run, that what corscheck
// har says settles a request it cannot judge from the HAR does settle it:
// for each blocked call whose reason the HAR does not keep, the request of
// its corscheck explain command (made with the call's own credentials and
// API, which a HAR does not record and the user knows), sent live, gets
// the console lines the browser printed.
func settleLive(t *testing.T, file string, rec harRecording) {
	a, err := har.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := har.Judge(context.Background(), a, har.Options{})
	if err != nil {
		t.Fatal(err)
	}
	byURL := map[string][]*har.Request{}
	for _, q := range rep.Requests {
		byURL[q.URL] = append(byURL[q.URL], q)
	}
	settled := 0
	for _, r := range rec.Records {
		qs := byURL[r.URL]
		if len(qs) == 0 {
			t.Errorf("%s: %s is not among the HAR's requests", r.Case, r.URL)
			continue
		}
		q := qs[0]
		byURL[r.URL] = qs[1:]
		if q.Verdict != har.Blocked || len(q.Console) > 0 || r.Call > 1 {
			continue
		}
		live := q.Live
		switch r.API {
		case "fetch", "xhr":
			live.Credentials = r.Credentials
			live.Initiator = check.Fetch
			if r.API == "xhr" {
				live.Initiator = check.XHR
			}
			live.ForcePreflight = r.Upload
		default: // an element: its crossorigin attribute, and whether a script is a module
			live.CrossOrigin = check.CrossOrigin(r.CrossOrigin)
			live.Module = r.API == "module"
		}
		if q.OriginFrom != "the request's Origin header" {
			// corscheck says it read the origin elsewhere (a
			// sandboxed iframe's Referer is its creator's URL); the
			// user knows the page.
			live.Origin = r.Page
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		res, err := check.Explain(ctx, loopback, live)
		cancel()
		if err != nil {
			t.Errorf("%s: %s: %v", r.Case, q.Explain, err)
			continue
		}
		if !slices.Equal(res.Console, r.Console) {
			t.Errorf("%s: settled live, corscheck explain prints\n%q\nChromium printed\n%q", r.Case, res.Console, r.Console)
			continue
		}
		settled++
	}
	t.Logf("%d blocked calls whose reason the HAR does not keep were settled live, with Chromium's lines", settled)
}

// loopback is a client that reaches every host name of the rows
// (*.localhost, *.test) on 127.0.0.1, as the browsers were told to.
var loopback = &http.Client{Transport: &http.Transport{
	DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		var d net.Dialer
		return d.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
	},
}}

var lineURL = regexp.MustCompile(`https?://[^\s'"()]+`)

// rowOfLine finds the row a CORS line is about by the port of the first URL
// in it that belongs to a row's servers.
func rowOfLine(l string, ports map[string]int) (int, bool) {
	for _, u := range lineURL.FindAllString(l, -1) {
		p, err := url.Parse(strings.TrimRight(u, "."))
		if err != nil {
			continue
		}
		if i, ok := ports[p.Port()]; ok {
			return i, true
		}
	}
	return 0, false
}

// recordPlaywright has e2e/harrecord/record.mjs open each page in Chromium
// through Playwright with recordHar on, and returns Chromium's version and
// the CORS lines the pages printed.
func recordPlaywright(t *testing.T, pages []string, har string) (version string, lines []string) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("no node on $PATH: Playwright needs Node.js")
	}
	dir, _ := filepath.Abs("harrecord")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "playwright-core")); err != nil {
		t.Fatalf("no playwright-core in %s: run npm ci --prefix e2e/harrecord (make record-har does)", dir)
	}
	chrome, err := chromiumPath()
	if err != nil {
		t.Fatal(err)
	}
	v, err := exec.Command(chrome, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	spec := map[string]any{
		"chromium": chrome, "pages": pages, "har": har, "console": filepath.Join(tmp, "console.json"), "timeoutMs": 120000,
		// The flags of the suite's own Chromium (startBrowser).
		"args": []string{"--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
			"--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-default-apps", "--disable-dev-shm-usage",
			"--disable-breakpad", "--disable-features=IsolateSandboxedIframes", "--host-resolver-rules=MAP *.test 127.0.0.1"},
		// (Playwright gives the browser a fresh profile of its own.)
	}
	b, _ := json.Marshal(spec)
	specFile := filepath.Join(tmp, "spec.json")
	if err := os.WriteFile(specFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "record.mjs"), specFile)
	cmd.Dir = dir
	// Node and the Chromium it starts share a process group of their own,
	// killed by its id if the recording outlives its time.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("record.mjs: %v\n%s", err, out)
	}
	var msgs []struct{ Type, Text string }
	b, err = os.ReadFile(filepath.Join(tmp, "console.json"))
	if err == nil {
		err = json.Unmarshal(b, &msgs)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if destLine(chromium, driver.Line{Level: m.Type, Text: m.Text}) {
			lines = append(lines, m.Text)
		}
	}
	return strings.TrimSpace(string(v)), lines
}

// recordFirefox loads each page in a Firefox with DevTools open, under an
// Xvfb of its own, with the network monitor's HAR auto-export on: Firefox
// writes one HAR per page, named after its host, when the page has loaded.
// It returns Firefox's version, the HAR files (relative to dir's parent)
// and the CORS lines the pages printed.
func recordFirefox(t *testing.T, pages []string, dir string) (version string, hars, lines []string) {
	path, err := firefoxPath()
	if err != nil {
		t.Fatal(err)
	}
	xvfbPath, err := exec.LookPath("Xvfb")
	if err != nil {
		t.Fatal("no Xvfb: Firefox's DevTools need a display")
	}
	v, err := exec.Command(path, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	x, err := driver.StartXvfb(xvfbPath, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	export := t.TempDir()
	f, err := driver.StartFirefox(driver.FirefoxOptions{
		Path: path, LocalHosts: append(testHosts(), "warmup.localhost"), StartTimeout: browserStartTimeout,
		Display: x.Display, Args: []string{"--devtools"},
		Prefs: map[string]any{
			"devtools.netmonitor.har.enableAutoExportToFile": true,
			"devtools.netmonitor.har.defaultLogDir":          export,
			"devtools.netmonitor.har.defaultFileName":        "%hostname",
			"devtools.toolbox.selectedTool":                  "netmonitor",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	page, err := f.FirstPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The toolbox opens after the first tab: load a warm-up page until its
	// HAR appears, so that the network monitor records the first real page.
	warm := "http://warmup.localhost:" + portOf(pages[0]) + "/warmup"
	for i := 0; ; i++ {
		if err := page.Navigate(ctx, warm); err != nil {
			t.Fatal(err)
		}
		if waitFile(filepath.Join(export, "warmup.localhost.har"), 3*time.Second) == nil {
			break
		}
		if i == 20 {
			t.Fatal("Firefox exported no HAR of the warm-up page: is the DevTools toolbox open?")
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		if err := page.Navigate(ctx, p); err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(p)
		name := u.Hostname() + ".har"
		src := filepath.Join(export, name)
		if err := waitFile(src, 60*time.Second); err != nil {
			t.Fatalf("Firefox exported no HAR of %s: %v", p, err)
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		hars = append(hars, filepath.Join(filepath.Base(dir), name))
	}
	// Firefox may log a CORS line after the promise settled.
	time.Sleep(2 * time.Second)
	for _, l := range page.Console().Lines() {
		if destLine(firefox, l) {
			lines = append(lines, l.Text)
		}
	}
	return strings.TrimSpace(string(v)), hars, lines
}

// waitFile waits up to d for name to hold a complete JSON document (Firefox
// writes it in pieces).
func waitFile(name string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		b, err := os.ReadFile(name)
		if err == nil && json.Valid(b) {
			return nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("%s is not complete JSON", name)
			}
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
