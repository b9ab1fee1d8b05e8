package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/corskit/cors/check"
	"github.com/corskit/cors/cmd/corsgate/internal/nginxtest"
)

// The tests in this file attack corsgate, the process, as a reviewer did
// (issue 23): each one failed on the gateway before it was hardened.

const (
	appOrigin2     = "http://app.localhost:3000"
	partnerOrigin  = "http://partner.localhost:4000"
	confusedRoutes = `[
  {"path": "/api/", "policy": {"allowedOrigins": ["` + appOrigin2 + `"], "allowCredentials": true}},
  {"path": "/partner/", "policy": {"allowedOrigins": ["` + partnerOrigin + `"], "allowCredentials": true}},
  {"path": "/", "policy": {"allowedOrigins": ["` + appOrigin2 + `"]}}
]`
)

// pathTricks are request targets that read as one route to a router and
// as another to a backend (package urlpath has the whole table).
var pathTricks = []string{
	"/api/..%2Fpartner/x",
	"/api/..%2fpartner/x",
	"/api/%2e%2e/partner/x",
	"/api/%2E%2E/partner/x",
	"/api/.%2e/partner/x",
	"/partner/..;/api/x",
	"/partner/..%3B/api/x",
	"/api/..%252Fpartner/x",
	"/api/..%5Cpartner/x",
	`/api/..\partner/x`,
	"/api//..//partner/x",
	"//api/../partner/x",
	"/api/../partner/x",
	"/partner/../api/x",
	"/api/x/../../partner/x",
	"/api/../../partner/x",
	"/api/x;/../../partner/x",
	"/%61pi/..%2Fpartner/x",
	"/api/%2e%2e%2fpartner/x",
	"/api/x%00/../../partner/x",
	"http://gate/api/..%2Fpartner/x",
	"http://gate/api/%2e%2e/partner/x",
}

// TestPathConfusion: the route whose policy is applied is the route the
// backend serves, for every trick, against a backend that routes on the
// raw path (Go) and against nginx, which normalises as the gateway does.
// Before, /api/..%2Fpartner/x got the partner's credentialed policy and the
// api handler's answer.
func TestPathConfusion(t *testing.T) {
	ng := nginxtest.Start(t, nginxtest.Config{Server: `
    location /api/ { default_type application/json; return 200 '{"handler": "api"}'; }
    location /partner/ { default_type application/json; return 200 '{"handler": "partner"}'; }
    location / { default_type application/json; return 200 '{"handler": "none"}'; }`})
	for _, up := range []struct{ name, url string }{{"raw-path router", newBackend(t).URL}, {"nginx", ng.URL}} {
		t.Run(up.name, func(t *testing.T) {
			g := startGateFor(t, up.url, "enforce", confusedRoutes, "")
			addr := strings.TrimPrefix(g.URL, "http://")
			granted := map[string]string{"api": appOrigin2, "partner": partnerOrigin}
			served := 0
			for _, trick := range pathTricks {
				for _, origin := range []string{appOrigin2, partnerOrigin} {
					raw, _ := rawExchange(t, addr, "GET "+trick+" HTTP/1.1\r\nHost: gate\r\nOrigin: "+origin+"\r\nConnection: close\r\n\r\n")
					resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), nil)
					if err != nil {
						t.Errorf("%s: no response: %q", trick, raw)
						continue
					}
					body, _ := io.ReadAll(resp.Body)
					var got struct{ Handler string }
					json.Unmarshal(body, &got)
					acao := resp.Header.Get("Access-Control-Allow-Origin")
					switch {
					case resp.StatusCode == 400:
						if acao != "" {
							t.Errorf("%s: a refused path carries ACAO %q", trick, acao)
						}
					case resp.StatusCode != 200:
						t.Errorf("%s: status %d %q", trick, resp.StatusCode, body)
					case acao != "" && acao != granted[got.Handler]:
						t.Errorf("%s from %s: the %s handler answered with the ACAO of another route, %q: a page on that origin reads it", trick, origin, got.Handler, acao)
					default:
						served++
					}
				}
			}
			if served == 0 {
				t.Error("no trick was served: the test proved nothing about normalised paths")
			}
		})
	}
}

