package e2e

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corskit/cors/check"
)

// wsOutcome is what a page's new WebSocket saw.
type wsOutcome struct {
	State    string `json:"state"` // "open", "error" or "timeout"
	Protocol string `json:"protocol"`
}

// openSocket runs new WebSocket(url, protocols) in the tab and waits for
// open or error.
func openSocket(ctx context.Context, url string, protocols []string) (wsOutcome, error) {
	if protocols == nil {
		protocols = []string{}
	}
	p, _ := json.Marshal(protocols)
	var out wsOutcome
	err := evalJSON(ctx, fmt.Sprintf(`return await new Promise((resolve) => {
  const w = new WebSocket(%q, %s);
  const t = setTimeout(() => resolve({state: "timeout"}), 10000);
  w.onopen = () => { clearTimeout(t); resolve({state: "open", protocol: w.protocol}); w.close(); };
  w.onerror = () => { clearTimeout(t); resolve({state: "error"}); };
});`, url, p), &out)
	return out, err
}

// socketLines returns the tab's "WebSocket connection to …" console lines
// after the first skip lines.
func socketLines(ctx context.Context, skip int) []string {
	var out []string
	for _, l := range consoleLines(ctx)[skip:] {
		if strings.HasPrefix(l.Text, "WebSocket connection to ") {
			out = append(out, l.Text)
		}
	}
	return out
}

// TestWebSocketHijack opens the third-party servers' sockets (see
// TestWebSocketServers) from Chromium pages on two origins, one the
// checking servers allow and one nobody allows, and compares what the page
// saw, and the console line, with corscheck's prediction.
func TestWebSocketHijack(t *testing.T) {
	ctx := browser(t)
	page := newPageServer(t)
	allowed, evil := originOf(page, "app.test"), originOf(page, "evil.test")
	eps := wsEndpoints(t, allowed)
	client := &http.Client{Timeout: 10 * time.Second}
	for _, origin := range []string{allowed, evil} {
		openPage(t, ctx, origin+"/")
		for _, ep := range eps {
			if ep.allowed != allowed && ep.checks {
				continue // gorilla's same-host check: no page on this origin
			}
			name := ep.name + " from " + origin
			pred, err := check.ExplainWebSocket(context.Background(), client, check.WebSocketRequest{URL: ep.url, Origin: origin})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if err := settleConsole(ctx); err != nil {
				t.Fatal(err)
			}
			skip := len(consoleLines(ctx))
			got, err := openSocket(ctx, ep.url, nil)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if err := settleConsole(ctx); err != nil {
				t.Fatal(err)
			}
			lines := socketLines(ctx, skip)
			var want []string
			if pred.Message != "" {
				want = []string{pred.Message}
			}
			if (got.State == "open") != pred.Accepted || !slices.Equal(lines, want) {
				t.Errorf("%s: Chromium %s, console %q; corscheck accepted=%v, console %q", name, got.State, lines, pred.Accepted, want)
			}
			if wantOpen := origin == allowed || !ep.checks; pred.Accepted != wantOpen || pred.Hijackable != !ep.checks {
				t.Errorf("%s: corscheck accepted=%v hijackable=%v; want %v, %v", name, pred.Accepted, pred.Hijackable, wantOpen, !ep.checks)
			}
		}
	}
}

// wsAccept answers a handshake with 101, Upgrade: upgrade, the
// Sec-WebSocket-Accept of RFC 6455 §4.2.2 (unless w has one already) and
// the subprotocol protocol when not "". The connection then stays open
// until the client closes it or the server stops.
func wsAccept(w http.ResponseWriter, r *http.Request, upgrade, protocol string) {
	sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	if w.Header().Get("Sec-WebSocket-Accept") == "" {
		w.Header().Set("Sec-WebSocket-Accept", base64.StdEncoding.EncodeToString(sum[:]))
	}
	if protocol != "" {
		w.Header().Set("Sec-WebSocket-Protocol", protocol)
	}
	w.Header().Set("Upgrade", upgrade)
	w.Header().Set("Connection", "Upgrade")
	w.WriteHeader(http.StatusSwitchingProtocols)
}

