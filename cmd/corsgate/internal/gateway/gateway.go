// Package gateway is corsgate's request path: a reverse proxy
// (net/http/httputil.ReverseProxy) that puts a corskit policy in front of
// an upstream.
//
// # How the policy is applied
//
// The policy's answer comes from the library itself: for every request the
// route's *cors.Middleware runs first against a header-only recorder, which
// yields the headers and, for a preflight, the status it would answer with,
// and (through Config.OnReject) the reason for a rejection. Then:
//
//   - enforce mode: a preflight is answered at the gateway from that answer
//     and never reaches the upstream, unless the policy says
//     preflightPassthrough. Every other request goes upstream; on the way
//     back, every Access-Control-* header of the upstream's response is
//     removed and the policy's are set, so there is exactly one
//     Access-Control-Allow-Origin, and the policy's Vary fields are added
//     to the upstream's Vary, never replacing it. This happens on every
//     status, 4xx and 5xx included: a page reads the real error instead of
//     a CORS failure.
//   - report-only mode: every request goes upstream and its response comes
//     back untouched; for CORS requests the upstream's answer is compared
//     with the policy's (package shadow), and each difference is logged and
//     counted.
//
// Applying the answer to the upstream's response, rather than letting the
// middleware write headers before proxying, keeps the answer intact when
// the upstream sends 1xx responses first (ReverseProxy clears the header
// map after relaying each one).
//
// # Upstream failures
//
// When the upstream cannot be reached or resets the connection the gateway
// answers 502 Bad Gateway; when connecting or waiting for its response
// headers times out, 504 Gateway Timeout (nginx does the same). Both carry
// the CORS headers the policy grants the request's origin, in either mode,
// so a page's script reads the status instead of a CORS error. A client
// that went away before the upstream answered is logged with status 499
// (nginx's convention) and nothing is written.
//
// # Routes
//
// A request's path is matched in its clean form (no empty, "." or ".."
// segments, percent-decoded as net/http decodes it), the form nginx and
// most servers resolve before serving, so /api/../admin gets the policy of
// /admin, the resource the upstream will serve. The path sent upstream is
// the client's, unchanged. Paths that no route covers (when there is no "/"
// route) get a policy that allows no origin.
//
// # X-Forwarded-For, -Proto and -Host
//
// The upstream sees the client's address in X-Forwarded-For, the scheme
// the client used in X-Forwarded-Proto and the Host it asked for in
// X-Forwarded-Host. What the client itself sent in those headers is
// dropped, because any client can write them, unless the connection comes
// from a trusted proxy (config "trustedProxies"): then its X-Forwarded-For
// is kept and the peer's address appended, and its X-Forwarded-Proto and
// X-Forwarded-Host are passed on. The Forwarded header (RFC 7239) is
// removed, as ReverseProxy does. The Host header sent upstream is the
// upstream URL's host, or the client's with "preserveHost".
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
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/corskit/cors"
	"github.com/corskit/cors/cmd/corsgate/internal/config"
	"github.com/corskit/cors/cmd/corsgate/internal/shadow"
	"github.com/corskit/cors/internal/fetch"
)

// Kind classifies a request as the CORS protocol does.
type Kind string

const (
	// NotCORS: no Origin header.
	NotCORS Kind = "none"
	// Preflight: OPTIONS with Origin and Access-Control-Request-Method
	// (Fetch §3.2.2), the same test the middleware applies.
	Preflight Kind = "preflight"
	// Actual: any other request with Origin.
	Actual Kind = "actual"
)

// Decision is the policy's verdict on a request.
type Decision string

const (
	Allowed  Decision = "allowed"
	Rejected Decision = "rejected"
	// NoDecision: not a CORS request.
	NoDecision Decision = "none"
)

// NoRoute is the route label of paths that no route covers.
const NoRoute = "(none)"

// Observer receives what the gateway measures; package metrics implements
// it. A nil Observer is allowed.
type Observer interface {
	// Request is called once per request, when it is done.
	Request(route string, kind Kind, decision Decision, reason cors.Reason, status int, elapsed time.Duration)
	// UpstreamError is called when the upstream failed a request; kind is
	// "timeout", "connect", "reset" or "other".
	UpstreamError(route, kind string)
	// Difference is called, in report-only mode, for each field on which
	// the upstream's answer differs from the policy's.
	Difference(route, field string)
}

