// Package gateway is corsgate's request path: a reverse proxy
// (net/http/httputil.ReverseProxy) that puts a corskit policy in front of
// an upstream.
//
// # How the policy is applied
//
// The policy's answer comes from the library itself: for every request the
// route's *cors.Middleware decides (Middleware.Evaluate: the kind of
// request, allowed or refused and why, for a preflight the status the
// policy answers with, and the headers, which Decision.SetHeaders writes
// onto any header map with the library's own Vary merge). Then:
//
//   - enforce mode: a preflight is answered at the gateway from that answer
//     and never reaches the upstream, unless the policy says
//     preflightPassthrough. Every other request goes upstream; on the way
//     back, every Access-Control-* header of the upstream's response is
//     removed and the policy's are set, so there is exactly one
//     Access-Control-Allow-Origin, and the policy's Vary fields are added
//     to the upstream's Vary (never replacing it). This happens on every
//     status, 4xx and 5xx included: a page reads the real error instead of
//     a CORS failure. The upstream's Access-Control-* headers are removed
//     from its 1xx responses (103 Early Hints) and its trailers too.
//   - report-only mode: every request goes upstream and its response comes
//     back untouched; for CORS requests the upstream's answer is compared
//     with the policy's (Decision.Compare: only what a browser or a cache
//     acts on), and each difference is logged and counted.
//
// Applying the decision to the upstream's response, rather than writing
// headers before proxying, keeps the answer intact when the upstream sends
// 1xx responses first (ReverseProxy clears the header map after relaying
// each one).
//
// # Routes and paths
//
// The path is normalised once (package urlpath: dot segments resolved
// after decoding, duplicate slashes merged), and that one path is both
// matched against the routes and sent upstream, so the route whose policy
// is applied is the route the upstream serves. A path with no single
// reading (an encoded slash or backslash, a ";" parameter, a double
// encoding) is answered 400 unless the configuration says
// "ambiguousPaths": "forward"; so is one that climbs above the root or
// holds an encoded control character. Paths that no route covers (when
// there is no "/" route) get a policy that allows no origin. X-Original-URL
// and X-Rewrite-URL, with which some frameworks let a header replace the
// path, are never forwarded.
//
// # Upgrades and WebSockets
//
// Browsers apply no CORS to WebSocket handshakes; the server's check of
// Origin is the only defence against cross-site WebSocket hijacking. An
// upgrade that carries an Origin, a WebSocket handshake or one to another
// protocol the route allows, however its Upgrade header is spelled, is
// judged by the route's policy as an actual request is, and a refused one
// is answered 403 without reaching the upstream (report-only: passed, and
// reported and counted if the upstream accepts it with 101). One without
// Origin (not a browser) is not judged. As in the library's CheckOrigin,
// the policy alone decides: a handshake from the gateway's own origin is
// not let through by comparing Origin with Host (list that origin in the
// route's allowedOrigins). An upgrade to a protocol the route does not
// list in "upgrades" (default: websocket) is not forwarded: the request
// goes upstream without its Upgrade header, as RFC 9110 §7.8 lets a
// server ignore it. The upstream's 101 response loses its
// Access-Control-* headers in enforce mode like any other.
//
// # Timeouts, limits and failures
//
// Timeouts are idle timeouts, per direction, as nginx's are: between two
// reads of the client's body (clientBody: 408 and the connection closed),
// two writes to the client (clientSend), two reads from the upstream,
// counted from the last byte sent to it (upstreamRead, proxy_read_timeout's
// role: it bounds an upstream that stalls after its headers), and two writes
// to it (upstreamSend). A long transfer that keeps moving is never cut.
//
// A body larger than maxBodyBytes is answered 413 with the policy's CORS
// headers (the page can read the status), before the upstream sees it when
// its Content-Length says so. With bufferRequests the whole body is read
// before the upstream sees any of it.
//
// When the upstream cannot be reached or resets the connection before its
// response headers, the gateway answers 502 Bad Gateway; when connecting
// or waiting for its response headers times out, 504 Gateway Timeout
// (nginx does the same). Both carry the CORS headers the policy grants the
// request's origin, in either mode, so a page's script reads the status
// instead of a CORS error. A failure on the client's side is the client's:
// a body that stalls 408, a malformed chunked body 400, a client that went
// away is logged 499 (nginx's convention) and its connection closed. No
// request that failed is ever answered with a success: when nothing can be
// answered, the connection is closed. A transfer cut after the response
// headers (either side stalled or reset) is logged with "cut" naming the
// side, the bytes sent, and the error; every failure is counted by route
// and side.
//
// # Forwarding headers
//
// The upstream sees the client's address in X-Forwarded-For, the scheme
// the client used in X-Forwarded-Proto and the Host it asked for in
// X-Forwarded-Host. What the client itself sent in those headers is
// dropped, because any client can write them, unless the connection comes
// from a trusted proxy (config "trustedProxies"): then its X-Forwarded-For
// is kept and the peer's address appended, and its X-Forwarded-Proto and
// X-Forwarded-Host are passed on. The other headers with which frameworks
// learn a client's address, port, prefix or scheme (X-Real-IP,
// True-Client-IP, X-Forwarded-Port, X-Forwarded-Prefix, …; see
// untrustedForwarding) are dropped from untrusted peers, as Traefik and
// nginx do, and header names with an underscore from everyone (nginx's
// underscores_in_headers off: a CGI-style backend reads X_Forwarded_For as
// X-Forwarded-For). The Forwarded header (RFC 7239) is removed, as
// ReverseProxy does. The Host header sent upstream is the upstream URL's
// host, or the client's with "preserveHost".
//
// # Methods and framing
//
// CONNECT and TRACE are answered 405 and never forwarded (nginx answers
// TRACE so); "OPTIONS *" and any target that is not a path, 400. A header
// block with both Content-Length and Transfer-Encoding, with a folded
// (obs-fold) line, or with Transfer-Encoding in an HTTP/1.0 request, is
// answered 400 and its connection closed (RFC 9112 §6.1 and §5.2; nginx
// does the same), when the server's listener is a clientconn.Listener,
// which sees the bytes net/http repairs.
package gateway

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/corskit/cors"
	"github.com/corskit/cors/cmd/corsgate/internal/clientconn"
	"github.com/corskit/cors/cmd/corsgate/internal/config"
	"github.com/corskit/cors/cmd/corsgate/internal/urlpath"
)

