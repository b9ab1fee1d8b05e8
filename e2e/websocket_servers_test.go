package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	coder "github.com/coder/websocket"
	"github.com/gorilla/websocket"

	"github.com/corskit/cors/check"
)

// This file runs the checker against WebSocket servers corskit did not
// write: Node's ws package (npm, installed from testdata/wsnode's lockfile),
// gorilla/websocket and coder/websocket, each with its origin check off and
// on. TestWebSocketHijack then opens the same sockets from a Chromium page.

// wsAllowed is the page origin the checking servers accept.
const wsAllowed = "https://app.example.com"

// wsEndpoint is one server under test.
type wsEndpoint struct {
	name string
	url  string // ws://127.0.0.1:P/path
	// checks: the server checks Origin; allowed is then an origin it
	// accepts, refused the status it refuses others with (each library's
	// documented answer: ws's verifyClient 401, gorilla's and coder's 403).
	checks  bool
	allowed string
	refused int
	// schemeBlind: the check compares hosts only, so the allowed origin's
	// http:// twin passes too.
	schemeBlind bool
}

// wsEndpoints starts every server and returns its endpoints; the ones that
// check accept allowed (an origin). The Node server needs node and npm;
// without them the Node endpoints are missing and the test says so (it
// fails under CI=true).
func wsEndpoints(t *testing.T, allowed string) []wsEndpoint {
	t.Helper()
	send := func(send func(msg string) error, r *http.Request) {
		c, _ := r.Cookie("session")
		v := ""
		if c != nil {
			v = c.Value
		}
		_ = send("hello " + r.URL.Path + " " + v)
	}
	gorillaHandler := func(up *websocket.Upgrader) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := up.Upgrade(w, r, nil)
			if err != nil {
				return // Upgrade has answered (403 for a refused origin)
			}
			defer c.Close()
			send(func(m string) error { return c.WriteMessage(websocket.TextMessage, []byte(m)) }, r)
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, _, _ = c.ReadMessage()
		})
	}
	coderHandler := func(opts *coder.AcceptOptions) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := coder.Accept(w, r, opts)
			if err != nil {
				return // Accept has answered (403 for a refused origin)
			}
			defer c.CloseNow()
			ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
			defer cancel()
			send(func(m string) error { return c.Write(ctx, coder.MessageText, []byte(m)) }, r)
			_, _, _ = c.Read(ctx)
		})
	}
	mux := http.NewServeMux()
	// gorilla/websocket: CheckOrigin nil refuses an Origin whose host is
	// not the request's Host; the usual way to "fix" a cross-origin error is
	// a CheckOrigin that returns true.
	mux.Handle("/gorilla/default", gorillaHandler(&websocket.Upgrader{}))
	mux.Handle("/gorilla/checked", gorillaHandler(&websocket.Upgrader{CheckOrigin: func(r *http.Request) bool {
		return r.Header.Get("Origin") == allowed
	}}))
	mux.Handle("/gorilla/open", gorillaHandler(&websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}))
	// coder/websocket: OriginPatterns lists the origins accepted besides
	// the request's own host, by host alone unless a pattern has a scheme
	// (written here as most code writes it, without); InsecureSkipVerify
	// turns the check off.
	allowedURL, err := url.Parse(allowed)
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/coder/checked", coderHandler(&coder.AcceptOptions{OriginPatterns: []string{allowedURL.Host}}))
	mux.Handle("/coder/open", coderHandler(&coder.AcceptOptions{InsecureSkipVerify: true}))
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ReadHeaderTimeout = 10 * time.Second
	srv.Start()
	t.Cleanup(srv.Close)
	base := "ws" + strings.TrimPrefix(srv.URL, "http")
	eps := []wsEndpoint{
		{name: "gorilla, CheckOrigin nil", url: base + "/gorilla/default", checks: true, allowed: srv.URL, refused: 403},
		{name: "gorilla, CheckOrigin allow-list", url: base + "/gorilla/checked", checks: true, allowed: allowed, refused: 403},
		{name: "gorilla, CheckOrigin returns true", url: base + "/gorilla/open"},
		{name: "coder, OriginPatterns", url: base + "/coder/checked", checks: true, allowed: allowed, refused: 403, schemeBlind: true},
		{name: "coder, InsecureSkipVerify", url: base + "/coder/open"},
	}
	if port, err := startNodeWS(t, allowed); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and the Node ws server cannot run: %v", err)
		}
		t.Logf("SKIPPING the Node ws endpoints: %v", err)
	} else {
		nb := fmt.Sprintf("ws://127.0.0.1:%d", port)
		eps = append(eps,
			wsEndpoint{name: "node ws, no verifyClient", url: nb + "/open"},
			wsEndpoint{name: "node ws, verifyClient", url: nb + "/checked", checks: true, allowed: allowed, refused: 401},
		)
	}
	return eps
}

