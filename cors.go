package cors

import (
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/corskit/cors/internal/acrh"
	"github.com/corskit/cors/internal/fetch"
)

// A Middleware applies a CORS policy to the requests that reach a handler.
// It is safe for concurrent use, including Reconfigure and SetDebug while
// requests are being served. Create one with New or AllowAll; the zero
// Middleware passes every request through untouched.
type Middleware struct {
	policy atomic.Pointer[policy]
	debug  atomic.Bool
}

// New validates c and returns a Middleware that applies it. If c has
// problems, New returns a nil Middleware and an error that joins one
// *ConfigError per problem (see ConfigErrors).
func New(c Config) (*Middleware, error) {
	p, err := compile(c)
	if err != nil {
		return nil, err
	}
	m := new(Middleware)
	m.policy.Store(p)
	return m, nil
}

// AllowAll returns a Middleware that lets any origin read responses without
// credentials, with the methods GET, HEAD, PUT, PATCH, POST and DELETE and
// any request header, Authorization included. It is what Express's cors()
// does, and right for public, unauthenticated APIs. Responses carry
// "Access-Control-Allow-Origin: *" and do not vary on Origin.
func AllowAll() *Middleware {
	m, err := New(allowAllConfig())
	if err != nil {
		panic("cors: AllowAll: " + err.Error()) // unreachable: the config is a constant, and tested
	}
	return m
}

func allowAllConfig() Config {
	return Config{
		AllowedOrigins: []string{"*"},
		AllowedMethods: []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodPost, http.MethodDelete},
		AllowedHeaders: []string{"*", "Authorization"},
	}
}

// Reconfigure validates c and, if it is valid, makes it the policy for every
// request that starts afterwards; requests in flight finish under the policy
// they started with. If c is invalid, the error is that of New and the
// current policy stays in force.
func (m *Middleware) Reconfigure(c Config) error {
	p, err := compile(c)
	if err != nil {
		return err
	}
	m.policy.Store(p)
	return nil
}

// Config returns the policy in force, normalised: methods upper-cased where
// browsers upper-case them and without the always-allowed GET, HEAD and POST;
// header names lower-cased, sorted and without duplicates; safelisted
// response headers dropped from ExposedHeaders; PreflightStatus filled in.
// New(m.Config()) builds an equivalent Middleware. The slices are copies.
func (m *Middleware) Config() Config {
	p := m.policy.Load()
	if p == nil {
		return Config{}
	}
	c := p.cfg
	c.AllowedOrigins = clone(c.AllowedOrigins)
	c.AllowedMethods = clone(c.AllowedMethods)
	c.AllowedHeaders = clone(c.AllowedHeaders)
	c.ExposedHeaders = clone(c.ExposedHeaders)
	return c
}

func clone(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s...)
}

// SetDebug turns debug mode on or off. In debug mode a preflight from an
// allowed origin that fails on its method or headers is answered with a 2xx
// and the CORS headers accepted so far, instead of a bare 403, so that the
// browser's console names the real culprit ("Method PUT is not allowed by
// Access-Control-Allow-Methods", "Request header field x-token is not
// allowed"). The answer never grants what the policy refuses, so the browser
// still blocks the request. A disallowed origin still learns nothing. Debug
// mode reveals the allowed methods and headers to allowed origins; it is
// meant for development.
func (m *Middleware) SetDebug(on bool) { m.debug.Store(on) }

