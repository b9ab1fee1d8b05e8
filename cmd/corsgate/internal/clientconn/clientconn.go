// Package clientconn wraps the gateway's client connections to see what
// net/http hides from a handler: how a request's header block was framed,
// and which read on the connection failed.
//
// # Framing that net/http repairs silently
//
// net/http accepts two header forms that RFC 9112 tells a server to treat
// as errors, and repairs them before the handler runs:
//
//   - Content-Length together with Transfer-Encoding (§6.1): net/http
//     deletes Content-Length and reads the chunked body, keeping the
//     connection open. RFC 9112 §6.1: "the server MUST close the connection
//     after responding to such a request"; nginx answers 400.
//   - obs-fold, a header line continued on the next line by leading
//     whitespace (§5.2): net/http joins the lines. RFC 9112 §5.2 lets a
//     server reject it with 400, as nginx does; a backend that reads the
//     folded line differently is a smuggling risk.
//   - Transfer-Encoding in an HTTP/1.0 request (§6.1): net/http ignores
//     it (go.dev/issue/12785) and reads the body as having no length, so
//     the chunked body that follows is read as the next request. RFC 9112
//     §6.1: the server "MUST treat the message as if the framing is
//     faulty ... and close the connection after processing the message";
//     nginx answers 400. A proxy in front that reads the body as chunked
//     would otherwise disagree with the gateway on where the next request
//     starts.
//
// A Conn keeps the bytes read since the last request's header block
// (bounded), and Begin finds the current request's block among them by
// its request line and reports these two forms. The search cannot be led
// astray to anyone's harm but the sender's: a body that imitates the next
// request line on the same connection can at worst get its own next
// request refused or let it through as net/http would.
//
// # Read errors
//
// When a read from the client fails (its body stalls past the deadline, or
// it resets the connection), net/http cancels the request's context
// before the handler's body read returns. A proxy that then sees its
// upstream request canceled cannot tell a client that stopped sending
// from a client that went away; ReadErr says which, and is set before
// the context is canceled.
package clientconn

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// Framing flags.
const (
	// ContentLengthAndChunked: the header block had both Content-Length
	// and Transfer-Encoding.
	ContentLengthAndChunked = 1 << iota
	// ObsFold: a header line was folded.
	ObsFold
	// TransferEncodingHTTP10: an HTTP/1.0 request had Transfer-Encoding.
	TransferEncodingHTTP10
)

// A Listener accepts *Conn connections.
type Listener struct {
	net.Listener
	// Window bounds the bytes a connection keeps to find a header block
	// in: the largest header block the server accepts plus its read-ahead.
	// A longer block is not inspected.
	Window int
}

// WindowFor is the Window for an http.Server with the given
// MaxHeaderBytes: net/http reads up to MaxHeaderBytes plus 4096 bytes of
// header block (net/http's server.go, initialReadLimitSize), and its
// bufio.Reader reads 4096 bytes ahead.
func WindowFor(maxHeaderBytes int) int { return maxHeaderBytes + 8192 }

// Accept wraps the next connection.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &Conn{Conn: c, window: l.Window}, nil
}

// A Conn is a client connection that records what it read.
type Conn struct {
	net.Conn
	window int

	mu      sync.Mutex
	buf     []byte // bytes read since the last header block found
	readErr error  // the first read error since Begin, io.EOF included

	writeNext time.Time // ExtendWrite need not move the deadline before then
}

// Read implements net.Conn.
func (c *Conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 || err != nil {
		c.mu.Lock()
		if n > 0 && c.window > 0 {
			c.record(p[:n])
		}
		if err != nil && c.readErr == nil {
			c.readErr = err
		}
		c.mu.Unlock()
	}
	return n, err
}

// record appends b to buf, keeping at most 2×window bytes (trimmed to
// window at a time, so that each byte is moved a bounded number of times).
func (c *Conn) record(b []byte) {
	c.buf = append(c.buf, b...)
	if len(c.buf) > 2*c.window {
		keep := c.buf[len(c.buf)-c.window:]
		c.buf = append(c.buf[:0], keep...)
	}
}

// ReadErr returns the first error a read on the connection returned since
// the request began (Begin).
func (c *Conn) ReadErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readErr
}

type connKey struct{}