// Decision is the policy's verdict on a request, as the logs and metrics
// name it.
type Decision string

const (
	Allowed  Decision = "allowed"
	Rejected Decision = "rejected"
	// NoDecision: not a CORS request.
	NoDecision Decision = "none"
)

// NoRoute is the route label of paths that no route covers, and of
// requests refused before a route is chosen.
const NoRoute = "(none)"

// Side says which peer a failure is attributed to.
type Side string

const (
	Client   Side = "client"
	Upstream Side = "upstream"
)

// Observer receives what the gateway measures; package metrics implements
// it. A nil Observer is allowed.
type Observer interface {
	// Request is called once per request, when it is done.
	Request(route string, kind cors.Kind, decision Decision, reason cors.Reason, status int, elapsed time.Duration)
	// Failure is called once for each request that failed, with the side
	// at fault and the kind of failure: for the upstream "timeout",
	// "connect", "reset" or "other"; for the client "timeout", "closed",
	// "too-large" or "malformed".
	Failure(route string, side Side, kind string)
	// Difference is called, in report-only mode, for each field on which
	// the upstream's answer differs from the policy's: a header name, or
	// "status" (cors.StatusField) for a preflight's status or an upgrade
	// the upstream accepted from an origin the policy refuses.
	Difference(route, field string)
}

// Options are the gateway's process-level settings.
type Options struct {
	// AccessLog receives one record per request; nil for none.
	AccessLog *slog.Logger
	// AccessJSON, if set, receives the same records as lines of JSON
	// written directly (one Write each), in place of AccessLog: the
	// fields slog's JSON handler would write, at a fraction of its cost.
	AccessJSON io.Writer
	// Log receives errors and report-only differences; nil means
	// slog.Default().
	Log      *slog.Logger
	Observer Observer
}