// TestWebSocketOrigin: a WebSocket handshake from an origin the route
// refuses gets 403 and never reaches the backend; report-only reports it
// and lets it through; no Origin (not a browser) is not judged. Before,
// every handshake got 101.
func TestWebSocketOrigin(t *testing.T) {
	handshake := func(addr, origin string) string {
		h := "GET /ws HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		if origin != "" {
			h += "Origin: " + origin + "\r\n"
		}
		return h + "\r\n"
	}
	for _, mode := range []string{"enforce", "report-only"} {
		t.Run(mode, func(t *testing.T) {
			b := newBackend(t)
			g := startGateFor(t, b.URL, mode, confusedRoutes, "")
			addr := strings.TrimPrefix(g.URL, "http://")
			for _, tt := range []struct {
				name, origin string
				status       int
				upstream     bool
			}{
				{"allowed origin", appOrigin2, 101, true},
				{"refused origin", "https://evil.example", map[string]int{"enforce": 403, "report-only": 101}[mode], mode == "report-only"},
				{"refused origin, null", "null", map[string]int{"enforce": 403, "report-only": 101}[mode], mode == "report-only"},
				{"no Origin: not a browser", "", 101, true},
				// The policy alone decides, as in the library's CheckOrigin:
				// Host names no scheme and is the attacker's in DNS rebinding.
				{"the gateway's own origin, not listed", "http://" + addr, map[string]int{"enforce": 403, "report-only": 101}[mode], mode == "report-only"},
			} {
				before := b.calls.Load()
				c, err := net.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				io.WriteString(c, handshake(addr, tt.origin))
				c.SetReadDeadline(time.Now().Add(10 * time.Second))
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				if err != nil {
					t.Fatalf("%s: %v", tt.name, err)
				}
				c.Close()
				if resp.StatusCode != tt.status || (b.calls.Load() > before) != tt.upstream {
					t.Errorf("%s: %d, backend called %v; want %d, %v", tt.name, resp.StatusCode, b.calls.Load() > before, tt.status, tt.upstream)
				}
				if mode == "enforce" && resp.Header.Get("Access-Control-Allow-Origin") == "*" {
					t.Errorf("%s: the backend's CORS headers came out of the tunnel: %v", tt.name, check.CORSHeaders(resp.Header))
				}
			}
			if mode == "enforce" {
				want := `corsgate_requests_total{cors="websocket",decision="rejected",reason="origin-not-allowed",route="/"} 3`
				g.accessRecord(t, func(r map[string]any) bool { return r["origin"] == "http://"+addr })
				if m := metricsText(t, g); !strings.Contains(m, want) {
					t.Errorf("/metrics lacks %s:\n%s", want, grepLines(m, "requests_total"))
				}
			}
			if mode == "report-only" {
				rec := g.waitLog(t, "report-only: the policy would answer differently", 0)
				if fmt.Sprint(rec["differences"]) != `[status: response "101", policy "403"]` || rec["cors"] != "websocket" || rec["status"] != float64(101) {
					t.Errorf("report %v", rec)
				}
				if m := metricsText(t, g); !strings.Contains(m, `corsgate_report_only_differences_total{field="status",route="/"} 3`) {
					t.Error("the refused handshakes are not counted")
				}
			}
		})
	}
}

// TestUpgradeTokens: an upgrade to a protocol the route does not list
// reaches the backend without its Upgrade header (h2c would tunnel HTTP/2
// requests past the policy); one the route lists is forwarded.
func TestUpgradeTokens(t *testing.T) {
	b := newBackend(t)
	path := filepath.Join(t.TempDir(), "corsgate.json")
	writeConfig(t, path, b.URL, "enforce", `[
	  {"path": "/custom/", "upgrades": ["websocket", "x-custom/1"], "policy": {"allowedOrigins": ["`+appOrigin2+`"]}},
	  {"path": "/", "policy": {"allowedOrigins": ["`+appOrigin2+`"]}}]`, "")
	g := startGate(t, path)
	for _, tt := range []struct{ path, upgrade, want string }{
		{"/headers", "h2c", ""},
		{"/headers", "x-custom/1", ""},
		{"/headers", "websocket, h2c", ""},
		{"/custom/headers", "x-custom/1", "x-custom/1"},
	} {
		before := b.calls.Load()
		resp, _ := send(t, "GET", g.URL+tt.path, map[string]string{"Upgrade": tt.upgrade, "Connection": "Upgrade, HTTP2-Settings", "HTTP2-Settings": "AAMAAABkAARAAAAAAAIAAAAA"})
		seen := b.lastRequest()
		if b.calls.Load() == before || seen == nil {
			t.Fatalf("%s %s: the backend was not called (%d)", tt.path, tt.upgrade, resp.StatusCode)
		}
		if got := seen.Header.Get("Upgrade"); got != tt.want {
			t.Errorf("%s with Upgrade %q: the backend saw Upgrade %q, want %q", tt.path, tt.upgrade, got, tt.want)
		}
	}
}

