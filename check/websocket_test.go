package check_test

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/cors/check"
)

// wsServer answers handshakes by hand: accept(origin) decides, and the
// path picks a broken answer (the cases Chromium 156 was seen failing in
// e2e's TestWebSocketHandshakeFailures). Every handshake's request header
// is kept.
func wsServer(t *testing.T, accept func(origin string) bool) (*httptest.Server, *[]http.Header) {
	var seen []http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Clone())
		if !accept(r.Header.Get("Origin")) {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		if r.URL.Path == "/401" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		acc, up, extra := base64.StdEncoding.EncodeToString(sum[:]), "websocket", ""
		switch r.URL.Path {
		case "/badaccept":
			acc = "AAAA"
		case "/h2c":
			up = "h2c"
		case "/proto":
			extra = "Sec-WebSocket-Protocol: other\r\n"
		case "/chat":
			extra = "Sec-WebSocket-Protocol: chat\r\n"
		}
		c, bw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		fmt.Fprintf(bw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: %s\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n%s\r\n", up, acc, extra)
		bw.Flush()
		_, _ = bufio.NewReader(c).ReadByte() // until the client closes
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func TestExplainWebSocket(t *testing.T) {
	const page = "https://app.example.com"
	only := func(o string) bool { return o == page }
	anyOrigin := func(string) bool { return true }
	for _, c := range []struct {
		name       string
		accept     func(string) bool
		path       string
		protocols  []string
		accepted   bool
		hijackable bool
		failure    string // after "failed: Error during WebSocket handshake: "
	}{
		{name: "origin checked", accept: only, path: "/ok", accepted: true},
		{name: "any origin", accept: anyOrigin, path: "/ok", accepted: true, hijackable: true},
		{name: "refused", accept: func(string) bool { return false }, path: "/ok", failure: "Unexpected response code: 403"},
		{name: "401: Chromium tries HTTP authentication", accept: only, path: "/401"},
		{name: "bad accept", accept: only, path: "/badaccept", failure: "Incorrect 'Sec-WebSocket-Accept' header value"},
		{name: "not websocket", accept: only, path: "/h2c", failure: "'Upgrade' header value is not 'WebSocket': h2c"},
		{name: "protocol not asked for", accept: only, path: "/proto", failure: "Response must not include 'Sec-WebSocket-Protocol' header if not present in request: other"},
		{name: "protocol not offered", accept: only, path: "/proto", protocols: []string{"chat"}, failure: "'Sec-WebSocket-Protocol' header value 'other' in response does not match any of sent values"},
		{name: "no protocol chosen", accept: only, path: "/ok", protocols: []string{"chat"}, failure: "Sent non-empty 'Sec-WebSocket-Protocol' header but no response was received"},
		{name: "protocol chosen", accept: only, path: "/chat", protocols: []string{"v2", "chat"}, accepted: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, seen := wsServer(t, c.accept)
			url := "ws" + strings.TrimPrefix(srv.URL, "http") + c.path
			res, err := check.ExplainWebSocket(context.Background(), srv.Client(), check.WebSocketRequest{URL: url, Origin: page, Cookie: "sid=1", Protocols: c.protocols})
			if err != nil {
				t.Fatal(err)
			}
			if res.Accepted != c.accepted || res.Hijackable != c.hijackable {
				t.Errorf("accepted %v hijackable %v, want %v %v", res.Accepted, res.Hijackable, c.accepted, c.hijackable)
			}
			want := ""
			switch {
			case c.path == "/401":
				want = "WebSocket connection to '" + url + "' failed: HTTP Authentication failed; no valid credentials available"
			case c.failure != "":
				want = "WebSocket connection to '" + url + "' failed: Error during WebSocket handshake: " + c.failure
			}
			if res.Message != want {
				t.Errorf("message\n got %q\nwant %q", res.Message, want)
			}
			if len(*seen) != 2 {
				t.Fatalf("%d handshakes, want 2 (the page's, the probe's)", len(*seen))
			}
			// The page's handshake carries what Chromium 156 sends (e2e
			// TestWebSocketHijack compares the two).
			h := (*seen)[0]
			wantHeader := map[string]string{
				"Origin": page, "Cookie": "sid=1", "Upgrade": "websocket", "Connection": "Upgrade",
				"Sec-Websocket-Version": "13", "Pragma": "no-cache", "Cache-Control": "no-cache",
				"Sec-Websocket-Extensions": "permessage-deflate; client_max_window_bits",
				"Sec-Websocket-Protocol":   strings.Join(c.protocols, ", "),
			}
			for k, v := range wantHeader {
				if got := h.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			if k, _ := base64.StdEncoding.DecodeString(h.Get("Sec-Websocket-Key")); len(k) != 16 {
				t.Errorf("Sec-WebSocket-Key %q is not 16 bytes in base64", h.Get("Sec-Websocket-Key"))
			}
			if (*seen)[1].Get("Origin") != res.ProbeOrigin || !strings.HasSuffix(res.ProbeOrigin, ".com") {
				t.Errorf("probe origin %q, sent %q", res.ProbeOrigin, (*seen)[1].Get("Origin"))
			}
		})
	}
}

// A WebSocket refused by Local Network Access: Chromium logs a connection
// error, the same for a denied permission and an insecure page (e2e TestLNA).
func TestExplainWebSocketLNA(t *testing.T) {
	srv, seen := wsServer(t, func(string) bool { return true })
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ok"
	line := "WebSocket connection to '" + url + "' failed: Error in connection establishment: net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS"
	res, err := check.ExplainWebSocket(context.Background(), srv.Client(), check.WebSocketRequest{URL: url, Origin: "http://page.test:8080", PageAddressSpace: "public"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Accepted || res.Message != line || len(*seen) != 0 {
		t.Errorf("insecure public page: accepted %v, message %q, %d handshakes sent; want refused before sending, %q", res.Accepted, res.Message, len(*seen), line)
	}
	res, err = check.ExplainWebSocket(context.Background(), srv.Client(), check.WebSocketRequest{URL: url, Origin: "https://public.example"})
	if err != nil {
		t.Fatal(err)
	}
	lna := res.LocalNetworkAccess
	if !res.Accepted || lna == nil || !lna.Applies || len(lna.Outcomes) != 2 || lna.Outcomes[0].Message != line || !lna.Outcomes[1].Proceeds {
		t.Errorf("secure public page: accepted %v, LNA %+v; want the socket accepted once granted, denied line %q", res.Accepted, lna, line)
	}
}

func TestExplainWebSocketInput(t *testing.T) {
	for _, req := range []check.WebSocketRequest{
		{URL: "http://example.com/", Origin: "https://a.example"},
		{URL: "ws://example.com/#x", Origin: "https://a.example"},
		{URL: "ws://u:p@example.com/", Origin: "https://a.example"},
		{URL: "ws://example.com/", Origin: "https://a.example/"},
		{URL: "ws://example.com/", Origin: "https://a.example", Protocols: []string{"a b"}},
	} {
		if _, err := check.ExplainWebSocket(context.Background(), nil, req); err == nil {
			t.Errorf("%+v: no error", req)
		} else if _, ok := err.(*check.InputError); !ok {
			t.Errorf("%+v: %v, want an InputError", req, err)
		}
	}
}

// A check unanchored at the start (strings.HasSuffix) accepts every
// origin ending with the trusted name: one root cause, as for CORS, with
// the dot, subdomain and http:// probes folded into it.
func TestAuditWebSocketGrouping(t *testing.T) {
	srv, _ := wsServer(t, func(o string) bool { return strings.HasSuffix(o, "example.com") })
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ok"
	rep, err := check.Audit(context.Background(), srv.Client(), url, check.AuditOptions{
		Trusted: []string{"https://www.example.com"}, CredentialHeader: http.Header{"Cookie": {"sid=1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var classes []check.Class
	for _, f := range rep.Findings {
		classes = append(classes, f.Class)
		if f.Probe != check.WebSocketProbe || f.Target != url {
			t.Errorf("%s: probe %q target %q, want websocket %s", f.Class, f.Probe, f.Target, url)
		}
	}
	if !slices.Equal(classes, []check.Class{check.ClassEndsWith}) {
		t.Fatalf("classes %v, want [%s]", classes, check.ClassEndsWith)
	}
	f := rep.Findings[0]
	if f.Severity != check.High || !f.Credentials {
		t.Errorf("severity %s credentials %v, want high, true", f.Severity, f.Credentials)
	}
	var origins []string
	for _, p := range f.Probes {
		origins = append(origins, p.Origin)
	}
	for _, o := range []string{"https://wwwxexample.com", "http://www.example.com"} {
		if !slices.Contains(origins, o) {
			t.Errorf("probe %s not folded into ends-with: %v", o, origins)
		}
	}
}