// A Gateway is the corsgate http.Handler. Load swaps its configuration
// while it serves: each request runs to its end under the configuration it
// started with.
type Gateway struct {
	state atomic.Pointer[state]
	opts  Options
	log   *slog.Logger
}

// New returns a Gateway serving c.
func New(c *config.Config, opts Options) (*Gateway, error) {
	g := &Gateway{opts: opts, log: opts.Log}
	if g.log == nil {
		g.log = slog.Default()
	}
	if err := g.Load(c); err != nil {
		return nil, err
	}
	return g, nil
}

// Config returns the configuration in force.
func (g *Gateway) Config() *config.Config { return g.state.Load().cfg }

// Load makes c the configuration for every request that starts from now
// on. Requests in flight finish under the one they started with. The
// upstream connection pool is kept when the upstream and its timeouts are
// unchanged; otherwise the old pool's idle connections are closed.
func (g *Gateway) Load(c *config.Config) error {
	old := g.state.Load()
	var tr *http.Transport
	if old != nil && sameUpstream(old.cfg, c) {
		tr = old.transport
	} else {
		tr = NewTransport(c)
	}
	st, err := g.build(c, tr)
	if err != nil {
		return err
	}
	g.state.Store(st)
	if old != nil && old.transport != tr {
		old.transport.CloseIdleConnections()
	}
	return nil
}

// Close closes the idle upstream connections.
func (g *Gateway) Close() {
	if st := g.state.Load(); st != nil {
		st.transport.CloseIdleConnections()
	}
}

// state is one configuration, compiled.
type state struct {
	cfg       *config.Config
	routes    []*route // longest path first
	fallback  *route
	proxy     *httputil.ReverseProxy
	transport *http.Transport
	trusted   []netip.Prefix
}

type route struct {
	path string // "" for the fallback
	// bare is path without its trailing slash ("/api" for "/api/"), which
	// the route also covers unless another route's path is bare; "" if
	// none.
	bare     string
	label    string
	policy   *cors.Middleware
	upgrades []string // the protocols requests may switch to
}

func (g *Gateway) build(c *config.Config, tr *http.Transport) (*state, error) {
	st := &state{cfg: c, transport: tr, trusted: c.TrustedProxies}
	for _, r := range c.Routes {
		rt, err := newRoute(r.Path, r.Path, r.Policy, r.Debug, r.Upgrades)
		if err != nil {
			return nil, err
		}
		st.routes = append(st.routes, rt)
	}
	for _, rt := range st.routes {
		if bare := strings.TrimSuffix(rt.path, "/"); bare != rt.path && bare != "" &&
			!slices.ContainsFunc(st.routes, func(o *route) bool { return o.path == bare }) {
			rt.bare = bare
		}
	}
	slices.SortStableFunc(st.routes, func(a, b *route) int { return len(b.path) - len(a.path) })
	// Paths no route covers (no "/" route) allow no origin: the library's
	// own answer for that, with the same Vary and the same 403 preflights
	// as any other rejection.
	deny := cors.Config{AllowOriginFunc: func(*http.Request, string) bool { return false }}
	rt, err := newRoute("", NoRoute, deny, false, nil)
	if err != nil {
		return nil, err
	}
	st.fallback = rt
	st.proxy = &httputil.ReverseProxy{
		Rewrite:        st.rewrite,
		Transport:      tr,
		ModifyResponse: g.modifyResponse,
		ErrorHandler:   g.errorHandler,
		ErrorLog:       slog.NewLogLogger(g.log.Handler(), slog.LevelWarn),
		BufferPool:     copyBuffers,
	}
	return st, nil
}

