package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestGate puts corsgate (the real binary, built from cmd/corsgate) in
// front of a backend with the classic hand-written CORS mistakes and calls
// through it from a page on another origin, with fetch and with
// XMLHttpRequest. The verdicts are the policy's; the backend's own wrong
// CORS headers, which Chromium blocks when the page calls the backend
// directly, are replaced; the backend's 500 and, once the backend is
// stopped, the gateway's 502 are statuses the page reads.
//
// The backend is gateBackend, in this process: the API of corsgate's own
// tests of Debian's nginx (cmd/corsgate/internal/nginxtest.Backend), which
// is where the gateway is proven against nginx over HTTP. That package is
// internal to corsgate's module, which is the one place that starts nginx
// for tests; what this test adds, the browser's verdict on what the
// gateway answers, does not depend on the backend's implementation.
//
// This file uses only browser, openPage and evalJSON from the harness.
func TestGate(t *testing.T) {
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><html><head><meta charset="utf-8"><title>corsgate e2e</title><link rel="icon" href="data:,"></head><body></body></html>`)
	}))
	defer page.Close()
	ng := httptest.NewServer(http.HandlerFunc(gateBackend))
	defer ng.Close()
	gate := startCorsgate(t, fmt.Sprintf(`{
	  "listen": "127.0.0.1:0", "upstream": %q, "mode": "enforce",
	  "routes": [
	    {"path": "/api/", "policy": {"allowedOrigins": [%q], "allowedMethods": ["PUT"], "allowedHeaders": ["Content-Type"], "allowCredentials": true, "maxAge": -1}},
	    {"path": "/static/", "policy": {"allowedOrigins": ["*"]}}
	  ]}`, ng.URL, page.URL))
	// The tab's time limit starts now, after the build.
	ctx := browser(t)
	openPage(t, ctx, page.URL+"/")

	type call struct {
		name, method, url string
		headers           map[string]string
		body              string
		credentials       bool
		// the verdict: readable with this status and a body starting so,
		// or (status 0) blocked
		status int
		body0  string
	}
	calls := []call{
		{"JSON through the gateway", "GET", gate + "/api/items.json", nil, "", false, 200, `{"items":[1,2,3],"from":"backend"}`},
		{"with credentials", "GET", gate + "/api/items.json", nil, "", true, 200, `{"items"`},
		{"preflighted PUT, answered by the gateway", "PUT", gate + "/api/items.json", map[string]string{"Content-Type": "application/json"}, `{"a":1}`, false, 200, `{"items"`},
		{"DELETE: not in the policy, the preflight fails", "DELETE", gate + "/api/items.json", nil, "", false, 0, ""},
		{"the backend's wrong headers, called directly: blocked", "GET", ng.URL + "/api/wrong/x", nil, "", true, 0, ""},
		{"the backend's wrong headers, through the gateway: replaced", "GET", gate + "/api/wrong/x", nil, "", true, 200, `{"wrong":true}`},
		{"the backend's 500 is readable", "GET", gate + "/api/fail", nil, "", false, 500, `{"error":"boom"}`},
		{"a static file for any origin", "GET", gate + "/static/notes.txt", nil, "", false, 200, "notes from the backend"},
		{"a path no route covers", "GET", gate + "/other", nil, "", false, 0, ""},
	}
	check := func(c call) {
		t.Helper()
		for _, api := range []string{"fetch", "xhr"} {
			got, err := gateCall(ctx, api, c.method, c.url, c.headers, c.body, c.credentials)
			if err != nil {
				t.Fatalf("%s (%s): %v", c.name, api, err)
			}
			if c.status == 0 {
				if got.OK {
					t.Errorf("%s (%s): the page read %d %q; want blocked", c.name, api, got.Status, got.Body)
				}
				continue
			}
			if !got.OK || got.Status != c.status || !strings.HasPrefix(got.Body, c.body0) {
				t.Errorf("%s (%s): ok=%v %d %q (%s); want %d %q…", c.name, api, got.OK, got.Status, got.Body, got.Error, c.status, c.body0)
			}
		}
	}
	for _, c := range calls {
		check(c)
	}

	ng.Close()
	check(call{"the backend stopped: the page reads the gateway's 502", "GET", gate + "/api/items.json", nil, "", true, 502, "502 Bad Gateway"})
	check(call{"the backend stopped, a preflighted PUT: the preflight is the gateway's, the PUT reads 502", "PUT", gate + "/api/items.json",
		map[string]string{"Content-Type": "application/json"}, `{}`, false, 502, "502 Bad Gateway"})
}

// TestGatePathConfusion: a page on the partner's origin cannot read what
// the backend's /api/ handler answers, however it spells the path. The
// backend routes on the raw path as many routers do (";" parameters cut
// from each segment, dot segments resolved, %2F not decoded), so
// /api/..%2Fpartner/x is its /api/ handler; Chromium sends "..%2F" and
// "..;" as written. Before corsgate normalised paths (issue 23), it
// judged that request by the partner's route and let the page read the
// api handler's answer with credentials.
func TestGatePathConfusion(t *testing.T) {
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><html><head><meta charset="utf-8"><title>partner</title><link rel="icon" href="data:,"></head><body></body></html>`)
	}))
	defer page.Close()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _, _ := strings.Cut(r.RequestURI, "?")
		segs := strings.Split(raw, "/")
		for i, s := range segs {
			segs[i], _, _ = strings.Cut(s, ";")
		}
		first, _, _ := strings.Cut(strings.TrimPrefix(path.Clean(strings.Join(segs, "/")), "/"), "/")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"handler": %q}`, first)
	}))
	defer backend.Close()
	gate := startCorsgate(t, fmt.Sprintf(`{
	  "listen": "127.0.0.1:0", "upstream": %q, "mode": "enforce",
	  "routes": [
	    {"path": "/api/", "policy": {"allowedOrigins": ["https://app.example.com"], "allowCredentials": true}},
	    {"path": "/partner/", "policy": {"allowedOrigins": [%q], "allowCredentials": true}}
	  ]}`, backend.URL, page.URL))
	ctx := browser(t)
	openPage(t, ctx, page.URL+"/")

	for _, tt := range []struct {
		path     string
		readable string // the handler whose answer the page may read; "" for none
	}{
		{"/partner/x", "partner"},
		{"/api/x", ""},
		{"/api/..%2Fpartner/x", ""},
		{"/api/..%2fpartner/x", ""},
		{"/partner/..;/api/x", ""},
		{"/partner/..%3B/api/x", "partner"},  // an encoded ";" is data, not a parameter
		{"/api/%2e%2e/partner/x", "partner"}, // Chromium resolves %2e%2e itself
		{"/api/..%252Fpartner/x", ""},
		{"/api/..%5Cpartner/x", ""},
	} {
		for _, api := range []string{"fetch", "xhr"} {
			got, err := gateCall(ctx, api, "GET", gate+tt.path, nil, "", true)
			if err != nil {
				t.Fatalf("%s (%s): %v", tt.path, api, err)
			}
			switch {
			case got.OK && strings.Contains(got.Body, `"api"`):
				t.Errorf("%s (%s): the partner's page read the api handler's answer: %d %q", tt.path, api, got.Status, got.Body)
			case tt.readable != "" && (!got.OK || !strings.Contains(got.Body, `"`+tt.readable+`"`)):
				t.Errorf("%s (%s): ok=%v %d %q (%s); want the %s handler's answer", tt.path, api, got.OK, got.Status, got.Body, got.Error, tt.readable)
			case tt.readable == "" && got.OK && got.Status == 200:
				t.Errorf("%s (%s): the page read %d %q", tt.path, api, got.Status, got.Body)
			}
		}
	}
}

// gateBackend answers as cmd/corsgate/internal/nginxtest.Backend's nginx
// configuration does, CORS mistakes included:
//
//	/static/notes.txt   text
//	/api/items.json     200, a small JSON document
//	/api/wrong/…        200 JSON with Access-Control-Allow-Origin twice ("*"
//	                    and the reflected Origin), credentials with them,
//	                    and a Vary of its own
//	/api/fail           500 JSON, without CORS headers
//	anything else       404
func gateBackend(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	switch p := r.URL.Path; {
	case p == "/static/notes.txt":
		h.Set("Content-Type", "text/plain")
		io.WriteString(w, "notes from the backend\n")
	case p == "/api/items.json":
		h.Set("Content-Type", "application/json")
		io.WriteString(w, `{"items":[1,2,3],"from":"backend"}`)
	case strings.HasPrefix(p, "/api/wrong/"):
		h.Set("Content-Type", "application/json")
		h["Access-Control-Allow-Origin"] = []string{"*", r.Header.Get("Origin")}
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
		h.Set("Vary", "Accept-Encoding")
		io.WriteString(w, `{"wrong":true}`)
	case p == "/api/fail":
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"error":"boom"}`)
	default:
		http.NotFound(w, r)
	}
}

