package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	gorilla "github.com/gorilla/websocket"
)

// dial opens a WebSocket to url with the Origin header a browser page on
// origin would send ("" for a client that is not a browser), sends a
// message and reads the echo. It returns the handshake's status and the
// echo, or the error that ended the exchange.
type dial func(ctx context.Context, url, origin string) (status int, echo string, err error)

func dialGorilla(ctx context.Context, url, origin string) (int, string, error) {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	c, resp, err := gorilla.DefaultDialer.DialContext(ctx, url, h)
	if err != nil {
		if resp != nil {
			return resp.StatusCode, "", err
		}
		return 0, "", err
	}
	defer c.Close()
	deadline, _ := ctx.Deadline()
	c.SetReadDeadline(deadline)
	c.SetWriteDeadline(deadline)
	if err := c.WriteMessage(gorilla.TextMessage, []byte("hello")); err != nil {
		return resp.StatusCode, "", err
	}
	_, msg, err := c.ReadMessage()
	return resp.StatusCode, string(msg), err
}

func dialCoder(ctx context.Context, url, origin string) (int, string, error) {
	opts := &websocket.DialOptions{HTTPHeader: http.Header{}}
	if origin != "" {
		opts.HTTPHeader.Set("Origin", origin)
	}
	c, resp, err := websocket.Dial(ctx, url, opts)
	if err != nil {
		if resp != nil {
			return resp.StatusCode, "", err
		}
		return 0, "", err
	}
	defer c.CloseNow()
	if err := c.Write(ctx, websocket.MessageText, []byte("hello")); err != nil {
		return resp.StatusCode, "", err
	}
	_, msg, err := c.Read(ctx)
	return resp.StatusCode, string(msg), err
}

// TestOnePolicyForWebSockets opens real sockets on 127.0.0.1, with both
// libraries (each dialling both endpoints), from the allowed origin, from
// origins the policy refuses, and with no Origin: the policy's origin
// check decides each handshake, and a refused one gets 403 before any
// upgrade.
func TestOnePolicyForWebSockets(t *testing.T) {
	m, err := newPolicy()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newServer(m))
	defer srv.Close()
	ws := "ws" + strings.TrimPrefix(srv.URL, "http")

	cases := []struct {
		origin string
		open   bool
	}{
		{"https://app.example.com", true},
		{"https://evil.example", false},
		{"https://app.example.com.evil.example", false},
		{"null", false},
		{srv.URL, false}, // the server's own origin: not listed, so refused
		{"", true},       // not a browser: not judged
	}
	for _, endpoint := range []string{"/gorilla", "/coder"} {
		for name, d := range map[string]dial{"gorilla client": dialGorilla, "coder client": dialCoder} {
			for _, tc := range cases {
				t.Run(endpoint+"/"+name+"/origin="+tc.origin, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					status, echo, err := d(ctx, ws+endpoint, tc.origin)
					if tc.open {
						if err != nil || status != http.StatusSwitchingProtocols || echo != "hello" {
							t.Fatalf("want an open socket echoing hello; got status %d, echo %q, error %v", status, echo, err)
						}
						return
					}
					if status != http.StatusForbidden || err == nil {
						t.Fatalf("want the handshake refused with 403; got status %d, echo %q, error %v", status, echo, err)
					}
				})
			}
		}
	}
}

// TestWithoutTheCheck is the control: the same libraries with their own
// checks switched off, as they often are to "fix" a cross-origin error,
// open a socket for any page. It shows the test above can fail, and what
// the policy's check prevents.
func TestWithoutTheCheck(t *testing.T) {
	open := gorilla.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	mux := http.NewServeMux()
	mux.HandleFunc("/gorilla", func(w http.ResponseWriter, r *http.Request) {
		c, err := open.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		kind, msg, err := c.ReadMessage()
		if err == nil {
			c.WriteMessage(kind, msg)
		}
	})
	mux.HandleFunc("/coder", func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
		if err != nil {
			return
		}
		defer c.CloseNow()
		kind, msg, err := c.Read(r.Context())
		if err == nil {
			c.Write(r.Context(), kind, msg)
		}
	})
	m, err := newPolicy()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Handler(mux)) // the CORS middleware alone blocks no handshake
	defer srv.Close()
	ws := "ws" + strings.TrimPrefix(srv.URL, "http")
	for _, endpoint := range []string{"/gorilla", "/coder"} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		status, echo, err := dialGorilla(ctx, ws+endpoint, "https://evil.example")
		cancel()
		if err != nil || status != http.StatusSwitchingProtocols || echo != "hello" {
			t.Errorf("%s without a check: status %d, echo %q, error %v; want the hijack to succeed", endpoint, status, echo, err)
		}
	}
}

// TestFetchEndpoint: the same policy answers the page's fetch calls.
func TestFetchEndpoint(t *testing.T) {
	m, err := newPolicy()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newServer(m))
	defer srv.Close()
	for origin, want := range map[string]string{"https://app.example.com": "https://app.example.com", "https://evil.example": ""} {
		req, _ := http.NewRequest("GET", srv.URL+"/api/status", nil)
		req.Header.Set("Origin", origin)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != want || resp.StatusCode != 200 {
			t.Errorf("fetch from %s: status %d, Access-Control-Allow-Origin %q; want 200, %q", origin, resp.StatusCode, got, want)
		}
	}
}