// copyBuffers lends ReverseProxy the buffers it copies response bodies
// through; without a pool it allocates 32 KiB per request. The pool holds
// array pointers, which a slice converts back to without allocating.
var copyBuffers = &bufferPool{pool: sync.Pool{New: func() any { return new([copyBufferSize]byte) }}}

const copyBufferSize = 32 << 10

// CopyBuffers returns the pool ReverseProxy copies bodies through; the
// benchmark's bare-proxy floor uses it too.
func CopyBuffers() httputil.BufferPool { return copyBuffers }

type bufferPool struct{ pool sync.Pool }

func (p *bufferPool) Get() []byte { return p.pool.Get().(*[copyBufferSize]byte)[:] }

func (p *bufferPool) Put(b []byte) {
	if cap(b) == copyBufferSize {
		p.pool.Put((*[copyBufferSize]byte)(b[:copyBufferSize]))
	}
}

func newRoute(p, label string, policy cors.Config, debug bool, upgrades []string) (*route, error) {
	m, err := cors.New(policy)
	if err != nil {
		return nil, err
	}
	m.SetDebug(debug)
	return &route{path: p, label: label, policy: m, upgrades: upgrades}, nil
}

// match returns the route for a normalised path: the longest route path
// that covers it. A route "/api/" also covers "/api" itself, unless a
// route's path is "/api": most backends serve /api from the handler of
// /api/ (Express's routers, Spring), and nginx answers /api in a
// "location /api/" that proxies with a redirect to /api/, so /api is not
// left to a shorter route's policy ("/"), which would then be applied to
// the /api/ handler's answer.
func (s *state) match(p string) *route {
	for _, rt := range s.routes {
		if p == rt.bare || covers(rt.path, p) {
			return rt
		}
	}
	return s.fallback
}

// covers reports whether the route prefix covers the normalised path p:
// "/api/" covers /api/ and below; "/api" covers /api and everything below
// /api/.
func covers(prefix, p string) bool {
	if !strings.HasPrefix(p, prefix) {
		return false
	}
	return strings.HasSuffix(prefix, "/") || len(p) == len(prefix) || p[len(prefix)] == '/'
}

// exchange is what the gateway knows about one request. It is also the
// request's context (the server's, through which exchangeOf finds it).
type exchange struct {
	context.Context
	st    *state
	route *route
	dec   cors.Decision // the route's policy on the request
	path  urlpath.Path
	conn  *clientconn.Conn // nil when the listener is not a clientconn.Listener

	status      int    // the status sent to the client
	upstream    int    // the upstream's status, 0 if none
	upgrade     string // the protocol the client asked to switch to
	upgradeNote string // "refused" (not forwarded) or "reported" (report-only)
	differences int
	finished    bool // the handler returned normally (not by a panic)

	failSide Side   // who failed the request, "" if no one
	failKind string // the Observer's kind
	cut      bool   // the failure cut a response already started

	w    clientWriter
	body *clientBody  // the request body's reader, nil without a body
	resp upstreamBody // the upstream response body's reader
}

type exchangeKey struct{}

// Value makes the exchange a context.Context that finds itself: one
// allocation fewer than context.WithValue.
func (e *exchange) Value(k any) any {
	if _, ok := k.(exchangeKey); ok {
		return e
	}
	return e.Context.Value(k)
}

func exchangeOf(ctx context.Context) *exchange {
	ex, _ := ctx.Value(exchangeKey{}).(*exchange)
	return ex
}