// Options are the gateway's process-level settings.
type Options struct {
	// AccessLog receives one record per request; nil for none.
	AccessLog *slog.Logger
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
		tr = newTransport(c)
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
	path  string // "" for the fallback
	label string
	eval  http.Handler // the middleware, with markNext as its next handler
}

func (g *Gateway) build(c *config.Config, tr *http.Transport) (*state, error) {
	st := &state{cfg: c, transport: tr, trusted: c.TrustedProxies}
	for _, r := range c.Routes {
		rt, err := newRoute(r.Path, r.Path, r.Policy, r.Debug)
		if err != nil {
			return nil, err
		}
		st.routes = append(st.routes, rt)
	}
	slices.SortStableFunc(st.routes, func(a, b *route) int { return len(b.path) - len(a.path) })
	// Paths no route covers (no "/" route, or a request target such as
	// "*") allow no origin: the library's own answer for that, with the
	// same Vary and the same 403 preflights as any other rejection.
	deny := cors.Config{AllowOriginFunc: func(*http.Request, string) bool { return false }}
	rt, err := newRoute("", NoRoute, deny, false)
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
// through; without a pool it allocates 32 KiB per request.
var copyBuffers = &bufferPool{pool: sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}}

type bufferPool struct{ pool sync.Pool }

func (p *bufferPool) Get() []byte  { return *p.pool.Get().(*[]byte) }
func (p *bufferPool) Put(b []byte) { p.pool.Put(&b) }

func newRoute(p, label string, policy cors.Config, debug bool) (*route, error) {
	policy.OnReject = onReject
	m, err := cors.New(policy)
	if err != nil {
		return nil, err
	}
	m.SetDebug(debug)
	return &route{path: p, label: label, eval: m.Handler(markNext)}, nil
}

func sameUpstream(a, b *config.Config) bool {
	return a.Upstream.String() == b.Upstream.String() &&
		a.UpstreamConnectTimeout == b.UpstreamConnectTimeout &&
		a.UpstreamResponseHeaderTimeout == b.UpstreamResponseHeaderTimeout
}

// newTransport is the upstream client: no proxy from the environment (a
// gateway must not be redirected by HTTP_PROXY), no transparent
// decompression (bodies pass through as they are), and a pool large enough
// for a proxy's fan-in (http.DefaultTransport keeps 2 idle connections per
// host).
func newTransport(c *config.Config) *http.Transport {
	d := &net.Dialer{Timeout: c.UpstreamConnectTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		DialContext:            d.DialContext,
		ResponseHeaderTimeout:  c.UpstreamResponseHeaderTimeout,
		TLSHandshakeTimeout:    c.UpstreamConnectTimeout,
		MaxIdleConns:           1024,
		MaxIdleConnsPerHost:    256,
		IdleConnTimeout:        90 * time.Second,
		ExpectContinueTimeout:  time.Second,
		DisableCompression:     true,
		MaxResponseHeaderBytes: 1 << 20,
		ForceAttemptHTTP2:      c.Upstream.Scheme == "https",
	}
}

// match returns the route for a request path.
func (s *state) match(p string) *route {
	c := cleanPath(p)
	for _, rt := range s.routes {
		if covers(rt.path, c) {
			return rt
		}
	}
	return s.fallback
}

// covers reports whether the route prefix covers the clean path p: "/api/"
// covers /api/ and below; "/api" covers /api and everything below /api/.
func covers(prefix, p string) bool {
	if !strings.HasPrefix(p, prefix) {
		return false
	}
	return strings.HasSuffix(prefix, "/") || len(p) == len(prefix) || p[len(prefix)] == '/'
}

// cleanPath is path.Clean keeping a trailing slash; it does not allocate
// for a path that is already clean.
func cleanPath(p string) string {
	if p == "" || p[0] != '/' {
		return p
	}
	c := path.Clean(p)
	if c != "/" && strings.HasSuffix(p, "/") {
		if len(c)+1 == len(p) && p[:len(c)] == c {
			return p
		}
		c += "/"
	}
	return c
}

// exchange is what the gateway knows about one request. It is also the
// header-only ResponseWriter the policy is evaluated against.
type exchange struct {
	st     *state
	route  *route
	kind   Kind
	origin string

	policy       http.Header // the policy's answer
	policyStatus int         // the status the policy wrote, 0 if it passed the request on
	nextCalled   bool        // the policy passed the request on
	rejected     bool
	reason       cors.Reason

	status      int    // the status sent to the client
	upstream    int    // the upstream's status, 0 if none
	upstreamErr string // why the upstream failed, "" if it did not
	differences int
}

