// Package rawhttp sends one HTTP/1.1 request with the header values
// exactly as given, including the bytes net/http's client refuses.
//
// Browsers send any header value a script sets that holds no NUL, CR or LF
// (Fetch §2.2, "header value"; Chromium's net::HttpUtil::IsValidHeaderValue,
// Gecko's NS_IsReasonableHTTPHeaderValue and WebKit's isValidHTTPHeaderValue
// check those three bytes only), so a page can send "X-Custom: \x01". Go's
// http.Transport refuses every control byte but HTAB ("net/http: invalid
// header field value"), which would make the checker report a network error
// for a request the browser makes. The checker sends such a request through
// this package instead, on a connection of its own, and reads the answer
// with net/http's own response parser.
package rawhttp

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Needed reports whether h holds a value Go's HTTP client would refuse to
// send: a control byte other than HTAB (0x00–0x08, 0x0A–0x1F, 0x7F). CR,
// LF and NUL count too, though no browser sends them; RoundTrip refuses
// those.
func Needed(h http.Header) bool {
	for _, vs := range h {
		for _, v := range vs {
			for i := 0; i < len(v); i++ {
				if b := v[i]; b < 0x20 && b != '\t' || b == 0x7f {
					return true
				}
			}
		}
	}
	return false
}

// ErrProxy is returned for a request that t would send through a proxy:
// RoundTrip connects to the origin server itself only.
var ErrProxy = errors.New("a header value net/http refuses to send cannot go through a proxy; unset the proxy for this host")

// RoundTrip sends r over a new connection to r.URL's host, dialled with t's
// DialContext (net.Dialer when nil) and, for https, t's TLS configuration
// (HTTP/1.1 only), and returns the response with its body read into memory
// (at most limit bytes; the rest is dropped). The request line is r.Method
// and r.URL's request URI; then Host, the headers of r.Header in name order
// (a name's values in order, each on its own line), Content-Length when r
// has a body, and "Connection: close". A value with CR, LF or NUL is an
// error. ctx bounds the whole exchange.
func RoundTrip(ctx context.Context, t *http.Transport, r *http.Request, limit int64) (*http.Response, error) {
	for k, vs := range r.Header {
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") {
				return nil, fmt.Errorf("the value of %s holds CR, LF or NUL, which no browser sends", k)
			}
		}
	}
	if t == nil {
		t = http.DefaultTransport.(*http.Transport)
	}
	if t.Proxy != nil {
		if p, err := t.Proxy(r); err != nil || p != nil {
			return nil, ErrProxy
		}
	}
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	host := r.URL.Host
	if r.URL.Port() == "" {
		port := "80"
		if r.URL.Scheme == "https" {
			port = "443"
		}
		host = net.JoinHostPort(r.URL.Hostname(), port)
	}
	dial := t.DialContext
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	conn, err := dial(ctx, "tcp", host)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	if r.URL.Scheme == "https" {
		cfg := &tls.Config{}
		if t.TLSClientConfig != nil {
			cfg = t.TLSClientConfig.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = r.URL.Hostname()
		}
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, err
		}
		conn = tc
	}
	w := bufio.NewWriter(conn)
	fmt.Fprintf(w, "%s %s HTTP/1.1\r\nHost: %s\r\n", r.Method, r.URL.RequestURI(), r.URL.Host)
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range r.Header {
			if !yield(k) {
				return
			}
		}
	}) {
		if strings.EqualFold(k, "Host") || strings.EqualFold(k, "Content-Length") || strings.EqualFold(k, "Connection") {
			continue
		}
		for _, v := range r.Header[k] {
			fmt.Fprintf(w, "%s: %s\r\n", k, v)
		}
	}
	if len(body) > 0 || r.Method == http.MethodPost || r.Method == http.MethodPut {
		fmt.Fprintf(w, "Content-Length: %d\r\n", len(body))
	}
	w.WriteString("Connection: close\r\n\r\n")
	w.Write(body)
	if err := w.Flush(); err != nil {
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), r)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(strings.NewReader(string(b)))
	return resp, nil
}
