package cors

import (
	"net/http"

	"github.com/corskit/cors/internal/fetch"
)

// CheckOrigin reports whether the policy lets the page that opens the
// WebSocket handshake r do so: whether it allows r's Origin, exactly as it
// decides for the page's fetch calls (AllowedOrigins, then
// AllowOriginFunc). Its shape is that of gorilla/websocket's
// Upgrader.CheckOrigin:
//
//	upgrader := websocket.Upgrader{CheckOrigin: m.CheckOrigin}
//
// Browsers apply no CORS check to WebSockets: a page on any site can open
// a socket to your server, with the user's cookies, and read everything
// sent on it (cross-site WebSocket hijacking). Only the server's check of
// Origin, which browsers always send on a handshake and which scripts
// cannot set, stops that.
//
// A request without Origin is not judged, and CheckOrigin reports true:
// it does not come from a browser page (browsers send Origin on every
// handshake, RFC 6455 §4.1), and any other client can send whatever
// Origin it likes, so refusing it would protect nothing. Unlike
// gorilla/websocket's default check, a handshake from the server's own
// origin is not let through by comparing Origin with the Host header: the
// policy alone decides, so list your own origin in AllowedOrigins if your
// pages open sockets to the host that serves them. The Host header names
// no scheme (an http: page would pass for an https: one), is often
// rewritten by proxies, and is the attacker's own name in a DNS-rebinding
// attack on a local server, where the host comparison lets the attacker's
// page in and an origin list does not. (Sec-Fetch-Site would say "same
// origin" reliably, but Chromium sends no fetch metadata on handshakes.)
//
// A refusal is reported to Config.OnReject as OriginNotAllowed. A zero
// Middleware has no policy and refuses nothing, as its Handler passes
// every request through.
func (m *Middleware) CheckOrigin(r *http.Request) bool {
	p := m.policy.Load()
	origins := r.Header[fetch.HeaderOrigin]
	if p == nil || len(origins) == 0 {
		return true
	}
	if p.allowOrigin(r, origins[0]) {
		return true
	}
	p.report(r, OriginNotAllowed)
	return false
}

// GuardWebSockets returns a handler that refuses, with 403 Forbidden and
// no upgrade, every WebSocket handshake whose Origin the policy does not
// allow (see CheckOrigin for what is judged and why), and passes every
// other request to next untouched. It is the policy's origin check for a
// WebSocket library that has no CheckOrigin hook of that shape, such as
// coder/websocket, whose own check (AcceptOptions.OriginPatterns, glob
// patterns on the origin's host) can then be switched off:
//
//	mux.Handle("/ws", m.GuardWebSockets(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
//			InsecureSkipVerify: true, // the guard has checked Origin against the policy
//		})
//		…
//	})))
//
// GuardWebSockets sets no CORS header: wrap it with Handler as well if the
// same handler serves fetch calls. Handler alone never blocks a handshake,
// as it never blocks any actual request. A refusal is reported to
// Config.OnReject as OriginNotAllowed; the 403 carries no body and no
// header, as a refused preflight does. The examples/websocket module of
// the repository runs both adapters against real sockets.
func (m *Middleware) GuardWebSockets(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fetch.IsWebSocketHandshake(r.Method, r.Header) && !m.CheckOrigin(r) {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}