// requestPath is the path of r's request target as the client sent it,
// without the query: the origin form's path, or the absolute form's.
func requestPath(r *http.Request) string {
	t := r.RequestURI
	if t != "" && t[0] != '/' {
		if r.URL.Host == "" || r.Method == http.MethodConnect {
			return t // authority form, "*", or something else that is no path
		}
		// Absolute form (RFC 9112 §3.2.2): scheme://authority/path?query.
		_, rest, _ := strings.Cut(t, "://")
		if i := strings.IndexAny(rest, "/?"); i >= 0 && rest[i] == '/' {
			t = rest[i:]
		} else {
			t = "/"
		}
	}
	if i := strings.IndexByte(t, '?'); i >= 0 {
		t = t[:i]
	}
	return t
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	st := g.state.Load()
	ex := &exchange{Context: r.Context(), st: st, route: st.fallback, conn: clientconn.From(r)}
	ex.w.init(w, ex)
	w = &ex.w
	defer g.done(ex, r, start)

	if !g.admit(w, r, ex) {
		ex.finished = true
		return
	}
	ex.route = st.match(ex.path.Match)
	ex.dec = ex.route.policy.Evaluate(r)
	if ex.answeredHere() {
		// A preflight: the policy answers it, at the gateway.
		ex.dec.SetHeaders(w.Header())
		ex.status = ex.dec.Status()
		w.WriteHeader(ex.status)
		ex.finished = true
		return
	}
	r = r.WithContext(ex)
	if !g.upgradeAllowed(w, r, ex) || !g.prepareBody(w, r, ex) {
		ex.finished = true
		return
	}
	st.proxy.ServeHTTP(w, r)
	ex.finished = true
}

// admit refuses what the gateway does not forward whatever the route:
// methods, framing, and paths it cannot judge. It normalises the path.
func (g *Gateway) admit(w http.ResponseWriter, r *http.Request, ex *exchange) bool {
	switch r.Method {
	case http.MethodConnect, http.MethodTrace:
		g.refuse(w, ex, http.StatusMethodNotAllowed, Client, "malformed", r.Method+" is not forwarded by this gateway", false)
		return false
	}
	if ex.conn != nil {
		switch f := ex.conn.Begin(r); {
		case f&clientconn.ContentLengthAndChunked != 0:
			g.refuse(w, ex, http.StatusBadRequest, Client, "malformed", "the request has both Content-Length and Transfer-Encoding (RFC 9112 §6.1)", true)
			return false
		case f&clientconn.ObsFold != 0:
			g.refuse(w, ex, http.StatusBadRequest, Client, "malformed", "a header line is folded (obs-fold, RFC 9112 §5.2)", true)
			return false
		case f&clientconn.TransferEncodingHTTP10 != 0:
			g.refuse(w, ex, http.StatusBadRequest, Client, "malformed", "an HTTP/1.0 request has Transfer-Encoding (RFC 9112 §6.1)", true)
			return false
		}
	}
	p, err := urlpath.Normalize(requestPath(r), ex.st.cfg.Paths)
	if err != nil {
		msg := err.Error()
		if urlpath.IsAmbiguous(err) {
			msg += `: the gateway cannot tell which resource the backend would serve (see "ambiguousPaths")`
		}
		g.refuse(w, ex, http.StatusBadRequest, Client, "malformed", msg, false)
		return false
	}
	ex.path = p
	return true
}

// refuse answers a request the gateway will not forward, with a short
// text that says why; close asks for the connection to be closed after
// it. It counts the failure.
func (g *Gateway) refuse(w http.ResponseWriter, ex *exchange, status int, side Side, kind, why string, close bool) {
	ex.fail(side, kind)
	h := w.Header()
	h["Content-Type"] = []string{"text/plain; charset=utf-8"}
	h["X-Content-Type-Options"] = []string{"nosniff"}
	h["Cache-Control"] = []string{"no-store"}
	if close {
		h["Connection"] = []string{"close"}
	}
	ex.status = status
	w.WriteHeader(status)
	io.WriteString(w, strconv.Itoa(status)+" "+http.StatusText(status)+": "+why+"\n")
}

// answeredHere reports whether the gateway answers the request from the
// policy, without the upstream: a preflight the policy answers (not
// preflightPassthrough), in enforce mode.
func (ex *exchange) answeredHere() bool {
	return ex.dec.Status() != 0 && ex.st.cfg.Mode.Enforces()
}

// fail records the first failure of the request.
func (ex *exchange) fail(side Side, kind string) {
	if ex.failSide == "" {
		ex.failSide, ex.failKind = side, kind
	}
}

