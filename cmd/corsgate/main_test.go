package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/corskit/cors/cmd/corsgate/internal/logtest"
	"github.com/corskit/cors/cmd/corsgate/internal/testproc"
)

// TestMain lets the test binary run as corsgate itself, so that the tests
// (and the benchmark) start the real program as a separate process, send it
// signals, and read its exit code, with the race detector built in under
// go test -race.
//
// CORSGATE_TEST_CPUPROFILE=FILE writes corsgate's CPU profile there (the
// benchmark's profile); CORSGATE_TEST_FLOOR runs the benchmark's floor
// instead (floorMain).
func TestMain(m *testing.M) {
	if kind := os.Getenv("CORSGATE_TEST_FLOOR"); kind != "" {
		os.Exit(floorMain(kind, os.Args[1]))
	}
	if os.Getenv("CORSGATE_TEST_MAIN") == "1" {
		if p := os.Getenv("CORSGATE_TEST_CPUPROFILE"); p != "" {
			f, err := os.Create(p)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			pprof.StartCPUProfile(f)
			code := run(os.Args[1:], os.Stdout, os.Stderr)
			pprof.StopCPUProfile()
			f.Close()
			os.Exit(code)
		}
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func signalNotify(c chan os.Signal) { signal.Notify(c, syscall.SIGTERM, syscall.SIGINT) }

// corsgate runs the program to its end with args.
func corsgate(t testing.TB, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "CORSGATE_TEST_MAIN=1")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	p, err := testproc.Start(cmd, syscall.SIGKILL)
	if err != nil {
		t.Fatal(err)
	}
	<-p.Done()
	if _, ok := p.Err().(*exec.ExitError); !ok && p.Err() != nil {
		t.Fatal(p.Err())
	}
	return p.ExitCode(), o.String(), e.String()
}

func TestHelp(t *testing.T) {
	for _, arg := range []string{"--help", "-h", "-help"} {
		code, out, errOut := corsgate(t, arg)
		if code != 0 || errOut != "" {
			t.Errorf("%s: exit %d, stderr %q; want 0 and nothing", arg, code, errOut)
		}
		for _, flag := range []string{"-config FILE", "-check", "-log-format", "-access-log", "SIGHUP", "SIGTERM", "Exit codes"} {
			if !strings.Contains(out, flag) {
				t.Errorf("%s: the help does not document %q", arg, flag)
			}
		}
	}
	if code, _, errOut := corsgate(t, "-frobnicate"); code != 2 || !strings.Contains(errOut, "flag provided but not defined: -frobnicate") {
		t.Errorf("unknown flag: exit %d, %q", code, errOut)
	}
	if code, _, errOut := corsgate(t, "-config", "a.json", "b.json"); code != 2 || !strings.Contains(errOut, `unexpected argument "b.json"`) {
		t.Errorf("stray argument: exit %d, %q", code, errOut)
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"listen": ":8080", "upstream": "http://127.0.0.1:9000",
  "routes": [{"path": "/api/", "policy": {"allowedOrigins": ["https://app.example.com/", "*"], "allowCredentials": true}}]}`), 0o644)
	broken := filepath.Join(dir, "broken.json")
	os.WriteFile(broken, []byte("{\n  \"listen\": \":8080\"\n  \"upstream\": \"x\"\n}"), 0o644)
	tests := []struct {
		name       string
		file       string
		code       int
		stdout     string
		stderrHas  []string
		stderrNone bool
	}{
		{"enforce example", "examples/enforce.json", 0, "examples/enforce.json: ok: mode enforce, 3 route(s), upstream http://127.0.0.1:9000\n", nil, true},
		{"report-only example", "examples/report-only.json", 0, "examples/report-only.json: ok: mode report-only, 2 route(s), upstream http://127.0.0.1:9000\n", nil, true},
		{"every problem, located", bad, 2, "", []string{
			bad + `: routes[0].policy.allowedOrigins[0]: "https://app.example.com/": trailing slash: an origin has no path; write "https://app.example.com" instead` + "\n",
			bad + `: routes[0].policy.allowedOrigins[1]: "*": "*" cannot be used with allowCredentials`,
			bad + `: routes[0].policy.allowedOrigins[1]: "*": "*" already allows every origin`,
			bad + ": 3 problem(s)\n",
		}, false},
		{"not JSON", broken, 2, "", []string{broken + ": line 3, column 3: not valid JSON"}, false},
		{"missing file", filepath.Join(dir, "none.json"), 2, "", []string{"none.json: no such file or directory"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := corsgate(t, "-check", "-config", tt.file)
			if code != tt.code || out != tt.stdout {
				t.Errorf("exit %d, stdout %q; want %d, %q", code, out, tt.code, tt.stdout)
			}
			for _, s := range tt.stderrHas {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errOut)
				}
			}
			if tt.stderrNone && errOut != "" {
				t.Errorf("stderr %q", errOut)
			}
		})
	}
}

// TestCheckPolicyProblems pins what -check prints for every kind of bad
// route policy, each at the JSON path of the entry the library names
// (cors.ConfigError's Key and Index) and with the JSON keys in its
// message. Route 0 lists "*" twice: each entry has two problems, and
// before the index came from the library, the second problem of the first
// "*" was put at the second one (the value was searched for).
func TestCheckPolicyProblems(t *testing.T) {
	headers := make([]string, 65)
	for i := range headers {
		headers[i] = fmt.Sprintf("%q", fmt.Sprintf("X-H%d", i))
	}
	path := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(path, []byte(`{"listen": ":8080", "upstream": "http://127.0.0.1:9000", "routes": [
  {"path": "/a/", "policy": {"allowedOrigins": ["https://ok.example", "*", "*"], "allowCredentials": true}},
  {"path": "/b/", "policy": {"allowedOrigins": ["null", "file:///x", "https://A.example", "http://b.example", "https://*.github.io", "https://b.example/", "https://b.example/"], "allowCredentials": true}},
  {"path": "/c/", "policy": {"allowedOrigins": ["https://c.example"], "allowCredentials": true,
    "allowedMethods": ["TRACE", "PUT", "TRACE", "bad method"],
    "allowedHeaders": ["Cookie", "X Bad", "Access-Control-Allow-Origin", "Cookie"],
    "exposedHeaders": ["Set-Cookie", "*", "x bad"], "maxAge": 90000, "preflightStatus": 302}},
  {"path": "/d/", "policy": {}},
  {"path": "/e/", "policy": {"allowedOrigins": ["*"], "allowedHeaders": [`+strings.Join(headers, ", ")+`]}}
]}`), 0o644)
	want := []string{
		`routes[0].policy.allowedOrigins[1]: "*": "*" cannot be used with allowCredentials (browsers refuse it, and reflecting every origin with credentials lets any site act as your users): list the origins you trust`,
		`routes[0].policy.allowedOrigins[1]: "*": "*" already allows every origin: remove the other entries, or remove "*"`,
		`routes[0].policy.allowedOrigins[2]: "*": "*" cannot be used with allowCredentials (browsers refuse it, and reflecting every origin with credentials lets any site act as your users): list the origins you trust`,
		`routes[0].policy.allowedOrigins[2]: "*": "*" already allows every origin: remove the other entries, or remove "*"`,
		`routes[1].policy.allowedOrigins[0]: "null": any page can send "Origin: null" (a sandboxed iframe is enough), so allowing it allows everyone: remove it, or set dangerouslyAllowNullOrigin if you accept that`,
		`routes[1].policy.allowedOrigins[1]: "file:///x": browsers send "Origin: null" for file: pages, never a file: origin: write "null" with dangerouslyAllowNullOrigin if you must, or serve the page over http://localhost`,
		`routes[1].policy.allowedOrigins[2]: "https://A.example": upper case in the host: browsers send it in lower case; write "https://a.example" instead`,
		`routes[1].policy.allowedOrigins[3]: "http://b.example": plain-http origins can be impersonated by anyone on the network path, who would then ride your users' credentials: write "https://b.example", or set dangerouslyAllowInsecureOrigins`,
		`routes[1].policy.allowedOrigins[4]: "https://*.github.io": "github.io" is a public suffix, where anyone can register a name: list your own domains (for example "https://*.yourname.github.io"), or set dangerouslyAllowPublicSuffixWildcards`,
		`routes[1].policy.allowedOrigins[5]: "https://b.example/": trailing slash: an origin has no path; write "https://b.example" instead`,
		`routes[1].policy.allowedOrigins[6]: "https://b.example/": trailing slash: an origin has no path; write "https://b.example" instead`,
		`routes[2].policy.allowedMethods[0]: "TRACE": browsers never send CONNECT, TRACE or TRACK (Fetch forbids them): remove it`,
		`routes[2].policy.allowedMethods[2]: "TRACE": browsers never send CONNECT, TRACE or TRACK (Fetch forbids them): remove it`,
		`routes[2].policy.allowedMethods[3]: "bad method": not a valid method name (RFC 9110 token): write names such as "PUT" or "DELETE"`,
		`routes[2].policy.allowedHeaders[0]: "Cookie": browsers never let scripts set this header (Fetch: forbidden request-header), so it never needs allowing: remove it`,
		`routes[2].policy.allowedHeaders[1]: "X Bad": not a valid header name (RFC 9110 token): write names such as "X-Request-Id"`,
		`routes[2].policy.allowedHeaders[2]: "Access-Control-Allow-Origin": this is a response header that the middleware sends, not a request header a page sends: remove it (to let pages read a response header, use exposedHeaders)`,
		`routes[2].policy.allowedHeaders[3]: "Cookie": browsers never let scripts set this header (Fetch: forbidden request-header), so it never needs allowing: remove it`,
		`routes[2].policy.exposedHeaders[0]: "Set-Cookie": browsers never let scripts read Set-Cookie, whatever the server says: remove it`,
		`routes[2].policy.exposedHeaders[1]: "*": with allowCredentials browsers read "*" literally and expose nothing: list the headers by name`,
		`routes[2].policy.exposedHeaders[2]: "x bad": not a valid header name (RFC 9110 token): write names such as "X-Request-Id"`,
		`routes[2].policy.maxAge: "90000": above 86400 seconds (24 h), more than any browser honours (Chromium caps at 7200, Safari at 600): write at most 86400`,
		`routes[2].policy.preflightStatus: "302": browsers fail every preflight whose status is not 2xx: write 204 (the default, also 0) or 200`,
		`routes[3].policy.allowedOrigins: no origin is allowed: list origins such as "https://app.example.com", or "*" for any origin`,
		`routes[4].policy.allowedHeaders: 65 names, but a preflight may request at most 64 (longer lists are refused to bound the work a request can cause): list at most 64, the headers your pages really send`,
		`25 problem(s)`,
	}
	code, out, errOut := corsgate(t, "-check", "-config", path)
	if code != 2 || out != "" {
		t.Errorf("exit %d, stdout %q; want 2 and nothing", code, out)
	}
	got := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = path + ": " + want[i]
		}
		if g != w {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, g, w)
		}
	}
}

