package fetch

import "strings"

// Header names of the WebSocket opening handshake (RFC 6455 §4.1), in
// canonical form.
const (
	HeaderUpgrade = "Upgrade"
	// HeaderProtocol is where net/http's HTTP/2 server puts the :protocol
	// pseudo-header of an extended CONNECT request (RFC 8441 §4); the name
	// is not a token, so it is its own canonical form.
	HeaderProtocol = ":protocol"
)

// IsWebSocketHandshake reports whether a request whose method is method and
// whose header is h opens a WebSocket: over HTTP/1.1 a GET whose Upgrade
// header lists "websocket", compared without regard to case (RFC 6455
// §4.2.1 items 1 and 3), and over HTTP/2 an extended CONNECT whose
// :protocol is "websocket" (RFC 8441 §4). Browsers send either with an
// Origin header (RFC 6455 §4.1 item 8; WHATWG WebSockets "establish a
// WebSocket connection" fetches in mode "websocket") and apply no CORS
// check to the answer: only the server's judgement of Origin stops a page
// on another site from opening a socket with the user's cookies.
//
// The test is looser than a WebSocket server's own (which also wants
// "Connection: Upgrade", Sec-WebSocket-Key and Sec-WebSocket-Version: 13):
// whatever a server might upgrade is treated as a handshake, and a request
// that is not quite one is refused by the server itself. It does not
// allocate. h must have canonical keys, as net/http's parsed requests do.
func IsWebSocketHandshake(method string, h map[string][]string) bool {
	switch method {
	case "GET":
		return ListHas(h[HeaderUpgrade], "websocket")
	case "CONNECT":
		p := h[HeaderProtocol]
		return len(p) > 0 && strings.EqualFold(p[0], "websocket")
	}
	return false
}
