package gateway

import (
	"net/http"
	"strings"

	"github.com/corskit/cors"
	"golang.org/x/net/http/httpguts"
)

// upgradeType is the protocol r asks to switch to, "" if none: the
// Upgrade header, when Connection names it (ReverseProxy's own test).
func upgradeType(h http.Header) string {
	if !httpguts.HeaderValuesContainsToken(h["Connection"], "Upgrade") {
		return ""
	}
	return h.Get("Upgrade")
}

// upgradeAllowed judges a request that asks to switch protocols: an
// upgrade the route does not allow is removed from the request, and an
// upgrade from an origin the policy refuses is answered 403 (report-only:
// passed, and reported if the upstream accepts it). It answers and returns
// false if the request must not go upstream.
//
// Every upgrade the route allows is judged, not only one that reads as a
// WebSocket handshake: upgrade servers read the Upgrade header in their
// own ways ("websocket, websocket" is a WebSocket handshake to
// gorilla/websocket), no browser sends an upgrade to any other protocol,
// and a tunnel from a refused origin is what must not open.
func (g *Gateway) upgradeAllowed(w http.ResponseWriter, r *http.Request, ex *exchange) bool {
	up := upgradeType(r.Header)
	if up == "" {
		return true
	}
	ex.upgrade = up
	if !ex.route.allowsUpgrade(up) {
		delete(r.Header, "Upgrade") // ReverseProxy then forwards no upgrade
		ex.upgradeNote = "refused"
		return true
	}
	if ex.dec.Kind() == cors.NotCORS || ex.dec.Allowed() {
		return true
	}
	if !ex.st.cfg.Mode.Enforces() {
		// Reported if the upstream accepts it (modifyResponse).
		return true
	}
	h := w.Header()
	h["Content-Type"] = []string{"text/plain; charset=utf-8"}
	h["X-Content-Type-Options"] = []string{"nosniff"}
	h["Cache-Control"] = []string{"no-store"}
	ex.status = http.StatusForbidden
	w.WriteHeader(http.StatusForbidden)
	w.Write([]byte("403 Forbidden: this origin may not open a WebSocket or another protocol here\n"))
	return false
}

// allowsUpgrade reports whether every protocol in the Upgrade value up is
// one the route allows, compared by name without case.
func (rt *route) allowsUpgrade(up string) bool {
	for p := range strings.SplitSeq(up, ",") {
		name, _, _ := strings.Cut(strings.TrimSpace(p), "/")
		ok := false
		for _, a := range rt.upgrades {
			an, _, _ := strings.Cut(a, "/")
			if strings.EqualFold(name, an) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
