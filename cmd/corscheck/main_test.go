package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cors "github.com/corskit/cors"
)

func TestRun(t *testing.T) {
	m, err := cors.New(cors.Config{AllowedOrigins: []string{"https://app.example.com"}, AllowedMethods: []string{"PUT"}})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(m.Handler(http.NotFoundHandler()))
	defer api.Close()
	pm, err := cors.New(cors.Config{AllowedOrigins: []string{"http://localhost:*", "https://*.example.com"}, AllowCredentials: true})
	if err != nil {
		t.Fatal(err)
	}
	patterns := httptest.NewServer(pm.Handler(http.NotFoundHandler()))
	defer patterns.Close()
	reflect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		w.Header().Set("Access-Control-Allow-Credentials", "true")
	}))
	defer reflect.Close()
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(hang)
	closed := httptest.NewServer(http.NotFoundHandler())
	dead := closed.URL
	closed.Close()

	tests := []struct {
		name    string
		args    []string
		code    int
		stdout  string // substring
		stderr  string // substring; when set, stderr must be one line
		oneLine bool
	}{
		{"no args", nil, 2, "", "usage:", false},
		{"unknown command", []string{"frob"}, 2, "", `unknown command "frob"`, false},
		{"allowed", []string{"explain", api.URL, "--origin", "https://app.example.com"}, 0, "verdict:   ALLOWED", "", false},
		{"flags before URL", []string{"explain", "--origin", "https://app.example.com", "--method", "PUT", api.URL}, 0, "preflight passes", "", false},
		{"blocked", []string{"explain", api.URL, "--origin", "https://evil.example"}, 1, "reason:    MissingAllowOriginHeader", "", false},
		{"blocked xhr upload", []string{"explain", api.URL, "--origin", "https://evil.example", "--xhr-upload", "--method", "POST", "--data", "x"}, 1,
			"console:   Access to XMLHttpRequest at '" + api.URL + "' from origin 'https://evil.example' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.", "", false},
		{"firefox", []string{"explain", api.URL, "--origin", "https://evil.example", "--browser", "firefox"}, 1,
			"console:   Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at " + api.URL + ". (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 404.\n", "", false},
		{"safari", []string{"explain", api.URL, "--origin", "https://evil.example", "--browser", "safari", "--method", "DELETE"}, 1,
			"console:   Preflight response is not successful. Status code: 403\nconsole:   Fetch API cannot load " + api.URL + " due to access control checks.\n", "", false},
		{"every browser", []string{"explain", api.URL, "--origin", "https://evil.example", "--browser", "all"}, 1,
			"== Safari\nbrowser:   Safari\nverdict:   BLOCKED at the actual\nreason:    MissingAllowOriginHeader\nconsole:   Origin https://evil.example is not allowed by Access-Control-Allow-Origin. Status code: 404\n", "", false},
		{"unknown browser", []string{"explain", api.URL, "--origin", "https://a.example", "--browser", "opera"}, 2, "", "--browser opera: write chromium, firefox, safari or all", true},
		{"missing origin", []string{"explain", api.URL}, 2, "", "origin: missing origin", true},
		{"bad url", []string{"explain", "::nope", "--origin", "https://a.example"}, 2, "", "URL: cannot parse", true},
		{"two urls", []string{"explain", api.URL, api.URL, "--origin", "https://a.example"}, 2, "", "exactly one URL", true},
		{"malformed -H", []string{"explain", api.URL, "--origin", "https://a.example", "-H", "NoColon"}, 2, "", "-H NoColon: write 'Name: value'", true},
		{"unknown flag", []string{"explain", api.URL, "--bogus"}, 2, "", "unknown flag --bogus: run \"corscheck explain --help\"", true},
		{"timeout without unit", []string{"explain", api.URL, "--origin", "https://a.example", "--timeout", "5"}, 2, "", "--timeout 5: write a duration such as 5s", true},
		{"negative timeout", []string{"explain", api.URL, "--origin", "https://a.example", "--timeout", "-1s"}, 2, "", "--timeout -1s: write a positive duration", true},
		{"missing flag value", []string{"explain", api.URL, "--origin"}, 2, "", "--origin needs a value", true},
		{"data and data-file", []string{"explain", api.URL, "--origin", "https://a.example", "--data", "x", "--data-file", "f"}, 2, "", "give one of them", true},
		{"missing data file", []string{"explain", api.URL, "--origin", "https://a.example", "--data-file", "/nonexistent/x"}, 2, "", "--data-file /nonexistent/x", true},
		{"body on GET", []string{"explain", api.URL, "--origin", "https://a.example", "--data", "x"}, 2, "", "--data: fetch() throws a TypeError for a GET request with a body", true},
		{"bad origin names the flag", []string{"explain", api.URL, "--origin", "app.example.com"}, 2, "", "--origin: ", true},
		{"explain help", []string{"explain", "--help"}, 0, "--timeout duration\n      time limit for each request (a duration such as 5s or 1m) (default 10s)", "", false},
		{"explain help lists cookie", []string{"explain", "-h"}, 0, "--cookie string", "", false},
		{"audit help", []string{"audit", "--help"}, 0, "--deadline duration", "", false},
		{"audit help fail-on default", []string{"audit", "--help"}, 0, "(default high)", "", false},
		{"unreachable", []string{"explain", dead, "--origin", "https://a.example"}, 3, "", "connection refused", true},
		{"timeout", []string{"explain", slow.URL, "--origin", "https://a.example", "--timeout", "200ms"}, 3, "", "timed out", true},
		{"audit clean", []string{"audit", api.URL, "--trusted", "https://app.example.com"}, 0, "0 findings", "", false},
		{"audit vulnerable", []string{"audit", reflect.URL, "--fail-on", "high"}, 1, "CRITICAL origin-reflection", "", false},
		// --trusted takes the middleware's patterns: any port, any subdomain.
		// (The middleware trusts every subdomain of example.com: declared
		// with the pattern, that is no finding; with one name, it is.)
		{"audit trusted any port", []string{"audit", patterns.URL, "--trusted", "http://localhost:*", "--fail-on", "info"}, 0, "0 findings", "", false},
		{"audit trusted subdomains", []string{"audit", patterns.URL, "--trusted", "https://*.example.com", "--fail-on", "info"}, 0, "0 findings", "", false},
		{"audit trusted patterns", []string{"audit", patterns.URL, "--trusted", "http://localhost:*", "--trusted", "https://*.example.com", "--fail-on", "info"}, 0, "0 findings", "", false},
		{"audit trusted one subdomain", []string{"audit", patterns.URL, "--trusted", "https://www.example.com", "--fail-on", "medium"}, 1, "MEDIUM   any-subdomain", "", false},
		{"audit trusted bad pattern", []string{"audit", patterns.URL, "--trusted", "https://*"}, 2, "", "trusted:", true},
		{"audit below threshold", []string{"audit", reflect.URL, "--fail-on", "critical", "--trusted", "https://*.com"}, 0, "", "", false},
		{"audit bad severity", []string{"audit", reflect.URL, "--fail-on", "severe"}, 2, "", "--fail-on severe: write info, low, medium, high or critical", true},
		{"audit unreachable", []string{"audit", dead}, 3, "", "corscheck audit: audit request to " + dead + " failed: dial tcp ", true},
		{"audit trusted star", []string{"audit", reflect.URL, "--trusted", "*"}, 2, "", "--trusted '*': the audit asks which origins the site means to trust, and * is every page on the web: name them (--trusted https://app.example.com, or --trusted 'https://*.example.com' for its subdomains)", true},
		{"audit trusted without a scheme", []string{"audit", reflect.URL, "--trusted", "app.example.com"}, 2, "", `write "https://app.example.com" instead`, true},
		{"curl's -X", []string{"explain", api.URL, "-X", "PUT", "--origin", "https://a.example"}, 2, "", "unknown flag -X (curl's): write --method instead (corscheck explain --help)", true},
		{"curl's -d", []string{"explain", api.URL, "-d", "x", "--origin", "https://a.example"}, 2, "", "unknown flag -d (curl's): write --data instead", true},
		{"curl's -X in audit, which has no --method", []string{"audit", api.URL, "-X", "PUT"}, 2, "", `unknown flag -X: run "corscheck audit --help" for the flags there are`, true},
		{"credentials with a destination", []string{"explain", api.URL, "--origin", "https://a.example", "--destination", "style", "--credentials"}, 2, "", "--credentials: the element's crossorigin attribute decides whether a stylesheet (<link rel=stylesheet>) carries credentials: set it to use-credentials (--crossorigin use-credentials) instead", true},
		{"credentials with a font", []string{"explain", api.URL, "--origin", "https://a.example", "--destination", "font", "--credentials"}, 2, "", "--credentials: a font (@font-face) is always fetched without credentials: drop credentials", true},
		{"audit timeout", []string{"audit", slow.URL, "--timeout", "100ms"}, 3, "", "timed out", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			var code int
			endsWithin(t, time.Minute, func() { code = run(tt.args, &out, &errb) })
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errb.String())
			}
			if !strings.Contains(out.String(), tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, out.String())
			}
			if !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, errb.String())
			}
			if tt.oneLine && strings.Count(errb.String(), "\n") != 1 {
				t.Errorf("stderr is not one line:\n%s", errb.String())
			}
			// An error names the request once, and the flags, not
			// check.Request's fields.
			if n := strings.Count(errb.String(), " request to "); n > 1 {
				t.Errorf("stderr names the request %d times:\n%s", n, errb.String())
			}
			if strings.Contains(errb.String(), "CrossOrigin") {
				t.Errorf("stderr names a Go field:\n%s", errb.String())
			}
		})
	}
}