// withPolicyHeaders writes the policy's headers onto h, for the answers the
// gateway makes itself (413, 502, 504) that a page must be able to read.
func withPolicyHeaders(h http.Header, ex *exchange) {
	ex.dec.SetHeaders(h)
}

// rewrite prepares the upstream request.
func (s *state) rewrite(pr *httputil.ProxyRequest) {
	ex := exchangeOf(pr.In.Context())
	// The path judged is the path forwarded (package urlpath). SetURL
	// joins it to the upstream's path through EscapedPath, which uses
	// RawPath when it encodes Path.
	if ex != nil {
		pr.Out.URL.RawPath = ex.path.Escaped
		pr.Out.URL.Path = ex.path.Escaped
		if strings.IndexByte(ex.path.Escaped, '%') >= 0 {
			pr.Out.URL.Path, _ = urlPathUnescape(ex.path.Escaped)
		} else {
			pr.Out.URL.RawPath = ""
		}
	}
	pr.SetURL(s.cfg.Upstream)
	if s.cfg.PreserveHost {
		pr.Out.Host = pr.In.Host
	}
	in := pr.In.Header
	trusted := s.trusts(pr.In.RemoteAddr)
	scrub(pr.Out.Header, trusted)
	if trusted {
		if v := in["X-Forwarded-For"]; len(v) > 0 {
			pr.Out.Header["X-Forwarded-For"] = slices.Clone(v)
		}
	}
	pr.SetXForwarded() // appends the peer to X-Forwarded-For; sets -Host and -Proto
	if trusted {
		for _, k := range []string{"X-Forwarded-Proto", "X-Forwarded-Host"} {
			if v := in[k]; len(v) > 0 {
				pr.Out.Header[k] = slices.Clone(v)
			}
		}
	}
}

func (s *state) trusts(remoteAddr string) bool {
	if len(s.trusted) == 0 {
		return false
	}
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		return false
	}
	a := ap.Addr().Unmap()
	for _, p := range s.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// modifyResponse applies or compares the policy's answer.
func (g *Gateway) modifyResponse(resp *http.Response) error {
	ex := exchangeOf(resp.Request.Context())
	if ex == nil {
		return nil
	}
	ex.upstream, ex.status = resp.StatusCode, resp.StatusCode
	enforce := ex.st.cfg.Mode == config.Enforce
	if resp.StatusCode != http.StatusSwitchingProtocols {
		// A 101's body is the tunnel, which ReverseProxy needs as it is.
		ex.resp.wrap(resp, enforce)
	}
	if enforce {
		stripAccessControl(resp.Header)
		stripAccessControl(resp.Trailer)
		if resp.StatusCode == http.StatusSwitchingProtocols {
			ex.dec.SetHeaders(resp.Header) // ReverseProxy writes a 101 itself
		} else {
			// After ReverseProxy has copied the upstream's headers
			// (clientWriter.WriteHeader): set straight into the client's
			// header map, with no copy of their values.
			ex.w.applyPolicy = true
		}
		return nil
	}
	var diffs []cors.Difference
	switch kind := ex.dec.Kind(); {
	case kind == cors.NotCORS:
		return nil
	case resp.StatusCode == http.StatusSwitchingProtocols && kind != cors.WebSocketHandshake:
		// An upgrade to another protocol, which no browser can ask for
		// and the library does not judge: enforce mode refuses it when
		// the policy refuses its origin, as a handshake (upgradeAllowed).
		if !ex.dec.Allowed() {
			diffs = []cors.Difference{{Field: cors.StatusField, Response: "101", Policy: "403"}}
		}
	default:
		diffs = ex.dec.Compare(resp.StatusCode, resp.Header)
	}
	if len(diffs) == 0 {
		return nil
	}
	if resp.StatusCode == http.StatusSwitchingProtocols {
		ex.upgradeNote = "reported"
	}
	g.report(resp.Request, ex, resp.StatusCode, diffs)
	return nil
}