// Handler returns a handler that applies the policy and calls next for every
// request except preflights (unless PreflightPassthrough is set). Its shape,
// func(http.Handler) http.Handler, is the one chi, gorilla/mux and most
// routers accept as middleware.
//
// For each request it applies the Decision that Evaluate would return: it
// sets the decision's headers, calls Config.OnReject with the reason of a
// refusal, and then either answers with the decision's Status or calls
// next. It never blocks an actual request, a WebSocket handshake from a
// refused origin included: the browser is what keeps the answer from the
// page, and for a WebSocket it does not. Wrap the WebSocket handler with
// GuardWebSockets, or give CheckOrigin to the WebSocket library, to refuse
// those.
//
//go:noinline
func (m *Middleware) Handler(next http.Handler) http.Handler {
	// (Handler is not inlined: the copy of the closure that inlining would
	// make at each call site gets none of the inlining of its own calls
	// that the closure compiled here gets, classify's among them.)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, origin, isCORS := m.classify(r)
		if !isCORS {
			p.notCORS(w.Header())
			next.ServeHTTP(w, r)
			return
		}
		d := Decision{p: p, origin: origin}
		m.decideCORS(r, &d)
		if d.status != http.StatusForbidden {
			// (A refused preflight gets no header at all.)
			d.writeCORS(w.Header())
		}
		if d.reason != "" && p.onReject != nil {
			p.onReject(r, d.reason)
		}
		if d.status != 0 {
			w.WriteHeader(d.status)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// report calls OnReject, if there is one, for a refused request.
func (p *policy) report(r *http.Request, reason Reason) {
	if p.onReject != nil {
		p.onReject(r, reason)
	}
}

// HandlerFunc is Handler for a plain function.
func (m *Middleware) HandlerFunc(next func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return m.Handler(http.HandlerFunc(next)).ServeHTTP
}

// The values the middleware writes. Each response gets its own slices (see
// slots); only these immutable strings are shared.
const (
	valueTrue  = "true"
	varyOrigin = fetch.HeaderOrigin
	// The Vary of a successful preflight: its answer depends on the
	// requested method and headers too.
	varyRequest   = fetch.HeaderRequestMethod + ", " + fetch.HeaderRequestHeaders
	varyRequestPN = varyRequest + ", " + fetch.HeaderRequestPrivateNetwork
)

// slots hands out header value slices cut from a single backing array, so
// that a response needs one allocation for all its CORS headers. Each slice
// is cut with its capacity equal to its length (s[i:i+1:i+1]), so an append
// by a later handler copies instead of writing into the neighbour; and the
// array belongs to this response alone, so a handler that edits a value in
// place cannot corrupt another response (rs/cors shares package-level slices
// and has that bug).
type slots struct {
	buf   []string
	n     int
	vary0 []string // the Vary lines h had when the slots were made
}

// newSlots returns slots for a response that sets at most n header values,
// one of them Vary, with room to copy the Vary lines already in h.
func newSlots(h http.Header, n int) slots {
	old := h[fetch.HeaderVary]
	return slots{buf: values(n + len(old)), vary0: old}
}

// values returns a new []string of length and capacity n. A response needs
// eight values or fewer unless an outer handler set many Vary lines or the
// request sent Access-Control-Request-Headers on many lines; for those
// sizes the array is allocated as an array type of that exact size, which
// costs the runtime about a quarter fewer instructions than
// make([]string, n) (callgrind: 296 against 393 for six strings; about 77
// against 88 ns here), because the object's pointer bitmap is read from
// the array type instead of being built element by element.
func values(n int) []string {
	switch n {
	case 1:
		return new([1]string)[:]
	case 2:
		return new([2]string)[:]
	case 3:
		return new([3]string)[:]
	case 4:
		return new([4]string)[:]
	case 5:
		return new([5]string)[:]
	case 6:
		return new([6]string)[:]
	case 7:
		return new([7]string)[:]
	case 8:
		return new([8]string)[:]
	}
	return make([]string, n)
}

func (s *slots) set(h http.Header, key, value string) {
	s.buf[s.n] = value
	h[key] = s.buf[s.n : s.n+1 : s.n+1]
	s.n++
}

// setLines sets key to several lines, for reflected request headers that
// came on several lines.
func (s *slots) setLines(h http.Header, key string, lines []string) {
	v := s.buf[s.n : s.n+len(lines) : s.n+len(lines)]
	copy(v, lines)
	h[key] = v
	s.n += len(lines)
}

// vary adds value to the Vary header, after whatever is there already
// (RFC 9110 §12.5.5: Vary is a list, and an outer middleware's entries must
// survive). Existing values are never overwritten; nothing is added when
// Vary is "*" or already names every field of value.
//
// Only the middleware writes to h between newSlots and vary, and never Vary,
// so the lines newSlots saw are still the current ones.
func (s *slots) vary(h http.Header, value string) {
	old := s.vary0
	if len(old) == 0 {
		s.set(h, fetch.HeaderVary, value)
		return
	}
	if varyCovers(old, value) {
		return
	}
	v := s.buf[s.n : s.n+len(old)+1 : s.n+len(old)+1]
	copy(v, old)
	v[len(old)] = value
	h[fetch.HeaderVary] = v
	s.n += len(old) + 1
}

// varyOnOrigin adds "Origin" to Vary on a response that carries no other
// CORS header (a request without Origin, or from a disallowed origin): a new
// one-element slice when there is no Vary. It is small enough to be
// inlined; varyAppend handles the Vary lines an outer handler set.
func varyOnOrigin(h http.Header) {
	if old := h[fetch.HeaderVary]; len(old) == 0 {
		h[fetch.HeaderVary] = []string{varyOrigin}
	} else {
		varyAppend(h, old)
	}
}

// varyAppend sets Vary to a copy of the lines old with "Origin" after them,
// unless they already name it or are "*".
func varyAppend(h http.Header, old []string) {
	if varyCovers(old, varyOrigin) {
		return
	}
	v := make([]string, len(old)+1)
	copy(v, old)
	v[len(old)] = varyOrigin
	h[fetch.HeaderVary] = v
}

// varyCovers reports whether the Vary lines old are "*" or already name
// every field in the list value. It does not allocate.
func varyCovers(old []string, value string) bool {
	if fetch.ListHas(old, "*") {
		return true
	}
	for value != "" {
		field := value
		if i := strings.IndexByte(value, ','); i >= 0 {
			field, value = value[:i], value[i+1:]
		} else {
			value = ""
		}
		if !fetch.ListHas(old, strings.TrimSpace(field)) {
			return false
		}
	}
	return true
}

// allowOrigin reports whether the policy allows origin o for request r.
// It is small enough to be inlined, so that a static "*" costs no call.
func (p *policy) allowOrigin(r *http.Request, o string) bool {
	return p.allOrigins || p.allowListedOrigin(r, o)
}

// allowListedOrigin reports whether a policy that is not a static "*"
// allows origin o for request r. The check of a few exact origins
// (Set.Contains) is inlined here; the other kinds of pattern, the null
// origin and AllowOriginFunc are a call away.
func (p *policy) allowListedOrigin(r *http.Request, o string) bool {
	return p.origins.Contains(o) || p.otherOrigins && p.allowOtherOrigin(r, o)
}

// allowOtherOrigin reports whether o, which matches no pattern, is allowed
// as the null origin or by AllowOriginFunc.
func (p *policy) allowOtherOrigin(r *http.Request, o string) bool {
	if p.nullAllowed && o == fetch.NullOrigin {
		return true
	}
	return p.originFunc != nil && p.originFunc(r, o)
}

// actual decorates the response to a CORS request from the allowed origin
// o that is not a preflight (Fetch §3.2.3), under a policy that is not a
// static "*".
func (p *policy) actual(h http.Header, o string) {
	s := newSlots(h, p.actualSlots)
	s.set(h, fetch.HeaderAllowOrigin, o)
	if p.credentials {
		s.set(h, fetch.HeaderAllowCredentials, valueTrue)
	}
	if p.aceh != "" {
		s.set(h, fetch.HeaderExposeHeaders, p.aceh)
	}
	s.vary(h, varyOrigin)
}

// star decorates any response but a preflight's under a static "*" policy:
// the answer does not depend on Origin, so there is no Vary.
func (p *policy) star(h http.Header) {
	s := slots{buf: values(p.starSlots)}
	s.set(h, fetch.HeaderAllowOrigin, fetch.Wildcard)
	if p.aceh != "" {
		s.set(h, fetch.HeaderExposeHeaders, p.aceh)
	}
}

// allowsMethod reports whether the policy allows the method of a preflight,
// one that is not safelisted.
func (p *policy) allowsMethod(method string) bool {
	if p.anyMethod {
		return fetch.IsToken(method)
	}
	for _, m := range p.methods {
		if m == method {
			return true
		}
	}
	return false
}

// privateNetRequested reports whether r is a Private Network Access
// preflight ("Access-Control-Request-Private-Network: true").
func privateNetRequested(r *http.Request) bool {
	pn := r.Header[fetch.HeaderRequestPrivateNetwork]
	return len(pn) > 0 && pn[0] == valueTrue
}

// refusal names the first check, in the browser's order, that a preflight
// from an allowed origin failed: its method, its headers (the matcher's
// verdict, not computed when the method failed), or else Private Network
// Access.
func refusal(v verdict) Reason {
	switch {
	case !v.methodOK:
		return MethodNotAllowed
	case v.headers == acrh.NotAllowed:
		return HeaderNotAllowed
	case v.headers == acrh.Malformed:
		return HeadersMalformed
	}
	return PrivateNetworkNotAllowed
}

// preflightHeaders writes the CORS headers of the answer to the preflight
// d from an allowed origin: all of them when d grants it, or, when d is a
// refusal explained in debug mode, those accepted before the check that
// failed.
//
// A debug answer grants nothing the policy refuses, whatever the reason:
//
//   - MethodNotAllowed: Access-Control-Allow-Methods lists the allowed
//     methods, which do not include the requested one, or is left out when
//     it would be "*" (which covers any method without credentials);
//   - HeaderNotAllowed: Access-Control-Allow-Headers lists the allowed
//     names, which do not include the refused one, or is left out when the
//     policy allows any name ("*" and "*,authorization" cover every name in
//     browsers: Chromium lets "*" cover Authorization too);
//   - HeadersMalformed: Access-Control-Allow-Headers is left out, so the
//     browser refuses the first requested name (a list, even one that names
//     every requested header, would let a request over the limits through);
//   - PrivateNetworkNotAllowed: Access-Control-Allow-Private-Network is left
//     out.
//
// Access-Control-Max-Age is never sent with a refusal, so nothing is cached.
func (p *policy) preflightHeaders(h http.Header, d *Decision) {
	pre, v := &d.pre, d.v
	headersOK := v.methodOK && v.headers == acrh.Allowed
	n := p.preflightSlots
	reflect := headersOK && len(pre.headers) > 0 && p.reflectHeaders()
	if reflect {
		n += len(pre.headers) - 1
	}
	s := newSlots(h, n)
	if p.allOrigins {
		s.set(h, fetch.HeaderAllowOrigin, fetch.Wildcard)
	} else {
		s.set(h, fetch.HeaderAllowOrigin, d.origin)
	}
	if p.credentials {
		s.set(h, fetch.HeaderAllowCredentials, valueTrue)
	}
	if !v.safelisted {
		switch {
		case !v.methodOK:
			// Debug: advertise what is allowed so the browser names the method.
			if p.acam != "" && p.acam != fetch.Wildcard {
				s.set(h, fetch.HeaderAllowMethods, p.acam)
			}
		case p.acam != "":
			s.set(h, fetch.HeaderAllowMethods, p.acam)
		default: // any method, with credentials: "*" would be literal
			s.set(h, fetch.HeaderAllowMethods, pre.method)
		}
	}
	if len(pre.headers) > 0 {
		switch {
		case p.acah != "" && headersOK:
			s.set(h, fetch.HeaderAllowHeaders, p.acah)
		case p.acah != "" && !p.anyHeaders && v.headers != acrh.Malformed:
			// Debug: the allowed names, which lack the refused one (or,
			// when the method failed, were not yet looked at), so that
			// the browser names the culprit.
			s.set(h, fetch.HeaderAllowHeaders, p.acah)
		case reflect:
			// Any header with credentials: "*" would be literal, so the
			// (validated) request list is reflected, line for line.
			s.setLines(h, fetch.HeaderAllowHeaders, pre.headers)
		}
	}
	if d.reason == "" && p.maxAge != "" {
		s.set(h, fetch.HeaderMaxAge, p.maxAge)
	}
	if pre.privateNet && p.privateNet {
		s.set(h, fetch.HeaderAllowPrivateNetwork, valueTrue)
	}
	s.vary(h, p.varyPreflight)
}

func (p *policy) reflectHeaders() bool { return p.acah == "" && p.anyHeaders }