type gateResult struct {
	OK     bool   `json:"ok"`
	Status int    `json:"status"`
	Body   string `json:"body"`
	Error  string `json:"error"`
}

// gateCall makes one fetch or XHR from the page and reports what the
// script saw.
func gateCall(ctx context.Context, api, method, url string, headers map[string]string, body string, creds bool) (gateResult, error) {
	spec, _ := json.Marshal(map[string]any{"api": api, "method": method, "url": url, "headers": headers, "body": body, "creds": creds})
	js := `const s = ` + string(spec) + `;
if (s.api === 'fetch') {
  const init = {method: s.method, headers: s.headers || {}, credentials: s.creds ? 'include' : 'same-origin'};
  if (s.body) init.body = s.body;
  try {
    const r = await fetch(s.url, init);
    return {ok: true, status: r.status, body: await r.text()};
  } catch (e) {
    return {ok: false, status: 0, body: '', error: String(e)};
  }
}
return await new Promise((resolve) => {
  const x = new XMLHttpRequest();
  x.open(s.method, s.url);
  x.withCredentials = s.creds;
  for (const [k, v] of Object.entries(s.headers || {})) x.setRequestHeader(k, v);
  x.onload = () => resolve({ok: true, status: x.status, body: x.responseText});
  x.onerror = () => resolve({ok: false, status: x.status, body: '', error: 'XMLHttpRequest error'});
  x.timeout = 15000;
  x.ontimeout = () => resolve({ok: false, status: 0, body: '', error: 'XMLHttpRequest timeout'});
  x.send(s.body || null);
});`
	var res gateResult
	err := evalJSON(ctx, js, &res)
	return res, err
}

