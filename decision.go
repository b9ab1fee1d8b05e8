package cors

import (
	"net/http"
	"strconv"

	"github.com/corskit/cors/internal/acrh"
	"github.com/corskit/cors/internal/fetch"
)

// Kind says what a request is to the CORS protocol.
type Kind uint8

// The kinds of request, as the Fetch standard defines them (§3.2.2), with
// WebSocket handshakes told apart from other actual requests.
const (
	// NotCORS: the request has no Origin header. Browsers send Origin on
	// every cross-origin request, so this is a same-origin navigation or
	// subresource load, or a client that is not a browser. Nothing is
	// judged, but unless the policy is a static "*" the response still
	// varies on Origin.
	NotCORS Kind = iota
	// ActualRequest: any request with an Origin that is not a preflight, a
	// plain OPTIONS request included. The application answers it; the
	// policy only decides which CORS headers the answer carries.
	ActualRequest
	// PreflightRequest: OPTIONS with Origin and
	// Access-Control-Request-Method (Fetch §3.2.2), which the browser sends
	// before a request that is not CORS-safelisted (§4.8). The policy
	// answers it, unless PreflightPassthrough.
	PreflightRequest
	// WebSocketHandshake: an actual request that opens a WebSocket (a GET
	// with "Upgrade: websocket", or an HTTP/2 extended CONNECT for
	// websocket) and carries an Origin. Browsers apply no CORS check to
	// its answer: a page on any site can open a socket with the user's
	// cookies, and only the server's check of Origin stops it (see
	// GuardWebSockets and CheckOrigin). Evaluate reports this kind;
	// Handler treats such a request as the actual request it is.
	WebSocketHandshake
)

