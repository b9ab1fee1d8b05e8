package clientconn_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corskit/cors/cmd/corsgate/internal/clientconn"
)

// serve starts an http.Server on a clientconn.Listener whose handler
// records, per request, its path and the flags Begin reports.
func serve(t *testing.T) (addr string, seen func() []string) {
	t.Helper()
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []string
	srv := &http.Server{
		ConnContext: clientconn.ConnContext,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			flags := -1
			if c := clientconn.From(r); c != nil {
				flags = c.Begin(r)
			}
			mu.Lock()
			got = append(got, r.URL.Path+" "+map[int]string{-1: "no conn", 0: "ok", clientconn.ContentLengthAndChunked: "cl+te", clientconn.ObsFold: "fold", clientconn.TransferEncodingHTTP10: "te in 1.0"}[flags])
			mu.Unlock()
		}),
	}
	go srv.Serve(&clientconn.Listener{Listener: tcp, Window: 8192})
	t.Cleanup(func() { srv.Close() })
	return tcp.Addr().String(), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

// TestBegin: on one keep-alive connection, pipelined and sent a byte at a
// time, each request's own header block is judged. A body that imitates
// the next request's line (the POST's) can make that request's verdict
// the imitation's: the search's known limit, which harms no one but the
// sender of both (package doc).
func TestBegin(t *testing.T) {
	addr, seen := serve(t)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body := "GET /b HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
	reqs := "GET /a HTTP/1.1\r\nHost: x\r\n\r\n" +
		"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: " + itoa(len(body)) + "\r\n\r\n" + body +
		"GET /b HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\r\n" +
		"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\ncontent-length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n" +
		"POST /e HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" +
		"GET /e HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n" +
		"POST /f HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\ntransfer-encoding: chunked\r\n\r\n" +
		"GET /d HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n 2\r\nConnection: close\r\n\r\n"
	go func() {
		for i := 0; i < len(reqs); i++ { // a byte at a time: blocks span reads
			c.Write([]byte{reqs[i]})
		}
	}()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	io.ReadAll(c) // until the server closes after /d
	want := []string{"/a ok", "/b ok", "/b cl+te", "/c cl+te", "/e ok", "/e ok", "/f te in 1.0", "/d fold"}
	if got := seen(); strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

// TestReadErrResetPerRequest: net/http expires the read deadline to stop
// its background read after every request; that is not the next
// request's client failing.
func TestReadErrResetPerRequest(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var errs []string
	srv := &http.Server{ConnContext: clientconn.ConnContext, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := clientconn.From(r)
		c.Begin(r)
		mu.Lock()
		errs = append(errs, fmtErr(c.ReadErr()))
		mu.Unlock()
	})}
	go srv.Serve(&clientconn.Listener{Listener: tcp, Window: 8192})
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	for range 5 {
		resp, err := client.Get("http://" + tcp.Addr().String() + "/")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(errs, ",") != "nil,nil,nil,nil,nil" {
		t.Errorf("read errors seen by requests on one keep-alive connection: %v", errs)
	}
}

func fmtErr(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}