func (e *exchange) Header() http.Header         { return e.policy }
func (e *exchange) Write(b []byte) (int, error) { return len(b), nil }
func (e *exchange) WriteHeader(status int)      { e.policyStatus = status }

type exchangeKey struct{}

func exchangeOf(ctx context.Context) *exchange {
	ex, _ := ctx.Value(exchangeKey{}).(*exchange)
	return ex
}

// markNext is the handler behind every route's middleware: it only notes
// that the policy passed the request on.
var markNext = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if ex, ok := w.(*exchange); ok {
		ex.nextCalled = true
	}
})

// onReject records the library's reason for a rejection on the exchange.
func onReject(r *http.Request, reason cors.Reason) {
	if ex := exchangeOf(r.Context()); ex != nil {
		ex.rejected, ex.reason = true, reason
	}
}

// classify applies the CORS protocol's definitions (Fetch §3.2.2), as the
// middleware does: a preflight is OPTIONS with Origin and
// Access-Control-Request-Method; any other request with Origin is an
// actual CORS request. TestClassifyAgreesWithMiddleware holds the two
// together.
func classify(r *http.Request) (Kind, string) {
	o := r.Header[fetch.HeaderOrigin]
	if len(o) == 0 {
		return NotCORS, ""
	}
	if _, ok := fetch.PreflightMethod(r.Method, r.Header); ok {
		return Preflight, o[0]
	}
	return Actual, o[0]
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	st := g.state.Load()
	ex := &exchange{st: st, route: st.match(r.URL.Path), policy: make(http.Header, 4)}
	ex.kind, ex.origin = classify(r)
	r = r.WithContext(context.WithValue(r.Context(), exchangeKey{}, ex))
	defer g.done(ex, r, start)

	ex.route.eval.ServeHTTP(ex, r)
	if ex.kind == Preflight && !ex.nextCalled && st.cfg.Mode == config.Enforce {
		h := w.Header()
		for k, v := range ex.policy {
			h[k] = v
		}
		ex.status = ex.policyStatus
		w.WriteHeader(ex.status)
		return
	}
	st.proxy.ServeHTTP(w, r)
}

// rewrite prepares the upstream request.
func (s *state) rewrite(pr *httputil.ProxyRequest) {
	pr.SetURL(s.cfg.Upstream)
	if s.cfg.PreserveHost {
		pr.Out.Host = pr.In.Host
	}
	in := pr.In.Header
	trusted := s.trusts(pr.In.RemoteAddr)
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
	if ex.st.cfg.Mode == config.Enforce {
		apply(resp.Header, ex.policy)
		return nil
	}
	if ex.kind == NotCORS {
		return nil
	}
	pol := shadow.Answer{Header: ex.policy}
	if ex.kind == Preflight && !ex.nextCalled {
		pol.Status = ex.policyStatus
	}
	diffs := shadow.Compare(ex.kind == Preflight, shadow.Answer{Status: resp.StatusCode, Header: resp.Header}, pol)
	if len(diffs) == 0 {
		return nil
	}
	ex.differences = len(diffs)
	texts := make([]string, len(diffs))
	for i, d := range diffs {
		texts[i] = d.String()
		if g.opts.Observer != nil {
			g.opts.Observer.Difference(ex.route.label, d.Field)
		}
	}
	r := resp.Request
	g.log.LogAttrs(r.Context(), slog.LevelWarn, "report-only: the policy would answer differently",
		slog.String("route", ex.route.label),
		slog.String("method", cut(r.Method)),
		slog.String("path", cut(r.URL.Path)),
		slog.String("origin", cut(ex.origin)),
		slog.String("cors", string(ex.kind)),
		slog.String("decision", string(decision(ex))),
		slog.String("reason", string(ex.reason)),
		slog.Int("status", resp.StatusCode),
		slog.Any("differences", texts),
	)
	return nil
}

// apply replaces the upstream's CORS answer in h with the policy's.
func apply(h, policy http.Header) {
	for k := range h {
		if isAccessControl(k) {
			delete(h, k)
		}
	}
	for k, v := range policy {
		if k == fetch.HeaderVary {
			h[k] = mergeVary(h[k], v)
			continue
		}
		h[k] = v
	}
}

const accessControlPrefix = "Access-Control-"