// ConnContext is the http.Server's ConnContext: it makes the connection
// available to From.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if cc, ok := c.(*Conn); ok {
		return context.WithValue(ctx, connKey{}, cc)
	}
	return ctx
}

// From returns the connection r arrived on, or nil.
func From(r *http.Request) *Conn {
	c, _ := r.Context().Value(connKey{}).(*Conn)
	return c
}

// Begin starts a request on the connection: it forgets the read errors so
// far (net/http ends its background read between two requests by
// expiring the read deadline, which is no failure of the client) and
// returns the framing flags of r's header block, forgetting the bytes up
// to its end. Call it once per request, when the handler starts:
// requests on a connection are served one after the other, so the
// connection's next header block that carries r's request line is r's.
// A block that cannot be found (too long, or the request line's bytes
// differ from what net/http made of them) is reported as 0.
func (c *Conn) Begin(r *http.Request) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.readErr = nil
	start := c.findRequestLine(r)
	if start < 0 {
		return 0
	}
	flags, end := scanHeader(c.buf[start:])
	if end < 0 {
		return 0
	}
	rest := copy(c.buf, c.buf[start+end:])
	c.buf = c.buf[:rest]
	if rest == 0 && cap(c.buf) > 4096 {
		c.buf = nil // an idle connection keeps no large buffer
	}
	return flags
}

// findRequestLine returns the offset in buf of the first line that is r's
// request line, "METHOD SP request-target SP HTTP-version", or -1.
func (c *Conn) findRequestLine(r *http.Request) int {
	b := c.buf
	for off := 0; off < len(b); {
		i := bytes.Index(b[off:], []byte(r.Method))
		if i < 0 {
			return -1
		}
		i += off
		if (i == 0 || b[i-1] == '\n') && isRequestLine(b[i:], r) {
			return i
		}
		off = i + 1
	}
	return -1
}

func isRequestLine(b []byte, r *http.Request) bool {
	for _, part := range [...]string{r.Method, " ", r.RequestURI, " ", r.Proto} {
		if len(b) < len(part) || string(b[:len(part)]) != part {
			return false
		}
		b = b[len(part):]
	}
	return len(b) > 0 && (b[0] == '\n' || b[0] == '\r' && len(b) > 1 && b[1] == '\n')
}

// scanHeader reads the header block at the start of b (request line
// first), up to and including its empty line, as net/textproto reads it
// (lines end in "\n", an "\r" before it is dropped). It returns the flags
// and the length of the block, or -1 if b holds no whole block.
func scanHeader(b []byte) (flags, n int) {
	var cl, te, http10 bool
	first := true
	for off := 0; ; {
		nl := bytes.IndexByte(b[off:], '\n')
		if nl < 0 {
			return 0, -1
		}
		line := b[off : off+nl]
		off += nl + 1
		line = bytes.TrimSuffix(line, []byte("\r"))
		if first {
			first = false
			http10 = bytes.HasSuffix(line, []byte(" HTTP/1.0"))
			continue
		}
		if len(line) == 0 {
			if cl && te {
				flags |= ContentLengthAndChunked
			}
			if te && http10 {
				flags |= TransferEncodingHTTP10
			}
			return flags, off
		}
		if line[0] == ' ' || line[0] == '\t' {
			flags |= ObsFold
			continue
		}
		name, _, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			cl = true
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			te = true
		}
	}
}

// Hijacked tells the connection that it now carries a tunnel: it stops
// keeping what it reads.
func (c *Conn) Hijacked() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.window, c.buf = 0, nil
}

// ExtendWrite moves the connection's write deadline to idle from now,
// unless it was moved less than idle/8 ago: on a keep-alive connection
// busy with short requests the deadline is set once per idle/8, not once
// per request. net/http sets no write deadline of its own when its
// WriteTimeout is zero, so the one set here holds until moved. Call it
// from the goroutine serving the connection's requests.
func (c *Conn) ExtendWrite(idle time.Duration) {
	now := time.Now()
	if now.Before(c.writeNext) {
		return
	}
	c.writeNext = now.Add(idle / 8)
	c.Conn.SetWriteDeadline(now.Add(idle))
}

// ClearWrite removes the write deadline (a hijacked connection's tunnel
// has none).
func (c *Conn) ClearWrite() {
	c.writeNext = time.Time{}
	c.Conn.SetWriteDeadline(time.Time{})
}
