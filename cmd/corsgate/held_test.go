package main

import (
	"bufio"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// What held up when corsgate was attacked (issue 23), kept so that it
// keeps holding. The backend's CORS headers in malformed forms and the
// Origin tricks are in package gateway's tests; reloads under load in
// TestFaultsUnderLoad; spoofed X-Forwarded-* in TestForwardedHeaders and
// TestForwardingHeadersDropped; 431 and a trickling client in
// TestSlowClient; a graceful SIGTERM in TestServe.

// TestMalformedRequests: 27 requests net/http refuses before the gateway
// runs, each answered 400, 431, 501 or 505, none reaching the backend.
func TestMalformedRequests(t *testing.T) {
	b := newBackend(t)
	g := startGateFor(t, b.URL, "enforce", confusedRoutes, "")
	addr := strings.TrimPrefix(g.URL, "http://")
	long := strings.Repeat("a", 70<<10)
	for _, tt := range []struct {
		req    string
		status int
	}{
		{"GET / HTTP/1.1\r\n\r\n", 400}, // no Host
		{"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
		{"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
		{"GET / HTTP/3.0\r\nHost: x\r\n\r\n", 505},
		{"GET / FOO/1.1\r\nHost: x\r\n\r\n", 400},
		{"GET /\r\nHost: x\r\n\r\n", 400},
		{"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"G@T / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"HELLO\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: x\r\nBad Header: v\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: x\r\n: empty\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\n Host: x\r\n\r\n", 400},
		{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400},
		{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n", 400},
		{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400},
		{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400},
		{"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
		{"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
		{"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 501},
		{"GET /\x7f HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: bad host\r\n\r\n", 400},
		{"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + long + "\r\n\r\n", 431},
	} {
		before := b.calls.Load()
		raw, _ := rawExchange(t, addr, tt.req)
		if got := statusOf(raw); got != tt.status || b.calls.Load() != before {
			t.Errorf("%.60q: %d (backend called: %v); want %d", tt.req, got, b.calls.Load() != before, tt.status)
		}
	}
}

// TestSlowloris: 300 connections that stop in the middle of their headers
// are cut after readHeader, while other clients are served. (The other
// clients' headers must arrive within readHeader too: 2 s leaves a loaded
// machine room.)
func TestSlowloris(t *testing.T) {
	b := newBackend(t)
	g := startGateFor(t, b.URL, "enforce", confusedRoutes, `"timeouts": {"readHeader": "2s"},`)
	addr := strings.TrimPrefix(g.URL, "http://")
	const slow = 300
	var wg sync.WaitGroup
	cut := make(chan error, slow)
	for range slow {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.SetReadDeadline(time.Now().Add(60 * time.Second)) // only catches a hang
			_, err := io.ReadAll(c)
			cut <- err
		}()
	}
	for i := range 50 {
		if resp, _ := send(t, "GET", g.URL+"/headers", nil); resp.StatusCode != 200 {
			t.Fatalf("request %d while %d connections trickle: %d", i, slow, resp.StatusCode)
		}
	}
	wg.Wait()
	close(cut)
	n := 0
	for err := range cut {
		if err != nil {
			t.Errorf("a trickling connection was not cut: %v", err)
		}
		n++
	}
	if n != slow {
		t.Errorf("%d connections ended, want %d", n, slow)
	}
}

// TestServerSentEvents: each event reaches the client before the backend
// sends the next (the backend waits for the test to have read it), so a
// gateway that buffered would deadlock here.
func TestServerSentEvents(t *testing.T) {
	b := newBackend(t)
	g := startGateFor(t, b.URL, "enforce", confusedRoutes, "")
	resp, err := client.Get(g.URL + "/sse")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	for i := range 3 {
		line, err := r.ReadString('\n')
		if err != nil || line != "data: "+strconv.Itoa(i)+"\n" {
			t.Fatalf("event %d: %q, %v", i, line, err)
		}
		r.ReadString('\n') // the blank line
		if i < 2 {
			b.next <- struct{}{}
		}
	}
}

// TestLargeDownloadMemory: 512 MiB pass through corsgate while its peak
// resident memory grows by less than 64 MiB: bodies stream, in pooled
// buffers.
func TestLargeDownloadMemory(t *testing.T) {
	b := newBackend(t)
	g := startGateFor(t, b.URL, "enforce", confusedRoutes, "")
	send(t, "GET", g.URL+"/headers", nil) // warm up
	before := peakRSS(t, g.cmd.Process.Pid)
	resp, err := client.Get(g.URL + "/big?n=" + strconv.Itoa(512<<20))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || n != 512<<20 {
		t.Fatalf("read %d bytes, %v", n, err)
	}
	if grew := peakRSS(t, g.cmd.Process.Pid) - before; grew > 64<<20 {
		t.Errorf("peak RSS grew by %d MiB for a 512 MiB download", grew>>20)
	}
}

// peakRSS is the process's VmHWM, in bytes.
func peakRSS(t testing.TB, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}
