package main

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// backend is a small Go upstream that misbehaves as real backends do, for
// what nginx will not do: it routes on the raw path as many routers do,
// stalls, resets, sends 1xx responses and trailers with CORS headers of its
// own, and accepts WebSocket handshakes.
//
//	/api/…, /partner/…  {"handler": "api"} or "partner": the route is the
//	                    first segment of the raw path after ";" parameters
//	                    are cut from each segment and dot segments are
//	                    resolved, undecoded (Tomcat and Spring cut ";…",
//	                    routers that match the raw path do not decode %2F)
//	/ws                 a WebSocket handshake, answered 101 with
//	                    Access-Control-Allow-Origin: * of its own
//	/stall              the headers and 5 bytes, then nothing until the
//	                    test ends
//	/slow               60 chunks of 1 KiB, 50 ms apart
//	/reset              Content-Length 1000, 100 bytes, then a TCP reset
//	/hints              103 Early Hints and trailers, each with its own
//	                    Access-Control-Allow-Origin
//	/headers            the request's headers, as JSON
//	/upload             {"read": bytes read, "contentLength": as received}
//	/sse                text/event-stream: event n+1 is sent when the test
//	                    has read event n (next)
//	/big?n=N            N zero bytes
//	…/echo-upgrade      a handshake for any protocol: 101 with the request's
//	                    own Upgrade value, then an echo (a server that
//	                    switches to whatever it is asked)
//	/hop                the request's headers as JSON, with Connection
//	                    naming the response's Vary and Access-Control-*
//	                    fields (hop-by-hop, so a proxy removes them)
type backend struct {
	*httptest.Server
	calls   atomic.Int64
	release chan struct{} // closed when the test ends: /stall returns
	next    chan struct{} // /sse: the test read an event
	mu      sync.Mutex
	last    *http.Request
	targets []string // the request target of every request, in order
	bodyErr error    // /upload: the error reading the body
}

func newBackend(t testing.TB) *backend {
	b := &backend{release: make(chan struct{}), next: make(chan struct{})}
	b.Server = httptest.NewServer(http.HandlerFunc(b.serve))
	t.Cleanup(func() { close(b.release); b.Server.Close() })
	return b
}

// seen returns the request targets the backend received, in order.
func (b *backend) seen() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.targets...)
}

func (b *backend) lastRequest() *http.Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

func (b *backend) serve(w http.ResponseWriter, r *http.Request) {
	b.calls.Add(1)
	b.mu.Lock()
	b.last = r
	b.targets = append(b.targets, r.RequestURI)
	b.mu.Unlock()
	switch p := r.URL.Path; {
	case strings.HasSuffix(p, "/echo-upgrade"):
		c, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer c.Close()
		fmt.Fprintf(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: %s\r\nConnection: Upgrade\r\n\r\n", r.Header.Get("Upgrade"))
		brw.Flush()
		io.Copy(c, brw)
	case p == "/hop":
		h := w.Header()
		h.Set("Connection", "Vary, Access-Control-Allow-Origin, Access-Control-Allow-Credentials")
		h.Set("Vary", "Accept-Encoding")
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Credentials", "true")
		json.NewEncoder(w).Encode(r.Header)
	case p == "/ws":
		key := r.Header.Get("Sec-WebSocket-Key")
		sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		c, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer c.Close()
		fmt.Fprintf(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\nAccess-Control-Allow-Origin: *\r\n\r\n", base64.StdEncoding.EncodeToString(sum[:]))
		brw.Flush()
		io.Copy(c, brw) // echo until the client closes
	case p == "/stall":
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(200)
		io.WriteString(w, "start")
		http.NewResponseController(w).Flush()
		select {
		case <-b.release:
		case <-r.Context().Done():
		}
	case p == "/slow":
		chunk := strings.Repeat("s", 1024)
		for range 60 {
			io.WriteString(w, chunk)
			http.NewResponseController(w).Flush()
			time.Sleep(50 * time.Millisecond)
		}
	case p == "/reset":
		c, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		io.WriteString(brw, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n"+strings.Repeat("r", 100))
		brw.Flush()
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	case p == "/hints":
		w.Header().Set("Link", "</app.css>; rel=preload")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Set("Trailer", "Access-Control-Allow-Origin, X-Checksum")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.WriteHeader(200)
		io.WriteString(w, "hinted")
		w.Header().Set("Access-Control-Allow-Origin", "https://evil.example")
		w.Header().Set("X-Checksum", "42")
		w.Header().Set(http.TrailerPrefix+"Access-Control-Allow-Credentials", "true")
	case p == "/headers":
		json.NewEncoder(w).Encode(r.Header)
	case p == "/upload":
		n, err := io.Copy(io.Discard, r.Body)
		b.mu.Lock()
		b.bodyErr = err
		b.mu.Unlock()
		fmt.Fprintf(w, `{"read": %d, "contentLength": %d}`, n, r.ContentLength)
	case p == "/sse":
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range 3 {
			fmt.Fprintf(w, "data: %d\n\n", i)
			http.NewResponseController(w).Flush()
			select {
			case <-b.next:
			case <-r.Context().Done():
				return
			case <-b.release:
				return
			}
		}
	case p == "/big":
		n, _ := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
		w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
		buf := make([]byte, 64<<10)
		for n > 0 {
			k := min(n, int64(len(buf)))
			if _, err := w.Write(buf[:k]); err != nil {
				return
			}
			n -= k
		}
	default:
		raw, _, _ := strings.Cut(r.RequestURI, "?")
		segs := strings.Split(raw, "/")
		for i, s := range segs {
			segs[i], _, _ = strings.Cut(s, ";")
		}
		clean := path.Clean(strings.Join(segs, "/"))
		handler := "none"
		if first, _, _ := strings.Cut(strings.TrimPrefix(clean, "/"), "/"); first == "api" || first == "partner" {
			handler = first
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"handler": %q}`, handler)
	}
}

// startGateFor writes a configuration for upstream and starts corsgate
// on it.
func startGateFor(t testing.TB, upstream, mode, routes, extra string) *gate {
	t.Helper()
	path := filepath.Join(t.TempDir(), "corsgate.json")
	writeConfig(t, path, upstream, mode, routes, extra)
	return startGate(t, path)
}

// rawExchange sends raw bytes to addr on a new connection and returns
// what came back until the server closed the connection or 10 s passed,
// and whether the server closed it.
func rawExchange(t testing.TB, addr, req string) (resp string, closed bool) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(c)
	return string(b), err == nil
}

// statusOf returns the status code of the first response in raw, 0 if none.
func statusOf(raw string) int {
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), nil)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// accessRecord waits for the access log record of the request to path
// (as logged, normalised) whose field key has value v, and returns it.
func (g *gate) accessRecord(t testing.TB, match func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second) // only catches a hang
	for time.Now().Before(deadline) {
		for _, r := range g.records() {
			if r["log"] == "access" && match(r) {
				return r
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no such access record:\n%s", g.out.String())
	return nil
}

func metricsText(t testing.TB, g *gate) string {
	t.Helper()
	_, m := send(t, "GET", g.Admin+"/metrics", nil)
	return m
}