// TestWebSocketHandshakeFailures answers Chromium's handshake in each way
// that fails it, and checks corscheck's console line word for word; the
// request headers corscheck sends are compared with Chromium's.
func TestWebSocketHandshakeFailures(t *testing.T) {
	ctx := browser(t)
	var mu sync.Mutex
	seen := map[string]http.Header{} // by Origin: the last handshake
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Header.Get("Origin")+" "+r.Header.Get("User-Agent")] = r.Header.Clone()
		mu.Unlock()
		switch r.URL.Path {
		case "/403":
			w.WriteHeader(http.StatusForbidden)
			return
		case "/401":
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/badaccept":
			w.Header().Set("Sec-WebSocket-Accept", "AAAA")
			wsAccept(w, r, "websocket", "")
		case "/h2c":
			wsAccept(w, r, "h2c", "")
		case "/proto":
			wsAccept(w, r, "websocket", "other")
		case "/chat":
			wsAccept(w, r, "websocket", "chat")
		default:
			wsAccept(w, r, "websocket", "")
		}
	}))
	t.Cleanup(srv.Close)
	page := newPageServer(t)
	origin := originOf(page, "app.test")
	openPage(t, ctx, origin+"/")
	base := "ws" + strings.TrimPrefix(srv.URL, "http")
	for _, c := range []struct {
		path      string
		protocols []string
	}{
		{"/ok", nil}, {"/403", nil}, {"/401", nil}, {"/badaccept", nil}, {"/h2c", nil}, {"/proto", nil},
		{"/proto", []string{"chat"}}, {"/ok", []string{"chat"}}, {"/chat", []string{"v2", "chat"}},
	} {
		name := fmt.Sprintf("%s %q", c.path, c.protocols)
		if err := settleConsole(ctx); err != nil {
			t.Fatal(err)
		}
		skip := len(consoleLines(ctx))
		got, err := openSocket(ctx, base+c.path, c.protocols)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := settleConsole(ctx); err != nil {
			t.Fatal(err)
		}
		lines := socketLines(ctx, skip)
		pred, err := check.ExplainWebSocket(context.Background(), srv.Client(), check.WebSocketRequest{URL: base + c.path, Origin: origin, Protocols: c.protocols})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var want []string
		if pred.Message != "" {
			want = []string{pred.Message}
		}
		if (got.State == "open") != pred.Accepted || got.Protocol != pred.Protocol || !slices.Equal(lines, want) {
			t.Errorf("%s: Chromium %s (protocol %q), console %q\n corscheck accepted=%v (protocol %q), console %q", name, got.State, got.Protocol, lines, pred.Accepted, pred.Protocol, want)
		}
	}
	// The handshake's headers: corscheck sends Chromium's, but for the
	// ones about the browser itself.
	mu.Lock()
	defer mu.Unlock()
	var chromiumH, corscheckH http.Header
	for k, h := range seen {
		if strings.HasPrefix(k, origin+" ") {
			if strings.HasSuffix(k, " "+check.UserAgent) {
				corscheckH = h
			} else {
				chromiumH = h
			}
		}
	}
	if chromiumH == nil || corscheckH == nil {
		t.Fatalf("handshakes seen: %v", slices.Collect(maps.Keys(seen)))
	}
	browserOwn := []string{"Accept-Encoding", "Accept-Language", "User-Agent", "Sec-Websocket-Key"}
	for _, h := range []http.Header{chromiumH, corscheckH} {
		for _, k := range browserOwn {
			h.Del(k)
		}
	}
	if !maps.EqualFunc(chromiumH, corscheckH, slices.Equal) {
		t.Errorf("handshake headers differ\nChromium:  %v\ncorscheck: %v", chromiumH, corscheckH)
	}
}