// gate is a running corsgate process.
type gate struct {
	cmd         *exec.Cmd
	out         interface{ String() string }
	URL, Admin  string
	done        chan struct{}
	exitCode    int
	config      string
	serveRecord map[string]any
}

// records returns the JSON log records written so far.
func (g *gate) records() []map[string]any { return logtest.Records(g.out.String()) }

// startGate starts corsgate on the configuration file path and waits until
// it serves. It is stopped (SIGTERM, then SIGKILL after 20 s) when the test
// ends, and must then exit 0.
func startGate(t testing.TB, path string, args ...string) *gate {
	t.Helper()
	buf := &logtest.Buffer{}
	return startGateWith(t, path, buf, buf, nil, args...)
}

// startGateOutEnv is startGate with the output going to the file f, for
// runs too long to keep it in memory, and env added to its environment.
func startGateOutEnv(t testing.TB, path string, f *os.File, env []string, args ...string) *gate {
	t.Helper()
	return startGateWith(t, path, f, fileText{f.Name()}, env, args...)
}

type fileText struct{ name string }

func (f fileText) String() string { b, _ := os.ReadFile(f.name); return string(b) }

func startGateWith(t testing.TB, path string, w io.Writer, out interface{ String() string }, env []string, args ...string) *gate {
	t.Helper()
	g := &gate{out: out, done: make(chan struct{}), config: path}
	g.cmd = exec.Command(os.Args[0], append([]string{"-config", path}, args...)...)
	g.cmd.Env = append(append(os.Environ(), "CORSGATE_TEST_MAIN=1"), env...)
	g.cmd.Stdout, g.cmd.Stderr = w, w
	// corsgate starts no process of its own: SIGKILL when the test process
	// ends leaves nothing behind.
	p, err := testproc.Start(g.cmd, syscall.SIGKILL)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		<-p.Done()
		g.exitCode = p.ExitCode()
		close(g.done)
	}()
	t.Cleanup(func() {
		if g.stop(20*time.Second) != 0 {
			t.Errorf("corsgate exited %d; its output:\n%s", g.exitCode, g.out.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, r := range g.records() {
			if r["msg"] == "corsgate serving" {
				g.serveRecord = r
				g.URL = "http://" + r["listen"].(string)
				if a, ok := r["admin"].(string); ok {
					g.Admin = "http://" + a
				}
				return g
			}
		}
		select {
		case <-g.done:
			t.Fatalf("corsgate exited %d before serving:\n%s", g.exitCode, g.out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("corsgate did not start serving:\n%s", g.out.String())
	return nil
}

// stop sends SIGTERM and waits for the exit code; after timeout it kills.
func (g *gate) stop(timeout time.Duration) int {
	select {
	case <-g.done:
		return g.exitCode
	default:
	}
	g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.done:
	case <-time.After(timeout):
		g.cmd.Process.Kill()
		<-g.done
		return -1
	}
	return g.exitCode
}

func (g *gate) signal(t testing.TB, sig os.Signal) {
	t.Helper()
	if err := g.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// waitLog waits for a log record with this message after the first skip.
func (g *gate) waitLog(t testing.TB, msg string, skip int) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		n := 0
		for _, r := range g.records() {
			if r["msg"] == msg {
				if n == skip {
					return r
				}
				n++
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no log record %q (#%d):\n%s", msg, skip+1, g.out.String())
	return nil
}

var client = &http.Client{Timeout: 15 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// send makes one request and returns the response with its body read.
func send(t testing.TB, method, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// writeConfig writes a configuration with both listeners on free loopback
// ports. Unless extra sets timeouts.drain, the drain is off: a test that
// stops corsgate has no load balancer to wait for.
func writeConfig(t testing.TB, path, upstream, mode, routes, extra string) {
	t.Helper()
	switch {
	case strings.Contains(extra, `"drain"`):
	case strings.Contains(extra, `"timeouts": {`):
		extra = strings.Replace(extra, `"timeouts": {`, `"timeouts": {"drain": "0s", `, 1)
	default:
		extra += ` "timeouts": {"drain": "0s"},`
	}
	data := fmt.Sprintf(`{"listen": "127.0.0.1:0", "admin": "127.0.0.1:0", "upstream": %q, "mode": %q, %s "routes": %s}`, upstream, mode, extra, routes)
	// Write and rename, as an editor saves: the watcher never reads half a file.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func originRoute(origin string) string {
	return `[{"path": "/", "policy": {"allowedOrigins": ["` + origin + `"]}}]`
}

// adminConfig reads /config.
func adminConfig(t testing.TB, g *gate) map[string]any {
	t.Helper()
	resp, body := send(t, "GET", g.Admin+"/config", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("/config: %d", resp.StatusCode)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestServe: the admin listener, both kinds of reload, a refused reload,
// and a graceful shutdown with a request in flight.
func TestServe(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			entered <- struct{}{}
			<-release
		}
		io.WriteString(w, "upstream "+r.URL.Path)
	}))
	defer up.Close()
	path := filepath.Join(t.TempDir(), "corsgate.json")
	writeConfig(t, path, up.URL, "enforce", originRoute("https://one.example"), "")
	g := startGate(t, path)
	acao := func(origin string) string {
		resp, body := send(t, "GET", g.URL+"/x", map[string]string{"Origin": origin})
		if resp.StatusCode != 200 || body != "upstream /x" {
			t.Errorf("GET /x: %d %q", resp.StatusCode, body)
		}
		return resp.Header.Get("Access-Control-Allow-Origin")
	}
	if got := acao("https://one.example"); got != "https://one.example" {
		t.Errorf("ACAO %q", got)
	}

	// Admin endpoints.
	for path, want := range map[string]string{"/healthz": "ok\n", "/readyz": "ready\n"} {
		if resp, body := send(t, "GET", g.Admin+path, nil); resp.StatusCode != 200 || body != want {
			t.Errorf("%s: %d %q", path, resp.StatusCode, body)
		}
	}
	c := adminConfig(t, g)
	if c["sha256"] != g.serveRecord["sha256"] || c["lastReload"] != nil || c["file"] != path {
		t.Errorf("/config at start: %v", c)
	}
	metrics := func() string { _, b := send(t, "GET", g.Admin+"/metrics", nil); return b }
	// A request is counted once its response is written; give it a moment.
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(metrics(), `route="/"} 1`) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	for _, want := range []string{
		`corsgate_requests_total{cors="actual",decision="allowed",reason="",route="/"} 1`,
		`corsgate_config_reloads_total{result="failed"} 0`,
		`corsgate_config_last_reload_successful 1`,
		`corsgate_request_duration_seconds_count{route="/"} 1`,
		`go_goroutines`, `process_open_fds`,
	} {
		if m := metrics(); !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	// An invalid file, by SIGHUP: refused, old policy in force, visible.
	os.WriteFile(path, []byte(`{"listen": "127.0.0.1:0", "upstream": "`+up.URL+`", "routes": [{"path": "/", "policy": {"allowedOrigins": ["https://two.example/"]}}]}`), 0o644)
	g.signal(t, syscall.SIGHUP)
	refused := g.waitLog(t, "configuration refused; the previous one stays in force", 0)
	if refused["trigger"] != "SIGHUP" || fmt.Sprint(refused["problems"]) != `[routes[0].policy.allowedOrigins[0]: "https://two.example/": trailing slash: an origin has no path; write "https://two.example" instead]` {
		t.Errorf("refusal record %v", refused)
	}
	if got := acao("https://one.example"); got != "https://one.example" {
		t.Errorf("after a refused reload, ACAO %q; want the old policy", got)
	}
	last := adminConfig(t, g)["lastReload"].(map[string]any)
	if last["ok"] != false || last["trigger"] != "SIGHUP" || len(last["problems"].([]any)) != 1 {
		t.Errorf("/config lastReload %v", last)
	}
	if m := metrics(); !strings.Contains(m, `corsgate_config_reloads_total{result="failed"} 1`) || !strings.Contains(m, `corsgate_config_last_reload_successful 0`) {
		t.Error("/metrics does not count the refused reload")
	}

	// A request in flight, then a valid file by file change: the new policy
	// applies to new requests, the one in flight finishes under the old.
	inflight := make(chan *http.Response, 1)
	go func() {
		r, _ := send(t, "GET", g.URL+"/slow", map[string]string{"Origin": "https://one.example"})
		inflight <- r
	}()
	<-entered
	writeConfig(t, path, up.URL, "enforce", originRoute("https://two.example"), "")
	g.waitLog(t, "configuration reloaded", 0)
	if got := acao("https://two.example"); got != "https://two.example" {
		t.Errorf("after the file changed, ACAO %q", got)
	}
	if got := acao("https://one.example"); got != "" {
		t.Errorf("after the file changed, the old origin gets ACAO %q", got)
	}
	last = adminConfig(t, g)["lastReload"].(map[string]any)
	if last["ok"] != true || last["trigger"] != "file change" {
		t.Errorf("/config lastReload %v", last)
	}

	// A file that moves the listener needs a restart: refused whole.
	os.WriteFile(path+".tmp", []byte(`{"listen": "127.0.0.1:1", "admin": "127.0.0.1:0", "upstream": "`+up.URL+`", "routes": `+originRoute("https://three.example")+`}`), 0o644)
	os.Rename(path+".tmp", path)
	refused = g.waitLog(t, "configuration refused; the previous one stays in force", 1)
	if !strings.Contains(fmt.Sprint(refused["problems"]), `listen: changed from "127.0.0.1:0" to "127.0.0.1:1", which needs a restart`) {
		t.Errorf("refusal record %v", refused)
	}
	if got := acao("https://two.example"); got != "https://two.example" {
		t.Errorf("after a refused reload, ACAO %q", got)
	}

	// SIGTERM with the request still in flight: not ready at once, the
	// request finishes, exit 0.
	g.signal(t, syscall.SIGTERM)
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, _ := send(t, "GET", g.Admin+"/readyz", nil)
		if resp.StatusCode == 503 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("/readyz still ready after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case <-g.done:
		t.Fatal("corsgate exited with a request in flight")
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	r := <-inflight
	if r == nil || r.StatusCode != 200 || r.Header.Get("Access-Control-Allow-Origin") != "https://one.example" {
		t.Errorf("the request in flight: %v", r)
	}
	select {
	case <-g.done:
		if g.exitCode != 0 {
			t.Errorf("exit %d", g.exitCode)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("corsgate did not exit after SIGTERM")
	}
	// The access log has the decision and the reason.
	var seen bool
	for _, r := range g.records() {
		if r["log"] == "access" && r["origin"] == "https://one.example" && r["decision"] == "rejected" {
			seen = r["reason"] == "origin-not-allowed" && r["route"] == "/" && r["cors"] == "actual"
		}
	}
	if !seen {
		t.Error("no access record of the rejected origin with its reason")
	}
}

// TestSlowClient: the server's header timeout cuts off a client that
// trickles its headers (slowloris), and a header block above the limit
// gets 431.
func TestSlowClient(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer up.Close()
	path := filepath.Join(t.TempDir(), "corsgate.json")
	writeConfig(t, path, up.URL, "enforce", originRoute("https://one.example"), `"timeouts": {"readHeader": "300ms"},`)
	g := startGate(t, path)
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(g.URL, "http://"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n")
	// The server must close the connection (300 ms); the read deadline
	// only catches a hang, however loaded the machine.
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err = io.ReadAll(conn); err != nil {
		t.Errorf("a trickling client was not cut off: %v", err)
	}
	// The header limit on a gateway of its own, whose header timeout
	// (the default) a loaded machine cannot reach.
	limited := filepath.Join(t.TempDir(), "limited.json")
	writeConfig(t, limited, up.URL, "enforce", originRoute("https://one.example"), `"maxHeaderBytes": 4096,`)
	g = startGate(t, limited)
	resp, _ := send(t, "GET", g.URL+"/", map[string]string{"X-Big": strings.Repeat("a", 8192)})
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("an 8 KiB header with a 4 KiB limit: %d, want 431", resp.StatusCode)
	}
}