// String returns the kind's name for logs: "none", "actual",
// "preflight" or "websocket".
func (k Kind) String() string {
	switch k {
	case NotCORS:
		return "none"
	case ActualRequest:
		return "actual"
	case PreflightRequest:
		return "preflight"
	case WebSocketHandshake:
		return "websocket"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// A Decision is what the policy decides for one request: what kind of
// request it is, whether the policy grants it and, if not, why; for a
// preflight, whether the policy answers it and with which status; and the
// CORS headers of the response, which SetHeaders writes. Evaluate makes
// one; Handler applies exactly the same decision to the response it
// serves.
//
// A Decision is a small value, made without allocating. It keeps the
// policy in force when it was made (a later Reconfigure does not change
// it) and refers to the request's header values, so the request's headers
// must not change while it is in use. The zero Decision is that of a
// request that is not CORS under no policy: it grants everything and
// writes nothing.
type Decision struct {
	p      *policy // nil: no policy (the zero Middleware)
	kind   Kind
	status int    // the status the policy answers with, 0 when the application answers
	reason Reason // "" when granted
	origin string // the first line of Origin
	// For a preflight from an allowed origin: what it asks for and the
	// verdict on it.
	pre     preflight
	v       verdict
	explain bool // a refused preflight answered in debug mode
}

// A preflight is what a CORS-preflight request asks for (Fetch §4.8 steps
// 2 to 5).
type preflight struct {
	method     string   // the first line of Access-Control-Request-Method
	headers    []string // the lines of Access-Control-Request-Headers
	privateNet bool     // "Access-Control-Request-Private-Network: true"
}

// A verdict is the policy's judgement of a preflight from an allowed
// origin, check by check in the browser's order (Fetch §4.8 steps 7 and
// 8, CORS-preflight fetch): the method, then the headers.
type verdict struct {
	safelisted bool        // the method is CORS-safelisted: no Access-Control-Allow-Methods needed
	methodOK   bool        // safelisted, or allowed by the policy
	headers    acrh.Result // the header names' verdict; Allowed when not checked (the method failed first)
}

// Kind returns the kind of request.
func (d Decision) Kind() Kind { return d.kind }

// Allowed reports whether the policy grants the request: a CORS request
// from an allowed origin that passed every check, or a request that is not
// CORS (there is nothing to refuse). It is false exactly when Reason is
// not "".
func (d Decision) Allowed() bool { return d.reason == "" }

// Reason says why the policy refused the request, "" if it did not. It is
// the reason Handler passes to Config.OnReject.
func (d Decision) Reason() Reason { return d.reason }

// Origin returns the request's Origin (the first line: browsers send one,
// Fetch §4.6), or "" for a request that is not CORS.
func (d Decision) Origin() string { return d.origin }

// Status is the status the policy answers the request with, without
// calling the application: for a preflight, Config.PreflightStatus when it
// is granted (or, in debug mode, explained: see Middleware.SetDebug) and
// 403 Forbidden when it is refused; 0 when the application answers: every
// request but a preflight, and a granted preflight under
// PreflightPassthrough. A front door that answers a preflight itself
// writes SetHeaders' headers with this status and no body.
func (d Decision) Status() int { return d.status }

// SetHeaders writes the response headers the policy decided on to h: those
// Handler sets before it writes the status or calls the application. It
// can be any header map, such as a proxied upstream's response headers, an
// error page's, or a 103 Early Hints' (each gets its own values: no slice
// is shared between two calls).
//
// CORS headers are set, replacing any value h had for them; a header the
// decision does not grant is left as it was, so a caller that relays
// another server's answer must delete that server's Access-Control-*
// headers first. The decision's Vary fields (Origin, and for a preflight
// Access-Control-Request-Method and -Headers) are added after the Vary
// lines h has, never in their place, and not at all when Vary is "*" or
// already names them (RFC 9110 §12.5.5). A refused preflight writes
// nothing at all (see the package documentation, "Vary and caches").
func (d Decision) SetHeaders(h http.Header) { d.write(h) }

// Evaluate returns the policy's decision on r: the decision Handler
// applies, with WebSocket handshakes told apart. It writes nothing and
// calls nothing: Config.OnReject is called by Handler, GuardWebSockets and
// CheckOrigin when they apply a refusal, not by Evaluate, so a request can
// be evaluated for a log, a metric or a comparison without reporting it
// twice. Debug mode (SetDebug) is read when the decision is made.
//
// Evaluate is for front doors other than net/http middleware: a reverse
// proxy that answers preflights at the edge and sets the policy's headers
// on the upstream's responses, a server whose request type is not
// *http.Request once it has built one, a test. A WebSocket handshake from
// a refused origin is refused (Allowed is false) but Status is 0, as for
// any actual request: whether to refuse the upgrade is the front door's
// choice, and GuardWebSockets makes it.
func (m *Middleware) Evaluate(r *http.Request) Decision {
	var d Decision
	m.decide(r, &d)
	if d.kind == ActualRequest && fetch.IsWebSocketHandshake(r.Method, r.Header) {
		d.kind = WebSocketHandshake
	}
	return d
}

// decide is the one place where a request is judged. It classifies r
// (Fetch §3.2.2), checks its origin and, for a preflight, its method,
// headers and Private Network Access request in the order the browser
// checks a preflight's answer (Fetch §4.8), and records the decision in
// d, which must be the zero Decision, without writing anything. Evaluate,
// which also tells WebSocket handshakes apart (a map lookup Handler has
// no use for), wraps it; Handler calls its two steps, classify and
// decideCORS, itself, so that a request without Origin, the most common
// request of all, is answered without building a Decision or making a
// call.
func (m *Middleware) decide(r *http.Request, d *Decision) {
	p, origin, isCORS := m.classify(r)
	d.p = p
	if isCORS {
		d.origin = origin
		m.decideCORS(r, d)
	}
}

// classify loads the policy in force and reports whether r is a CORS
// request, one with an Origin header (Fetch §3.2.2), and with which
// origin: the first line, as browsers send one (Fetch §4.6 step 12). It
// is inlined into its callers.
func (m *Middleware) classify(r *http.Request) (p *policy, origin string, isCORS bool) {
	p = m.policy.Load()
	if origins := r.Header[fetch.HeaderOrigin]; len(origins) > 0 {
		return p, origins[0], true
	}
	return p, "", false
}

// decideCORS decides a request with an Origin, whose d has its policy and
// origin: see decide.
func (m *Middleware) decideCORS(r *http.Request, d *Decision) {
	p := d.p
	acrm, preflight := fetch.PreflightMethod(r.Method, r.Header)
	if !preflight {
		// Any other request, a plain OPTIONS request included, is an
		// actual CORS request: the application answers it (with its own
		// Allow header, for OPTIONS).
		d.kind = ActualRequest
		if p != nil && !p.allowOrigin(r, d.origin) {
			d.reason = OriginNotAllowed
		}
		return
	}
	d.kind = PreflightRequest
	if p == nil {
		return // the zero Middleware passes everything through
	}
	// The origin comes first, as in the browser's checks; a stranger's
	// preflight is refused before anything else of it is read.
	if !p.allowOrigin(r, d.origin) {
		d.reason, d.status = OriginNotAllowed, http.StatusForbidden
		return
	}
	if len(acrm) > 0 {
		d.pre.method = acrm[0]
	}
	p.judge(d, r, m.debug.Load())
}

// judge decides a preflight from an allowed origin: its method, then its
// headers, then Private Network Access (the last check, so a preflight
// refused before it does not pay for the lookup). A refused preflight is
// answered 403, or in debug mode with PreflightStatus and the headers
// accepted so far (preflightHeaders says which).
func (p *policy) judge(d *Decision, r *http.Request, debug bool) {
	d.pre.headers = r.Header[fetch.HeaderRequestHeaders]
	d.v.safelisted = fetch.IsSafelistedMethod(d.pre.method)
	d.v.methodOK = d.v.safelisted || p.allowsMethod(d.pre.method)
	d.v.headers = acrh.Allowed
	if d.v.methodOK && len(d.pre.headers) > 0 {
		d.v.headers, _ = p.headers.Check(d.pre.headers)
	}
	if d.v.methodOK && d.v.headers == acrh.Allowed {
		d.pre.privateNet = privateNetRequested(r)
		if !d.pre.privateNet || p.privateNet {
			if !p.passthrough {
				d.status = p.status
			}
			return
		}
	}
	d.reason = refusal(d.v)
	if !debug {
		d.status = http.StatusForbidden
		return
	}
	d.pre.privateNet = privateNetRequested(r)
	d.explain, d.status = true, p.status
}

// write sets the decision's response headers on h; see SetHeaders.
func (d *Decision) write(h http.Header) {
	if d.kind == NotCORS {
		d.p.notCORS(h)
	} else {
		d.writeCORS(h)
	}
}

// notCORS decorates the response to a request without Origin.
func (p *policy) notCORS(h http.Header) {
	switch {
	case p == nil:
		// The zero Middleware writes nothing.
	case p.allOrigins:
		// A static "*" policy: the same "Access-Control-Allow-Origin: *"
		// as on CORS responses, so that caches cannot mix them up, and no
		// Vary.
		p.star(h)
	default:
		// The response still depends on Origin, so caches must key on
		// it: otherwise a cached answer to this request could be served
		// to a CORS request (Fetch §3.2.6, "CORS protocol and HTTP
		// caches").
		varyOnOrigin(h)
	}
}

// writeCORS is write for a CORS request.
func (d *Decision) writeCORS(h http.Header) {
	p := d.p
	switch {
	case p == nil:
		// The zero Middleware writes nothing.
	case d.kind != PreflightRequest:
		switch {
		case p.allOrigins:
			p.star(h) // as on a request without Origin
		case d.reason != "":
			// No CORS header: the browser blocks the page from reading
			// the answer. It still depends on Origin.
			varyOnOrigin(h)
		default:
			p.actual(h, d.origin)
		}
	case d.reason == "":
		if a := p.answers[answerIndex(d.v.safelisted, len(d.pre.headers) > 0, d.pre.privateNet)]; a != nil && len(h[fetch.HeaderVary]) == 0 {
			a.write(h, d.origin)
		} else {
			p.preflightHeaders(h, d)
		}
	case d.explain:
		p.preflightHeaders(h, d)
	}
	// A refused preflight gets no header at all.
}
