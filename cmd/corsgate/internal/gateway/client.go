package gateway

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/corskit/cors/cmd/corsgate/internal/clientconn"
)

// deadliner is what net/http's ResponseWriter offers (Go 1.20) to move the
// connection's deadlines from a handler.
type deadliner interface {
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

// clientWriter is the ResponseWriter the gateway and ReverseProxy write
// the response through. It keeps the idle write deadline (clientSend)
// moving while writes succeed, strips the upstream's Access-Control-*
// headers from 1xx responses in enforce mode, counts the body bytes sent
// and keeps the first write error, so that a cut transfer is attributed.
type clientWriter struct {
	http.ResponseWriter
	ex     *exchange
	dl     deadliner // nil if the ResponseWriter cannot set deadlines
	idle   time.Duration
	next   time.Time // no need to move the deadline before then
	status int       // the final status written, 0 if none yet
	bytes  int64
	err    error
	// applyPolicy: set the policy's headers on the final response header
	// (modifyResponse asks for it, having removed the upstream's).
	applyPolicy bool
}

func (cw *clientWriter) init(w http.ResponseWriter, ex *exchange) {
	cw.ResponseWriter, cw.ex = w, ex
	cw.dl, _ = w.(deadliner)
	cw.idle = ex.st.cfg.ClientSendTimeout
	cw.extend()
}

// extend moves the write deadline to idle from now. It does so at most
// once per idle/8: the timeout is idle within an eighth.
func (cw *clientWriter) extend() {
	if cw.idle <= 0 {
		return
	}
	if c := cw.ex.conn; c != nil {
		c.ExtendWrite(cw.idle)
		return
	}
	if cw.dl == nil {
		return
	}
	now := time.Now()
	if now.Before(cw.next) {
		return
	}
	cw.next = now.Add(cw.idle / 8)
	cw.dl.SetWriteDeadline(now.Add(cw.idle))
}

func (cw *clientWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		// ReverseProxy relays the upstream's 1xx responses (103 Early
		// Hints) through this header map.
		if cw.ex.st.cfg.Mode.Enforces() {
			stripAccessControl(cw.ResponseWriter.Header())
		}
	} else if cw.status == 0 {
		cw.status = code
		if cw.applyPolicy {
			cw.ex.dec.SetHeaders(cw.ResponseWriter.Header())
		}
	}
	cw.extend()
	cw.ResponseWriter.WriteHeader(code)
}

func (cw *clientWriter) Write(p []byte) (int, error) {
	cw.extend()
	n, err := cw.ResponseWriter.Write(p)
	cw.bytes += int64(n)
	if err != nil && cw.err == nil {
		cw.err = err
	}
	return n, err
}

// FlushError is what http.ResponseController.Flush calls first.
func (cw *clientWriter) FlushError() error {
	cw.extend()
	err := http.NewResponseController(cw.ResponseWriter).Flush()
	if err != nil && cw.err == nil {
		cw.err = err
	}
	return err
}

// Hijack hands the connection over to a tunnel (a 101 response): without
// the deadlines of this exchange, which would cut the tunnel, and without
// the connection's framing record.
func (cw *clientWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	rc := http.NewResponseController(cw.ResponseWriter)
	rc.SetReadDeadline(time.Time{})
	rc.SetWriteDeadline(time.Time{})
	c, brw, err := rc.Hijack()
	if cc, ok := c.(*clientconn.Conn); ok {
		cc.ClearWrite()
		cc.Hijacked()
	}
	return c, brw, err
}

// Unwrap lets http.ResponseController reach the server's ResponseWriter.
func (cw *clientWriter) Unwrap() http.ResponseWriter { return cw.ResponseWriter }

// errTooLarge is the request body reader's error past maxBodyBytes.
var errTooLarge = errors.New("request body larger than maxBodyBytes")