// TestIdleTimeouts: a transfer that keeps moving is not cut however long
// it takes; an upstream that sends its headers and stalls is cut after
// upstreamRead, logged as cut by the upstream with the bytes sent, and
// counted. Before, a total write timeout cut the first and a stalled
// upstream held the client for as long as the total allowed.
func TestIdleTimeouts(t *testing.T) {
	b := newBackend(t)
	g := startGateFor(t, b.URL, "enforce", confusedRoutes, `"timeouts": {"clientSend": "2s", "upstreamRead": "2s"},`)

	// 60 KiB over 3 s, never idle for 2 s.
	resp, body := send(t, "GET", g.URL+"/slow", nil)
	if resp.StatusCode != 200 || len(body) != 60*1024 {
		t.Errorf("a slow, moving transfer: %d, %d bytes; want 200 and 61440", resp.StatusCode, len(body))
	}

	// Headers, 5 bytes, then nothing.
	r, err := client.Get(g.URL + "/stall")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r.Body)
	r.Body.Close()
	if string(got) != "start" || err == nil || errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Client.Timeout") {
		t.Errorf("a stalled upstream: read %q, %v; want the 5 bytes, then the transfer cut by the gateway", got, err)
	}
	rec := g.accessRecord(t, func(r map[string]any) bool { return r["path"] == "/stall" })
	if rec["cut"] != "upstream" || rec["upstreamError"] != "timeout" || rec["bytes"] != float64(5) || rec["status"] != float64(200) {
		t.Errorf("access record of the cut transfer: %v", rec)
	}
	if m := metricsText(t, g); !strings.Contains(m, `corsgate_upstream_errors_total{kind="timeout",route="/"} 1`) {
		t.Error("the cut is not counted")
	}

	// A client that stops reading a large download: cut after clientSend,
	// the client's timeout.
	c, err := net.Dial("tcp", strings.TrimPrefix(g.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /big?n=1073741824 HTTP/1.1\r\nHost: gate\r\n\r\n")
	rec = g.accessRecord(t, func(r map[string]any) bool { return r["path"] == "/big" })
	if rec["cut"] != "client" || rec["clientError"] != "timeout" || rec["bytes"].(float64) >= 1<<30 {
		t.Errorf("access record of the client that stopped reading: %v", rec)
	}
}

// TestNoFakeSuccess: a client whose upload stops is answered 408 (or its
// connection closed), never a success, and the failure is the client's.
// Before, net/http's default "200 OK, Content-Length: 0" went out.
func TestNoFakeSuccess(t *testing.T) {
	b := newBackend(t)
	g := startGateFor(t, b.URL, "enforce", confusedRoutes, `"timeouts": {"clientBody": "1s"},`)
	raw, closed := rawExchange(t, strings.TrimPrefix(g.URL, "http://"),
		"POST /upload HTTP/1.1\r\nHost: gate\r\nOrigin: "+appOrigin2+"\r\nContent-Length: 100\r\n\r\n0123456789")
	if st := statusOf(raw); st != 408 && st != 0 || !closed {
		t.Errorf("an upload that stopped: %q (closed %v); want 408 or nothing, and the connection closed", raw, closed)
	}
	rec := g.accessRecord(t, func(r map[string]any) bool { return r["path"] == "/upload" })
	if rec["clientError"] != "timeout" || rec["status"] != float64(408) {
		t.Errorf("access record %v", rec)
	}
	if m := metricsText(t, g); !strings.Contains(m, `corsgate_client_errors_total{kind="timeout",route="/"} 1`) {
		t.Error("the client's timeout is not counted")
	}
}

// TestBodyLimits: a body over maxBodyBytes (default 1 MiB) is refused 413
// with the policy's CORS headers, before the backend sees it when
// Content-Length says so, and while it streams otherwise; with
// bufferRequests the backend receives a whole body with its length.
// Before, a body of any size went through.
func TestBodyLimits(t *testing.T) {
	b := newBackend(t)
	g := startGateFor(t, b.URL, "enforce", confusedRoutes, "")
	big := strings.Repeat("x", 2<<20)
	post := func(url string, body io.Reader, n int64) (*http.Response, string) {
		req, _ := http.NewRequest("POST", url, body)
		req.ContentLength = n
		req.Header.Set("Origin", appOrigin2)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		got, _ := io.ReadAll(resp.Body)
		return resp, string(got)
	}
	before := b.calls.Load()
	resp, body := post(g.URL+"/upload", strings.NewReader(big), int64(len(big)))
	if resp.StatusCode != 413 || resp.Header.Get("Access-Control-Allow-Origin") != appOrigin2 || b.calls.Load() != before {
		t.Errorf("2 MiB with Content-Length: %d %q ACAO %q, backend called %v; want 413 with ACAO, backend not called",
			resp.StatusCode, body, resp.Header.Get("Access-Control-Allow-Origin"), b.calls.Load() != before)
	}
	resp, body = post(g.URL+"/upload", io.MultiReader(strings.NewReader(big)), -1) // chunked
	if resp.StatusCode != 413 || resp.Header.Get("Access-Control-Allow-Origin") != appOrigin2 {
		t.Errorf("2 MiB chunked: %d %q", resp.StatusCode, body)
	}
	if resp, body = post(g.URL+"/upload", strings.NewReader("small"), -1); resp.StatusCode != 200 || body != `{"read": 5, "contentLength": -1}` {
		t.Errorf("a small chunked body: %d %q", resp.StatusCode, body)
	}
	if m := metricsText(t, g); !strings.Contains(m, `corsgate_client_errors_total{kind="too-large",route="/"} 2`) {
		t.Error("the refusals are not counted")
	}

	buffered := filepath.Join(t.TempDir(), "buffered.json")
	writeConfig(t, buffered, b.URL, "enforce", confusedRoutes, `"bufferRequests": true, "maxBodyBytes": 4096,`)
	gb := startGate(t, buffered)
	if resp, body = post(gb.URL+"/upload", io.MultiReader(strings.NewReader("whole body")), -1); resp.StatusCode != 200 || body != `{"read": 10, "contentLength": 10}` {
		t.Errorf("buffered chunked body: %d %q; want the backend to see a whole body with its length", resp.StatusCode, body)
	}
}

// TestFraming: requests a proxy must not pass on are refused by the
// gateway, the backend never sees them, and a client's malformed body is
// the client's fault (400), not the upstream's (502).
func TestFraming(t *testing.T) {
	b := newBackend(t)
	g := startGateFor(t, b.URL, "enforce", confusedRoutes, "")
	addr := strings.TrimPrefix(g.URL, "http://")
	for _, tt := range []struct {
		name, req string
		status    int
		closed    bool
	}{
		{"Content-Length and Transfer-Encoding", "POST /upload HTTP/1.1\r\nHost: gate\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, true},
		{"Transfer-Encoding and Content-Length, lower case", "POST /upload HTTP/1.1\r\nHost: gate\r\ntransfer-encoding: chunked\r\ncontent-length: 5\r\n\r\n0\r\n\r\n", 400, true},
		{"obs-fold", "GET /headers HTTP/1.1\r\nHost: gate\r\nX-Folded: a\r\n b\r\n\r\n", 400, true},
		{"obs-fold with a tab", "GET /headers HTTP/1.1\r\nHost: gate\r\nX-Folded: a\r\n\tb\r\n\r\n", 400, true},
		{"CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nConnection: close\r\n\r\n", 405, false},
		{"TRACE", "TRACE /headers HTTP/1.1\r\nHost: gate\r\nConnection: close\r\n\r\n", 405, false},
		{"OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: gate\r\nConnection: close\r\n\r\n", 400, false},
		{"malformed chunked body", "POST /upload HTTP/1.1\r\nHost: gate\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 400, true},
	} {
		before := b.calls.Load()
		raw, closed := rawExchange(t, addr, tt.req)
		if got := statusOf(raw); got != tt.status || tt.closed && !closed {
			t.Errorf("%s: %q (closed %v); want %d", tt.name, raw, closed, tt.status)
		}
		if tt.name != "malformed chunked body" && b.calls.Load() != before {
			t.Errorf("%s reached the backend", tt.name)
		}
	}
	rec := g.accessRecord(t, func(r map[string]any) bool {
		return r["method"] == "POST" && r["status"] == float64(400) && r["upstreamStatus"] == nil && r["clientError"] == "malformed"
	})
	if rec["upstreamError"] != nil {
		t.Errorf("a malformed body blamed on the upstream: %v", rec)
	}
	if m := metricsText(t, g); strings.Contains(m, "corsgate_upstream_errors_total{") {
		t.Errorf("the client's errors counted as the upstream's:\n%s", grepLines(m, "errors_total"))
	}
	// A request after a framing refusal on a fresh connection still works.
	if resp, _ := send(t, "GET", g.URL+"/headers", nil); resp.StatusCode != 200 {
		t.Errorf("an ordinary request after: %d", resp.StatusCode)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestForwardingHeadersDropped: the headers with which a client could
// tell the backend another address, port, prefix, scheme or path never
// reach it from an untrusted peer; underscores and path overrides never
// from anyone.
func TestForwardingHeadersDropped(t *testing.T) {
	spoof := map[string]string{
		"X-Forwarded-Port": "8443", "X-Forwarded-Prefix": "/evil", "X-Real-IP": "203.0.113.9", "True-Client-IP": "203.0.113.9",
		"X-Client-IP": "203.0.113.9", "X-Original-URL": "/admin", "X-Rewrite-URL": "/admin", "X_Forwarded_For": "203.0.113.9",
		"X-Forwarded-Ssl": "on", "X-Forwarded-Scheme": "https", "Front-End-Https": "on", "X-Api-Key": "kept",
	}
	for _, tt := range []struct {
		name, extra string
		kept        []string
	}{
		{"untrusted", "", []string{"X-Api-Key"}},
		{"trusted proxy", `"trustedProxies": ["127.0.0.1"],`, []string{"X-Api-Key", "X-Forwarded-Port", "X-Forwarded-Prefix", "X-Real-Ip", "True-Client-Ip", "X-Client-Ip", "X-Forwarded-Ssl", "X-Forwarded-Scheme", "Front-End-Https"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t)
			path := filepath.Join(t.TempDir(), "corsgate.json")
			writeConfig(t, path, b.URL, "enforce", confusedRoutes, tt.extra)
			g := startGate(t, path)
			c, _ := net.Dial("tcp", strings.TrimPrefix(g.URL, "http://"))
			req := "GET /headers HTTP/1.1\r\nHost: gate\r\nConnection: close\r\n"
			for k, v := range spoof {
				req += k + ": " + v + "\r\n"
			}
			io.WriteString(c, req+"\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			var seen http.Header
			json.NewDecoder(resp.Body).Decode(&seen)
			c.Close()
			var got []string
			for k := range spoof {
				if _, ok := seen[textproto.CanonicalMIMEHeaderKey(k)]; ok {
					got = append(got, textproto.CanonicalMIMEHeaderKey(k))
				}
			}
			if fmt.Sprint(sorted(got)) != fmt.Sprint(sorted(tt.kept)) {
				t.Errorf("the backend saw %v; want only %v", sorted(got), sorted(tt.kept))
			}
		})
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestEarlyHintsAndTrailers: the backend's Access-Control-* headers are
// replaced in its 103 Early Hints and its trailers too.
func TestEarlyHintsAndTrailers(t *testing.T) {
	b := newBackend(t)
	g := startGateFor(t, b.URL, "enforce", confusedRoutes, "")
	var hints []http.Header
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			hints = append(hints, http.Header(h).Clone())
			return nil
		},
	})
	req, _ := http.NewRequestWithContext(ctx, "GET", g.URL+"/hints", nil)
	req.Header.Set("Origin", appOrigin2)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(hints) != 1 || hints[0].Get("Link") == "" || len(check.CORSHeaders(hints[0])) != 0 {
		t.Errorf("103 Early Hints: %v; want the Link, without the backend's CORS headers", hints)
	}
	if string(body) != "hinted" || resp.Header.Get("Access-Control-Allow-Origin") != appOrigin2 {
		t.Errorf("final response: %q, ACAO %q", body, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	if len(check.CORSHeaders(resp.Trailer)) != 0 || resp.Trailer.Get("X-Checksum") != "42" {
		t.Errorf("trailers %v; want X-Checksum alone", resp.Trailer)
	}
}

// TestFailuresAttributed: a backend that resets in the middle of a body
// and a client that hangs up in the middle of a download are each logged
// with the route, the side and the bytes sent, and counted.
func TestFailuresAttributed(t *testing.T) {
	b := newBackend(t)
	g := startGateFor(t, b.URL, "enforce", confusedRoutes, "")
	r, err := client.Get(g.URL + "/reset")
	if err == nil {
		_, err = io.ReadAll(r.Body)
		r.Body.Close()
	}
	if err == nil {
		t.Error("the backend reset, and the client read a whole body")
	}
	rec := g.accessRecord(t, func(r map[string]any) bool { return r["path"] == "/reset" })
	if rec["cut"] != "upstream" || rec["upstreamError"] != "reset" || rec["route"] != "/" {
		t.Errorf("access record of the reset: %v", rec)
	}

	// The client reads 1 MiB of 256 MiB and hangs up.
	r, err = client.Get(g.URL + "/big?n=268435456")
	if err != nil {
		t.Fatal(err)
	}
	io.CopyN(io.Discard, r.Body, 1<<20)
	r.Body.Close()
	rec = g.accessRecord(t, func(r map[string]any) bool { return r["path"] == "/big" })
	if rec["cut"] != "client" || rec["clientError"] != "closed" || rec["bytes"].(float64) < 1<<20 || rec["bytes"].(float64) >= 256<<20 {
		t.Errorf("access record of the hang-up: %v", rec)
	}
	m := metricsText(t, g)
	for _, want := range []string{`corsgate_upstream_errors_total{kind="reset",route="/"} 1`, `corsgate_client_errors_total{kind="closed",route="/"} 1`} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, grepLines(m, "errors_total"))
		}
	}
}

// TestDrain: on SIGTERM /readyz fails first, and requests are still
// served for timeouts.drain before the listener closes. Before, both
// happened at the same instant.
func TestDrain(t *testing.T) {
	b := newBackend(t)
	g := startGateFor(t, b.URL, "enforce", confusedRoutes, `"timeouts": {"drain": "30s"},`)
	g.signal(t, syscall.SIGTERM)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if resp, _ := send(t, "GET", g.Admin+"/readyz", nil); resp.StatusCode == 503 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("/readyz still ready after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
	g.waitLog(t, "draining: /readyz answers 503, requests are still served", 0)
	if resp, body := send(t, "GET", g.URL+"/headers", nil); resp.StatusCode != 200 {
		t.Errorf("during the drain: %d %q", resp.StatusCode, body)
	}
	// A second signal ends the drain; the process exits 0.
	g.signal(t, syscall.SIGTERM)
	select {
	case <-g.done:
		if g.exitCode != 0 {
			t.Errorf("exit %d", g.exitCode)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a second SIGTERM did not end the drain")
	}
	g.waitLog(t, "draining cut short", 0)
}

// TestCheckWarnsAboutAdmin: -check accepts an admin listener on every
// interface and says what it exposes.
func TestCheckWarnsAboutAdmin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "corsgate.json")
	os.WriteFile(path, []byte(`{"listen": ":8080", "admin": "0.0.0.0:9090", "upstream": "http://127.0.0.1:9000", "routes": `+originRoute("https://one.example")+`}`), 0o644)
	code, out, errOut := corsgate(t, "-check", "-config", path)
	if code != 0 || !strings.Contains(out, ": ok:") {
		t.Errorf("exit %d, %q", code, out)
	}
	if want := path + `: warning: admin: "0.0.0.0:9090" is not a loopback address: /config shows every policy and /metrics the traffic to anyone who reaches it; write "127.0.0.1:9090"`; !strings.Contains(errOut, want) {
		t.Errorf("stderr %q\nlacks %q", errOut, want)
	}
	os.WriteFile(path, []byte(`{"listen": ":8080", "admin": "127.0.0.1:9090", "upstream": "http://127.0.0.1:9000", "routes": `+originRoute("https://one.example")+`}`), 0o644)
	if _, _, errOut := corsgate(t, "-check", "-config", path); errOut != "" {
		t.Errorf("a loopback admin: stderr %q", errOut)
	}
}