// report logs and counts, in report-only mode, what the policy would have
// answered differently.
func (g *Gateway) report(r *http.Request, ex *exchange, status int, diffs []cors.Difference) {
	ex.differences += len(diffs)
	texts := make([]string, len(diffs))
	for i, d := range diffs {
		texts[i] = cut(d.String())
		if g.opts.Observer != nil {
			g.opts.Observer.Difference(ex.route.label, d.Field)
		}
	}
	g.log.LogAttrs(r.Context(), slog.LevelWarn, "report-only: the policy would answer differently",
		slog.String("route", ex.route.label),
		slog.String("method", cut(r.Method)),
		slog.String("path", cut(ex.path.Escaped)),
		slog.String("origin", cut(ex.dec.Origin())),
		slog.String("cors", ex.dec.Kind().String()),
		slog.String("decision", string(decision(ex))),
		slog.String("reason", string(ex.dec.Reason())),
		slog.Int("status", status),
		slog.Any("differences", texts),
	)
}

// stripAccessControl removes every Access-Control-* field from h.
func stripAccessControl(h http.Header) {
	for k := range h {
		if isAccessControl(k) {
			delete(h, k)
		}
	}
}

const accessControlPrefix = "Access-Control-"

func isAccessControl(name string) bool {
	return len(name) >= len(accessControlPrefix) && strings.EqualFold(name[:len(accessControlPrefix)], accessControlPrefix)
}

