package rawhttp_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/corskit/cors/internal/rawhttp"
)

// rawServer accepts one connection on 127.0.0.1, reads the request head as
// bytes, answers with resp and hands the head to got.
func rawServer(t *testing.T, resp string) (addr string, got <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(c)
		var head strings.Builder
		for {
			line, err := r.ReadString('\n')
			head.WriteString(line)
			if err != nil || line == "\r\n" {
				break
			}
		}
		io.WriteString(c, resp)
		ch <- head.String()
	}()
	return ln.Addr().String(), ch
}

// A header value with a control byte reaches the server byte for byte, and
// the answer is read with its headers. net/http's own client refuses the
// same request, which is why the checker needs this package.
func TestRoundTripSendsControlBytes(t *testing.T) {
	addr, got := rawServer(t, "HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n")
	r, err := http.NewRequest(http.MethodGet, "http://"+addr+"/p?q=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header = http.Header{"X-Custom": {"a\x01b\x7f"}, "Accept": {"*/*"}}
	if !rawhttp.Needed(r.Header) {
		t.Fatal("Needed reports false for a value with \\x01")
	}
	if _, err := http.DefaultClient.Do(r.Clone(context.Background())); err == nil || !strings.Contains(err.Error(), "invalid header field value") {
		t.Fatalf("net/http sent the request (%v); the test no longer shows why rawhttp exists", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := rawhttp.RoundTrip(ctx, &http.Transport{}, r, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("response %d %v", resp.StatusCode, resp.Header)
	}
	want := "GET /p?q=1 HTTP/1.1\r\nHost: " + addr + "\r\nAccept: */*\r\nX-Custom: a\x01b\x7f\r\nConnection: close\r\n\r\n"
	if head := <-got; head != want {
		t.Errorf("request head:\n got %q\nwant %q", head, want)
	}
}

// Needed is false for what net/http sends itself, and RoundTrip refuses
// the bytes no browser sends.
func TestNeededAndRefused(t *testing.T) {
	for _, tc := range []struct {
		v      string
		needed bool
	}{
		{"plain", false}, {"tab\tinside", false}, {"caf\xe9", false}, {"\x01", true}, {"a\x1fb", true}, {"del\x7f", true},
	} {
		if got := rawhttp.Needed(http.Header{"X": {tc.v}}); got != tc.needed {
			t.Errorf("Needed(%q) = %v, want %v", tc.v, got, tc.needed)
		}
	}
	r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/", nil)
	r.Header = http.Header{"X": {"a\r\nInjected: 1"}}
	if _, err := rawhttp.RoundTrip(context.Background(), nil, r, 1); err == nil {
		t.Error("RoundTrip sent a value with CR LF")
	}
}