// wsNodeDir is the npm package of the Node server.
var wsNodeDir = filepath.Join("testdata", "wsnode")

// installNodeWS installs testdata/wsnode's locked dependencies (npm ci),
// unless they are there already. npm uses its cache first, so only the
// first run on a machine needs the registry.
func installNodeWS() error {
	if _, err := exec.LookPath("node"); err != nil {
		return fmt.Errorf("no node on $PATH (install Node.js 18 or later)")
	}
	if _, err := os.Stat(filepath.Join(wsNodeDir, "node_modules", "ws", "package.json")); err == nil {
		return nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("no npm on $PATH to install %s", wsNodeDir)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts")
	cmd.Dir = wsNodeDir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm ci in %s: %v\n%s", wsNodeDir, err, out)
	}
	return nil
}

// startNodeWS starts testdata/wsnode/server.js and returns its port. The
// process dies with the test: it is killed at cleanup, and exits by itself
// when its stdin (a pipe from this process) closes.
func startNodeWS(t *testing.T, allowed string) (int, error) {
	if err := installNodeWS(); err != nil {
		return 0, err
	}
	cmd := exec.Command("node", "server.js", allowed)
	cmd.Dir = wsNodeDir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 0, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	t.Cleanup(func() {
		stdin.Close()
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	ready := make(chan int, 1)
	go func() {
		var msg struct{ Port int }
		if line, err := bufio.NewReader(stdout).ReadBytes('\n'); err == nil && json.Unmarshal(line, &msg) == nil {
			ready <- msg.Port
		}
		close(ready)
	}()
	select {
	case port, ok := <-ready:
		if !ok || port == 0 {
			return 0, fmt.Errorf("node server.js did not print its port")
		}
		return port, nil
	case <-time.After(30 * time.Second):
		return 0, fmt.Errorf("node server.js did not start within 30s")
	}
}

// TestWebSocketServers checks corscheck's WebSocket verdicts against each
// server: explain from an attacker's origin and from the allowed one, and
// audit with a session cookie (and without, and by discovery from the
// http:// URL, on the Node server without a check).
func TestWebSocketServers(t *testing.T) {
	const evil = "https://evil.example"
	client := &http.Client{Timeout: 10 * time.Second}
	for _, ep := range wsEndpoints(t, wsAllowed) {
		t.Run(ep.name, func(t *testing.T) {
			ctx := context.Background()
			res, err := check.ExplainWebSocket(ctx, client, check.WebSocketRequest{URL: ep.url, Origin: evil, Cookie: "session=s3cret"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Accepted == ep.checks || res.Hijackable == ep.checks || res.AnyOrigin == ep.checks {
				t.Errorf("explain from %s: accepted %v, any origin %v, hijackable %v; want all %v", evil, res.Accepted, res.AnyOrigin, res.Hijackable, !ep.checks)
			}
			if ep.checks {
				want := fmt.Sprintf("WebSocket connection to '%s' failed: Error during WebSocket handshake: Unexpected response code: %d", ep.url, ep.refused)
				if ep.refused == http.StatusUnauthorized {
					// Chromium tries HTTP authentication on a 401 (seen in
					// TestWebSocketHijack).
					want = fmt.Sprintf("WebSocket connection to '%s' failed: HTTP Authentication failed; no valid credentials available", ep.url)
				}
				if res.Message != want {
					t.Errorf("message\n got %q\nwant %q", res.Message, want)
				}
				ok, err := check.ExplainWebSocket(ctx, client, check.WebSocketRequest{URL: ep.url, Origin: ep.allowed, Cookie: "session=s3cret"})
				if err != nil {
					t.Fatal(err)
				}
				if !ok.Accepted || ok.AnyOrigin || ok.Hijackable || ok.Message != "" {
					t.Errorf("explain from %s: accepted %v, any origin %v, hijackable %v, message %q; want accepted, origin checked", ep.allowed, ok.Accepted, ok.AnyOrigin, ok.Hijackable, ok.Message)
				}
			} else if res.Message != "" || !strings.Contains(res.Explanation, "does not check Origin") {
				t.Errorf("message %q, explanation %q; want none, and one that says Origin is not checked", res.Message, res.Explanation)
			}

			trusted := ep.allowed
			if trusted == "" {
				trusted = wsAllowed
			}
			rep, err := check.Audit(ctx, client, ep.url, check.AuditOptions{
				Trusted:          []string{trusted},
				CredentialHeader: http.Header{"Cookie": {"session=s3cret"}},
			})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case ep.schemeBlind:
				// coder/websocket matches OriginPatterns against the
				// Origin's host alone: http://app.example.com passes, and
				// a network attacker's injected script there can open
				// the https site's socket.
				if f := wsFinding(t, rep, check.ClassInsecureScheme); len(rep.Findings) != 1 || f.Severity != check.Medium || f.Origin != "http://app.example.com" {
					t.Errorf("audit: %d findings, http-origin-trusted %s from %s; want that one, medium, from http://app.example.com", len(rep.Findings), f.Severity, f.Origin)
				}
				return
			case ep.checks:
				if len(rep.Findings) != 0 {
					t.Errorf("audit of a server that checks Origin: %d findings, want none: %+v", len(rep.Findings), rep.Findings)
				}
				return
			}
			f := wsFinding(t, rep, check.ClassReflection)
			if f.Severity != check.Critical || !f.Credentials || f.Target != ep.url || f.Evidence.Status != http.StatusSwitchingProtocols {
				t.Errorf("reflection finding: severity %s, credentials %v, target %s, status %d; want critical, true, %s, 101", f.Severity, f.Credentials, f.Target, f.Evidence.Status, ep.url)
			}
			if len(rep.Findings) != 1 || len(f.Probes) < 3 {
				t.Errorf("%d findings (want 1: any origin is one root cause) with %d probes (want the null and third-party ones folded in)", len(rep.Findings), len(f.Probes))
			}
			if !strings.HasPrefix(ep.name, "node") {
				return
			}
			// Without a cookie, nothing shows that the socket is
			// cookie-authenticated: the same root cause, low.
			rep, err = check.Audit(ctx, client, ep.url, check.AuditOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if f := wsFinding(t, rep, check.ClassReflection); f.Severity != check.Low || f.Credentials {
				t.Errorf("audit without a cookie: severity %s, credentials %v; want low, false", f.Severity, f.Credentials)
			}
			// Given the http:// URL, the audit finds the socket.
			httpURL := "http" + strings.TrimPrefix(ep.url, "ws")
			rep, err = check.Audit(ctx, client, httpURL, check.AuditOptions{CredentialHeader: http.Header{"Cookie": {"session=s3cret"}}})
			if err != nil {
				t.Fatal(err)
			}
			if f := wsFinding(t, rep, check.ClassReflection); f.Severity != check.Critical || f.Target != ep.url {
				t.Errorf("audit of %s: WebSocket reflection %s on %s; want critical on %s", httpURL, f.Severity, f.Target, ep.url)
			}
		})
	}
}

// wsFinding returns the report's WebSocket finding of class, failing the
// test when there is none.
func wsFinding(t *testing.T, rep *check.Report, class check.Class) check.Finding {
	t.Helper()
	for _, f := range rep.Findings {
		if f.Class == class && f.Probe == check.WebSocketProbe {
			return f
		}
	}
	t.Fatalf("no WebSocket %s finding in %+v", class, rep.Findings)
	return check.Finding{}
}