// clientBody reads the request's body for the upstream transport (or for
// buffering). It keeps the idle read deadline (clientBody) moving while
// bytes arrive, enforces maxBodyBytes, and records how the body failed.
// Read runs on the transport's goroutine, so what it records is guarded.
type clientBody struct {
	rc    io.ReadCloser
	dl    deadliner
	idle  time.Duration
	next  time.Time
	limit int64

	mu       sync.Mutex
	n        int64
	err      error // the first error other than io.EOF
	tooLarge bool
}

func (b *clientBody) Read(p []byte) (int, error) {
	if b.idle > 0 && b.dl != nil {
		if now := time.Now(); !now.Before(b.next) {
			b.next = now.Add(b.idle / 8)
			b.dl.SetReadDeadline(now.Add(b.idle))
		}
	}
	n, err := b.rc.Read(p)
	b.mu.Lock()
	b.n += int64(n)
	if b.limit > 0 && b.n > b.limit {
		b.tooLarge, n, err = true, 0, errTooLarge
	}
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	b.mu.Unlock()
	if err == io.EOF && b.idle > 0 && b.dl != nil {
		// The whole body is in: no deadline must remain for net/http's
		// own background read, which would take it for the client's
		// failure and cancel the request.
		b.dl.SetReadDeadline(time.Time{})
	}
	return n, err
}

func (b *clientBody) Close() error { return b.rc.Close() }

// prepareBody puts clientBody in front of the request's body, refuses one
// that its Content-Length already says is too large, and reads it whole
// first with bufferRequests. It answers and returns false if the request
// must not go upstream.
func (g *Gateway) prepareBody(w http.ResponseWriter, r *http.Request, ex *exchange) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return true
	}
	c := ex.st.cfg
	if c.MaxBodyBytes > 0 && r.ContentLength > c.MaxBodyBytes {
		g.clientFailed(w, ex, "too-large")
		return false
	}
	ex.body = &clientBody{rc: r.Body, dl: ex.w.dl, idle: c.ClientBodyTimeout, limit: c.MaxBodyBytes}
	r.Body = ex.body
	if !c.BufferRequests {
		return true
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	if _, err := buf.ReadFrom(ex.body); err != nil {
		kind := ex.clientFailure()
		if kind == "" {
			kind = "closed"
		}
		g.clientFailed(w, ex, kind)
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(buf.Bytes()))
	r.ContentLength = int64(buf.Len())
	r.TransferEncoding = nil
	return true
}

// clientFailure says how the client failed the request, "" if it did not
// (as far as the gateway can tell): "too-large", "timeout", "closed" or
// "malformed" (a chunked body net/http could not decode).
func (ex *exchange) clientFailure() string {
	if b := ex.body; b != nil {
		b.mu.Lock()
		tooLarge, err := b.tooLarge, b.err
		b.mu.Unlock()
		switch {
		case tooLarge:
			return "too-large"
		case err != nil && isTimeout(err):
			return "timeout"
		case err != nil && isReset(err):
			return "closed"
		case err != nil:
			return "malformed"
		}
	}
	// The connection's read error is recorded before net/http cancels the
	// request, so it is here even when the body reader's is not yet.
	if ex.conn != nil {
		if err := ex.conn.ReadErr(); err != nil {
			if isTimeout(err) {
				return "timeout"
			}
			return "closed"
		}
	}
	return ""
}

// cutBy attributes a transfer that broke after the response headers.
func (ex *exchange) cutBy(r *http.Request) (Side, string) {
	switch err := ex.w.err; {
	case err != nil && isTimeout(err):
		return Client, "timeout"
	case err != nil:
		return Client, "closed"
	}
	if r.Context().Err() != nil {
		return Client, "closed"
	}
	switch err := ex.resp.err; {
	case err == nil:
		return Upstream, "other"
	case isTimeout(err):
		return Upstream, "timeout"
	case isReset(err):
		return Upstream, "reset"
	}
	return Upstream, "other"
}
