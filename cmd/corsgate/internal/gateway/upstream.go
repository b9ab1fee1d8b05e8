package gateway

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"time"

	"github.com/corskit/cors/cmd/corsgate/internal/config"
)

func sameUpstream(a, b *config.Config) bool {
	return a.Upstream.String() == b.Upstream.String() &&
		a.UpstreamConnectTimeout == b.UpstreamConnectTimeout &&
		a.UpstreamResponseHeaderTimeout == b.UpstreamResponseHeaderTimeout &&
		a.UpstreamReadTimeout == b.UpstreamReadTimeout &&
		a.UpstreamSendTimeout == b.UpstreamSendTimeout
}

// NewTransport returns the upstream client the gateway uses for c (the
// benchmark's bare-proxy floor uses it too, so that the two differ only by
// the gateway's own work): no proxy from the environment (a
// gateway must not be redirected by HTTP_PROXY), no transparent
// decompression (bodies pass through as they are), a pool large enough
// for a proxy's fan-in (http.DefaultTransport keeps 2 idle connections per
// host), and connections that carry the idle timeouts (upstreamConn).
func NewTransport(c *config.Config) *http.Transport {
	d := &net.Dialer{Timeout: c.UpstreamConnectTimeout, KeepAlive: 30 * time.Second}
	dial := d.DialContext
	read, send := c.UpstreamReadTimeout, c.UpstreamSendTimeout
	idle := 90 * time.Second
	if read > 0 || send > 0 {
		dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return newUpstreamConn(conn, read, send), nil
		}
	}
	if read > 0 {
		// A pooled connection's pending read would time out after read;
		// the pool lets it go first.
		idle = min(idle, read*3/4)
	}
	return &http.Transport{
		DialContext:            dial,
		ResponseHeaderTimeout:  c.UpstreamResponseHeaderTimeout,
		TLSHandshakeTimeout:    c.UpstreamConnectTimeout,
		MaxIdleConns:           1024,
		MaxIdleConnsPerHost:    256,
		IdleConnTimeout:        idle,
		ExpectContinueTimeout:  time.Second,
		DisableCompression:     true,
		MaxResponseHeaderBytes: 1 << 20,
		ForceAttemptHTTP2:      c.Upstream.Scheme == "https",
	}
}

// upstreamConn is a connection to the upstream with idle timeouts: a read
// must return within read of the last byte read or written (nginx's
// proxy_read_timeout, which also runs from the end of the request), a
// write within send (proxy_send_timeout). The deadlines are moved at most
// once per eighth of the timeout. The transport reads each connection from
// one goroutine and writes it from another; each moves its own.
type upstreamConn struct {
	net.Conn
	read, send time.Duration
	readNext   time.Time
	writeNext  time.Time
}

func newUpstreamConn(c net.Conn, read, send time.Duration) *upstreamConn {
	u := &upstreamConn{Conn: c, read: read, send: send}
	now := time.Now()
	if read > 0 {
		c.SetReadDeadline(now.Add(read))
	}
	if send > 0 {
		c.SetWriteDeadline(now.Add(send))
	}
	return u
}

func (c *upstreamConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && c.read > 0 {
		if now := time.Now(); !now.Before(c.readNext) {
			c.readNext = now.Add(c.read / 8)
			c.Conn.SetReadDeadline(now.Add(c.read))
		}
	}
	return n, err
}

func (c *upstreamConn) Write(p []byte) (int, error) {
	if now := time.Now(); !now.Before(c.writeNext) {
		c.writeNext = now.Add(min(nonzero(c.read), nonzero(c.send)) / 8)
		if c.send > 0 {
			c.Conn.SetWriteDeadline(now.Add(c.send))
		}
		if c.read > 0 {
			// The upstream's time to answer starts now.
			c.Conn.SetReadDeadline(now.Add(c.read))
		}
	}
	return c.Conn.Write(p)
}

// nonzero maps "no timeout" to the largest duration, for min.
func nonzero(d time.Duration) time.Duration {
	if d <= 0 {
		return 1<<63 - 1
	}
	return d
}

// upstreamBody reads the upstream's response body for ReverseProxy. It
// keeps the first read error, so that a cut transfer is attributed, and in
// enforce mode removes Access-Control-* fields from the trailers, which
// the transport fills in when the body ends.
type upstreamBody struct {
	io.ReadCloser
	resp  *http.Response
	strip bool
	err   error
}

func (b *upstreamBody) wrap(resp *http.Response, strip bool) {
	b.ReadCloser, b.resp, b.strip = resp.Body, resp, strip
	resp.Body = b
}

func (b *upstreamBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		if err == io.EOF {
			if b.strip {
				stripAccessControl(b.resp.Trailer)
			}
		} else if b.err == nil {
			b.err = err
		}
	}
	return n, err
}

func (b *upstreamBody) Close() error {
	err := b.ReadCloser.Close()
	if b.strip {
		stripAccessControl(b.resp.Trailer)
	}
	return err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}

var urlPathUnescape = url.PathUnescape