func isAccessControl(name string) bool {
	return len(name) >= len(accessControlPrefix) && strings.EqualFold(name[:len(accessControlPrefix)], accessControlPrefix)
}

// mergeVary returns the upstream's Vary lines followed by the fields of the
// policy's that they do not name yet (RFC 9110 §12.5.5: Vary is a list; the
// upstream's fields must survive). Nothing is added to "Vary: *".
func mergeVary(upstream, policy []string) []string {
	if len(upstream) == 0 {
		return policy
	}
	if fetch.ListHas(upstream, "*") {
		return upstream
	}
	var add []string
	for _, line := range policy {
		for f := range strings.SplitSeq(line, ",") {
			if f = strings.TrimSpace(f); f != "" && !fetch.ListHas(upstream, f) && !slices.Contains(add, f) {
				add = append(add, f)
			}
		}
	}
	if len(add) == 0 {
		return upstream
	}
	return append(slices.Clip(upstream), strings.Join(add, ", "))
}

// errorHandler answers for an upstream that failed: 502 or 504, with the
// CORS headers the policy grants.
func (g *Gateway) errorHandler(w http.ResponseWriter, r *http.Request, err error) {
	ex := exchangeOf(r.Context())
	if r.Context().Err() != nil {
		// The client went away; there is no one to answer.
		if ex != nil {
			ex.status, ex.upstreamErr = 499, "client-closed"
		}
		return
	}
	status, kind := classifyError(err)
	label := NoRoute
	if ex != nil {
		ex.status, ex.upstreamErr = status, kind
		label = ex.route.label
	}
	if g.opts.Observer != nil {
		g.opts.Observer.UpstreamError(label, kind)
	}
	g.log.LogAttrs(r.Context(), slog.LevelWarn, "upstream failed",
		slog.String("route", label), slog.String("method", cut(r.Method)), slog.String("path", cut(r.URL.Path)),
		slog.String("kind", kind), slog.Int("status", status), slog.String("error", err.Error()))
	h := w.Header()
	if ex != nil {
		for k, v := range ex.policy {
			h[k] = v
		}
	}
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

// classifyError maps an upstream error to a status and a metric label.
func classifyError(err error) (int, string) {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return http.StatusGatewayTimeout, "timeout"
	}
	var oe *net.OpError
	switch {
	case errors.As(err, &oe) && oe.Op == "dial":
		return http.StatusBadGateway, "connect"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return http.StatusBadGateway, "reset"
	}
	return http.StatusBadGateway, "other"
}

func decision(ex *exchange) Decision {
	switch {
	case ex.kind == NotCORS:
		return NoDecision
	case ex.rejected:
		return Rejected
	}
	return Allowed
}

// done writes the access log record and the request's metrics.
func (g *Gateway) done(ex *exchange, r *http.Request, start time.Time) {
	elapsed := time.Since(start)
	if ex.status == 0 {
		// The proxy panicked (http.ErrAbortHandler: the upstream's body
		// broke off after the headers were sent) or wrote nothing.
		ex.status = ex.upstream
	}
	dec := decision(ex)
	if g.opts.Observer != nil {
		g.opts.Observer.Request(ex.route.label, ex.kind, dec, ex.reason, ex.status, elapsed)
	}
	if g.opts.AccessLog == nil {
		return
	}
	attrs := make([]slog.Attr, 0, 14)
	attrs = append(attrs,
		slog.String("method", cut(r.Method)),
		slog.String("path", cut(r.URL.Path)),
		slog.String("remote", r.RemoteAddr),
		slog.String("route", ex.route.label),
		slog.Int("status", ex.status),
		slog.Duration("duration", elapsed),
		slog.String("origin", cut(ex.origin)),
		slog.String("cors", string(ex.kind)),
		slog.String("decision", string(dec)),
	)
	if ex.reason != "" {
		attrs = append(attrs, slog.String("reason", string(ex.reason)))
	}
	if ex.kind == Preflight && !ex.nextCalled && ex.st.cfg.Mode == config.Enforce {
		attrs = append(attrs, slog.String("answeredBy", "gateway"))
	} else if ex.upstream != 0 {
		attrs = append(attrs, slog.Int("upstreamStatus", ex.upstream))
	}
	if ex.upstreamErr != "" {
		attrs = append(attrs, slog.String("upstreamError", ex.upstreamErr))
	}
	if ex.differences > 0 {
		attrs = append(attrs, slog.Int("differences", ex.differences))
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