// endsWithin runs f and fails t if f has not returned within limit: a
// liveness bound that catches a hang, far above what f takes on any
// machine, not a measure of speed.
func endsWithin(t *testing.T, limit time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("still running after %v: it hangs", limit)
	}
}

// TestTimeoutFlag: --timeout is the limit of the client each request goes
// through (TestRun's timeout rows show that the error says so).
func TestTimeoutFlag(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want time.Duration
	}{
		{nil, 10 * time.Second},
		{[]string{"--timeout", "200ms"}, 200 * time.Millisecond},
		{[]string{"-timeout=1m30s"}, 90 * time.Second},
	} {
		fs := newFlagSet("explain", "")
		var c common
		c.register(fs)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		if got := c.client().Timeout; got != tt.want {
			t.Errorf("%q: client timeout %v, want %v", tt.args, got, tt.want)
		}
	}
}

func TestRunJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}))
	defer srv.Close()
	var out, errb bytes.Buffer
	if code := run([]string{"explain", srv.URL, "--origin", "https://a.example", "--credentials", "--json"}, &out, &errb); code != 1 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var v map[string]any
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"allowed", "preflight", "stage", "reason", "message"} {
		if _, ok := v[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if v["reason"] != "WildcardOriginNotAllowed" || v["stage"] != "actual" || v["allowed"] != false {
		t.Errorf("JSON = %v", v)
	}

	// --browser all: the same fields, Chromium's, and each browser's in
	// "browsers".
	out.Reset()
	if code := run([]string{"explain", srv.URL, "--origin", "https://a.example", "--credentials", "--json", "--browser", "all"}, &out, &errb); code != 1 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var all struct {
		Browser  string `json:"browser"`
		Message  string `json:"message"`
		Browsers map[string]struct {
			Allowed bool     `json:"allowed"`
			Message string   `json:"message"`
			Console []string `json:"console"`
		} `json:"browsers"`
	}
	if err := json.Unmarshal(out.Bytes(), &all); err != nil {
		t.Fatal(err)
	}
	wantMessage := map[string]string{
		"chromium": "Access to fetch at '" + srv.URL + "' from origin 'https://a.example' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
		"firefox":  "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ‘" + srv.URL + "’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’).",
		"safari":   "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true.",
	}
	if all.Browser != "chromium" || all.Message != wantMessage["chromium"] || len(all.Browsers) != 3 {
		t.Errorf("JSON for every browser: %s", out.String())
	}
	for b, m := range wantMessage {
		if r := all.Browsers[b]; r.Allowed || r.Message != m || len(r.Console) == 0 || r.Console[0] != m {
			t.Errorf("%s: %+v, want message %q", b, r, m)
		}
	}

	out.Reset()
	if code := run([]string{"audit", srv.URL, "--json", "--fail-on", "info"}, &out, &errb); code != 1 {
		t.Fatalf("audit exit %d", code)
	}
	var rep struct {
		Summary  map[string]any   `json:"summary"`
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, out.String())
	}
	if len(rep.Findings) == 0 || rep.Summary["findings"] != float64(len(rep.Findings)) || rep.Summary["max"] != "info" {
		t.Errorf("report %+v", rep)
	}
	for _, f := range rep.Findings {
		if f["class"] != "wildcard-origin" || f["severity"] != "info" {
			t.Errorf("finding %v", f)
		}
	}

	// No findings: still one summary object.
	clean := httptest.NewServer(http.NotFoundHandler())
	defer clean.Close()
	out.Reset()
	if code := run([]string{"audit", clean.URL, "--json"}, &out, &errb); code != 0 {
		t.Fatalf("clean audit exit %d: %s", code, errb.String())
	}
	rep.Summary, rep.Findings = nil, nil
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v:\n%q", err, out.String())
	}
	if rep.Summary["findings"] != float64(0) || rep.Findings == nil || len(rep.Findings) != 0 {
		t.Errorf("clean report: %s", out.String())
	}
}