// startCorsgate builds cmd/corsgate, starts it with config, and returns
// its URL. It is stopped with SIGTERM, by its PID, and reaped when the test
// ends; if the test process ends without its cleanup (go test's -timeout,
// SIGKILL), the kernel kills it (its parent-death signal, tied to the
// thread that forks it, which is kept until it has been reaped:
// go.dev/issue/27505). corsgate starts no process of its own.
func startCorsgate(t *testing.T, config string) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "corsgate")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = filepath.Join("..", "cmd", "corsgate")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building corsgate: %v\n%s", err, out)
	}
	path := filepath.Join(dir, "corsgate.json")
	if err := os.WriteFile(path, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-config", path, "-access-log=false")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan error, 1)
	exited := make(chan struct{}) // closed once corsgate has been reaped
	var exitErr error
	addr := make(chan string, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: see above
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var rec struct{ Msg, Listen string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "corsgate serving" {
				addr <- rec.Listen
			}
			t.Logf("corsgate: %s", sc.Text())
		}
		exitErr = cmd.Wait()
		close(exited)
	}()
	if err := <-started; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	select {
	case a := <-addr:
		return "http://" + a
	case <-exited:
		t.Fatalf("corsgate exited: %v", exitErr)
	case <-time.After(20 * time.Second):
		t.Fatal("corsgate did not start within 20s")
	}
	return ""
}