// errorHandler answers a request whose upstream exchange failed before
// the upstream's response headers: for the client's failure as the
// client's (413, 408, 400, or the connection closed), for the upstream's
// 502 or 504 with the CORS headers the policy grants.
func (g *Gateway) errorHandler(w http.ResponseWriter, r *http.Request, err error) {
	ex := exchangeOf(r.Context())
	if ex == nil {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	if kind := ex.clientFailure(); kind != "" || r.Context().Err() != nil {
		if kind == "" {
			kind = "closed"
		}
		g.clientFailed(w, ex, kind)
		return
	}
	status, kind := classifyError(err)
	ex.status = status
	ex.fail(Upstream, kind)
	g.log.LogAttrs(r.Context(), slog.LevelWarn, "upstream failed",
		slog.String("route", ex.route.label), slog.String("method", cut(r.Method)), slog.String("path", cut(ex.path.Escaped)),
		slog.String("kind", kind), slog.Int("status", status), slog.String("error", err.Error()))
	h := w.Header()
	withPolicyHeaders(h, ex)
	h["Content-Type"] = []string{"text/plain; charset=utf-8"}
	h["X-Content-Type-Options"] = []string{"nosniff"}
	h["Cache-Control"] = []string{"no-store"}
	w.WriteHeader(status)
	io.WriteString(w, strconv.Itoa(status)+" "+http.StatusText(status)+": "+errorText[kind]+"\n")
}

var errorText = map[string]string{
	"timeout": "the upstream did not answer in time",
	"connect": "the upstream could not be reached",
	"reset":   "the upstream closed the connection",
	"other":   "the upstream's answer could not be read",
}

// clientFailed answers a request whose client failed it, before any of
// the response was sent.
func (g *Gateway) clientFailed(w http.ResponseWriter, ex *exchange, kind string) {
	switch kind {
	case "too-large":
		withPolicyHeaders(w.Header(), ex)
		g.refuse(w, ex, http.StatusRequestEntityTooLarge, Client, kind, "the request body is larger than this gateway accepts ("+strconv.FormatInt(ex.st.cfg.MaxBodyBytes, 10)+" bytes)", true)
	case "timeout":
		g.refuse(w, ex, http.StatusRequestTimeout, Client, kind, "the request body stopped arriving", true)
	case "malformed":
		g.refuse(w, ex, http.StatusBadRequest, Client, kind, "the request body's chunked encoding is malformed", true)
	default:
		// The client went away: nobody to answer, and returning would
		// make net/http send a 200 of its own. Abort the connection.
		ex.fail(Client, "closed")
		ex.status = 499
		panic(http.ErrAbortHandler)
	}
}

// classifyError maps an upstream error to a status and a failure kind.
func classifyError(err error) (int, string) {
	if isTimeout(err) {
		return http.StatusGatewayTimeout, "timeout"
	}
	var oe *net.OpError
	switch {
	case errors.As(err, &oe) && oe.Op == "dial":
		return http.StatusBadGateway, "connect"
	case isReset(err):
		return http.StatusBadGateway, "reset"
	}
	return http.StatusBadGateway, "other"
}

func decision(ex *exchange) Decision {
	switch {
	case ex.dec.Kind() == cors.NotCORS:
		return NoDecision
	case !ex.dec.Allowed():
		return Rejected
	}
	return Allowed
}

// done attributes a failure the handler did not see (a transfer cut after
// the response headers), then writes the access log record and the
// request's metrics.
func (g *Gateway) done(ex *exchange, r *http.Request, start time.Time) {
	elapsed := time.Since(start)
	if !ex.finished && ex.failSide == "" {
		// The handler is unwinding: ReverseProxy panicked with
		// http.ErrAbortHandler because copying the body failed.
		ex.cut = true
		side, kind := ex.cutBy(r)
		ex.fail(side, kind)
	}
	if ex.status == 0 {
		ex.status = ex.w.status
	}
	if ex.failSide != "" && g.opts.Observer != nil {
		g.opts.Observer.Failure(ex.route.label, ex.failSide, ex.failKind)
	}
	dec := decision(ex)
	if g.opts.Observer != nil {
		g.opts.Observer.Request(ex.route.label, ex.dec.Kind(), dec, ex.dec.Reason(), ex.status, elapsed)
	}
	if g.opts.AccessLog == nil && g.opts.AccessJSON == nil {
		return
	}
	var attrBuf [18]slog.Attr
	attrs := attrBuf[:0]
	path := ex.path.Escaped
	if path == "" {
		path = requestPath(r)
	}
	attrs = append(attrs,
		slog.String("method", cut(r.Method)),
		slog.String("path", cut(path)),
		slog.String("remote", r.RemoteAddr),
		slog.String("route", ex.route.label),
		slog.Int("status", ex.status),
		slog.Duration("duration", elapsed),
		slog.Int64("bytes", ex.w.bytes),
		slog.String("origin", cut(ex.dec.Origin())),
		slog.String("cors", ex.dec.Kind().String()),
		slog.String("decision", string(dec)),
	)
	if raw := requestPath(r); ex.path.Escaped != "" && raw != ex.path.Escaped {
		attrs = append(attrs, slog.String("rawPath", cut(raw)))
	}
	if reason := ex.dec.Reason(); reason != "" {
		attrs = append(attrs, slog.String("reason", string(reason)))
	}
	if ex.answeredHere() {
		attrs = append(attrs, slog.String("answeredBy", "gateway"))
	} else if ex.upstream != 0 {
		attrs = append(attrs, slog.Int("upstreamStatus", ex.upstream))
	}
	if ex.upgrade != "" {
		attrs = append(attrs, slog.String("upgrade", cut(ex.upgrade)))
		if ex.upgradeNote != "" {
			attrs = append(attrs, slog.String("upgradeNote", ex.upgradeNote))
		}
	}
	switch ex.failSide {
	case Upstream:
		attrs = append(attrs, slog.String("upstreamError", ex.failKind))
	case Client:
		attrs = append(attrs, slog.String("clientError", ex.failKind))
	}
	if ex.cut {
		attrs = append(attrs, slog.String("cut", string(ex.failSide)))
	}
	if ex.differences > 0 {
		attrs = append(attrs, slog.Int("differences", ex.differences))
	}
	if g.opts.AccessJSON != nil {
		writeAccessJSON(g.opts.AccessJSON, time.Now(), attrs)
		return
	}
	g.opts.AccessLog.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
}

// maxLogValue bounds each request-controlled value in the logs.
const maxLogValue = 256

func cut(s string) string {
	if len(s) > maxLogValue {
		return s[:maxLogValue] + "…"
	}
	return s
}