// TestAuditHangingDefault: with the default flags, an audit of a server that
// accepts connections but never answers ends with exit 3 after its first
// requests time out (10 s each), not after every probe's.
func TestAuditHangingDefault(t *testing.T) {
	t.Parallel()
	hang := make(chan struct{})
	var mu sync.Mutex
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		mu.Unlock()
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(hang)
	var out, errb bytes.Buffer
	var code int
	endsWithin(t, 2*time.Minute, func() { code = run([]string{"audit", srv.URL}, &out, &errb) })
	if code != 3 || !strings.Contains(errb.String(), "does not answer") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if requests == 0 || requests > 3 {
		t.Errorf("the server got %d requests, want 1 to 3: the audit stops after the first timeouts", requests)
	}
}

// TestExplainDataFile: --data-file sends the file as the body of the actual
// request.
func TestExplainDataFile(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			b, _ := io.ReadAll(r.Body)
			got = string(b)
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}))
	defer srv.Close()
	f := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(f, []byte(`{"a":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"explain", srv.URL, "--origin", "https://a.example", "--method", "POST", "--send-actual", "--data-file", f}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errb.String())
	}
	if got != `{"a":1}` {
		t.Errorf("server got body %q", got)
	}
}

// TestBrowserAllDifferences: --browser all shows first where the browsers
// differ, side by side. A Range of "BYTES=0-1" needs a preflight in
// Chromium and Firefox (Fetch asks for "bytes" as written) but not in
// Safari, whose safelist ignores the case; the server refuses every
// preflight, so Safari alone reads the response.
func TestBrowserAllDifferences(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}))
	defer srv.Close()
	var out, errb bytes.Buffer
	if code := run([]string{"explain", srv.URL, "--origin", "https://a.example", "-H", "Range: BYTES=0-1", "--browser", "all"}, &out, &errb); code != 1 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	text := out.String()
	for _, want := range []string{
		"== where the browsers differ\nverdict:\n  Chromium  BLOCKED\n  Firefox   BLOCKED\n  Safari    ALLOWED\n",
		"preflight:\n  Chromium  yes, Access-Control-Request-Headers: range\n  Firefox   yes, Access-Control-Request-Headers: range\n  Safari    none\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks\n%s\n---\n%s", want, text)
		}
	}
}

// TestRedirectRefusedIsBlocked: a redirect to data: is not a network error
// (exit 3, no line) but a blocked request with each browser's line.
func TestRedirectRefusedIsBlocked(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		http.Redirect(w, r, "data:text/plain,hi", http.StatusFound)
	}))
	defer srv.Close()
	for browser, want := range map[string]string{
		"chromium": "console:   Failed to load resource: net::ERR_UNSAFE_REDIRECT\n",
		"firefox":  "console:   Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at " + srv.URL + ". (Reason: CORS request did not succeed). Status code: (null).\n",
		"safari":   "console:   Cross-origin redirection to data:text/plain,hi denied by Cross-Origin Resource Sharing policy: not allowed to follow a cross-origin CORS redirection with non CORS scheme\n",
	} {
		var out, errb bytes.Buffer
		if code := run([]string{"explain", srv.URL, "--origin", "https://a.example", "--browser", browser}, &out, &errb); code != 1 {
			t.Errorf("%s: exit %d: %s", browser, code, errb.String())
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("%s: output lacks %q:\n%s", browser, want, out.String())
		}
	}
}

// TestModeNoCORS: --mode no-cors explains an opaque response, and refuses a
// method fetch() refuses there.
func TestModeNoCORS(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	var out, errb bytes.Buffer
	if code := run([]string{"explain", srv.URL, "--origin", "https://a.example", "--mode", "no-cors"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "opaque") {
		t.Errorf("exit %d:\n%s%s", code, out.String(), errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"explain", srv.URL, "--origin", "https://a.example", "--mode", "no-cors", "--method", "PUT"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "--method") {
		t.Errorf("PUT in no-cors: exit %d: %s", code, errb.String())
	}
}
