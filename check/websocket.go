package check

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/corskit/cors/internal/engine"
	"github.com/corskit/cors/internal/fetch"
)

// This file is the WebSocket handshake as a browser page makes it (new
// WebSocket(url, protocols)), and what the server's answer means. Browsers
// apply no CORS to WebSockets: the handshake always carries the page's
// Origin and the target's cookies, the page reads every message the server
// sends, and only the server's check of Origin stops a page on another site
// from using the socket with the user's session (cross-site WebSocket
// hijacking). RFC 6455 §4.1 and §10.2; the request headers are the ones
// Chromium 156 sends (e2e TestWebSocketHijack records them).

// WebSocketRequest is a page's new WebSocket(URL, Protocols).
type WebSocketRequest struct {
	// URL is the ws:// or wss:// URL.
	URL string `json:"url"`
	// Origin is the page's origin.
	Origin string `json:"origin"`
	// Cookie is the Cookie header the browser attaches from its jar: a
	// handshake carries the target's cookies with no credentials option
	// (Chromium sends SameSite=None ones cross-site, and every one to the
	// same site).
	Cookie string `json:"cookie,omitempty"`
	// Protocols are the subprotocols the page asks for
	// (Sec-WebSocket-Protocol).
	Protocols []string `json:"protocols,omitempty"`
	// PageAddressSpace is the page's address space for Local Network Access,
	// and Resolver what finds the addresses of host names, as in Request.
	PageAddressSpace string   `json:"pageAddressSpace,omitempty"`
	Resolver         Resolver `json:"-"`
}

// WebSocketResult is ExplainWebSocket's verdict.
type WebSocketResult struct {
	// Accepted reports that the server completed the handshake (101, a
	// correct Sec-WebSocket-Accept, a subprotocol the page offered): the
	// page's socket opens.
	Accepted bool   `json:"accepted"`
	URL      string `json:"url"`
	Origin   string `json:"origin"`
	Status   int    `json:"status"`
	// Protocol is the subprotocol the server chose (when Accepted).
	Protocol string `json:"protocol,omitempty"`
	// CrossSite reports that the page is on another site than the socket's
	// http(s) equivalent (a cross-site handshake: Chromium withholds
	// SameSite=Lax and Strict cookies).
	CrossSite bool `json:"crossSite"`
	// AnyOrigin reports that the server also accepted a made-up origin
	// (ProbeOrigin): it does not check Origin at all.
	AnyOrigin   bool   `json:"anyOrigin"`
	ProbeOrigin string `json:"probeOrigin"`
	// Hijackable reports that a page on a site an attacker controls can open
	// the socket with the user's cookies: the server accepts any origin.
	Hijackable bool `json:"hijackable"`
	// Message is the console line Chromium prints when the socket fails to
	// open, "" when it opens.
	Message     string `json:"message,omitempty"`
	Explanation string `json:"explanation"`
	Fix         string `json:"fix,omitempty"`
	// Exchanges are the handshake for Origin, then the one for ProbeOrigin.
	Exchanges []Exchange `json:"exchanges"`
	Curl      []string   `json:"curl"`
	// LocalNetworkAccess is set as for Explain; Chromium applies it to
	// WebSockets too (since Chrome 147).
	LocalNetworkAccess *LocalNetworkAccess `json:"localNetworkAccess,omitempty"`
}

// IsWebSocketURL reports whether s is a ws:// or wss:// URL.
func IsWebSocketURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "ws" || u.Scheme == "wss")
}

// httpEquivalent returns the http(s) URL a ws(s) URL is fetched as (the
// WebSockets Standard's "establish a WebSocket connection" step 2), and its
// origin, which is what a page's origin is compared with.
func httpEquivalent(u *url.URL) *url.URL {
	h := *u
	h.Scheme = strings.Replace(u.Scheme, "ws", "http", 1)
	h.Fragment, h.RawFragment = "", ""
	return &h
}

// wsGUID is the key suffix of RFC 6455 §1.3.
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// wsAccept is the Sec-WebSocket-Accept a server must answer key with.
func wsAccept(key string) string {
	h := sha1.Sum([]byte(key + wsGUID))
	return base64.StdEncoding.EncodeToString(h[:])
}

// handshake is one opening handshake and how the browser judges its answer,
// in Chromium's order and words (engine.ChromiumHandshakeFailure).
type handshake struct {
	ex       *Exchange
	accepted bool
	protocol string
	failure  string // the text after Chromium's "WebSocket connection to '…' failed: "
}

// wsHandshake sends the handshake Chromium sends for new WebSocket(u,
// protocols) from origin, with cookie (when not "") and the extra headers,
// and judges the answer as Chromium does. The connection is closed at once
// when it succeeds: no frame is sent.
func wsHandshake(ctx context.Context, c *http.Client, kind RequestKind, u *url.URL, origin, cookie string, protocols []string, extra http.Header) (*handshake, error) {
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	h := http.Header{}
	for k, v := range extra {
		h[http.CanonicalHeaderKey(k)] = slices.Clone(v)
	}
	h.Set("Pragma", "no-cache")
	h.Set("Cache-Control", "no-cache")
	h.Set(fetch.HeaderOrigin, origin)
	h.Set("Sec-WebSocket-Version", "13")
	h.Set("Upgrade", "websocket")
	h.Set("Connection", "Upgrade")
	h.Set("Sec-WebSocket-Key", key)
	h.Set("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")
	if len(protocols) > 0 {
		h.Set("Sec-WebSocket-Protocol", strings.Join(protocols, ", "))
	}
	if cookie != "" {
		h.Set("Cookie", cookie)
	}
	if h.Get("User-Agent") == "" {
		h.Set("User-Agent", UserAgent)
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, httpEquivalent(u).String(), nil)
	if err != nil {
		return nil, &NetworkError{Kind: kind, URL: u.String(), Err: err}
	}
	r.Header = h
	resp, err := c.Do(r)
	if err != nil {
		return nil, &NetworkError{Kind: kind, URL: u.String(), Err: err}
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	}
	resp.Body.Close() // a 101's body is the connection: closing it ends the socket
	hs := &handshake{ex: &Exchange{Kind: kind, Method: http.MethodGet, URL: u.String(), RequestHeader: h.Clone(), Status: resp.StatusCode, Header: resp.Header}}
	hs.protocol = resp.Header.Get("Sec-WebSocket-Protocol")
	hs.failure = engine.ChromiumHandshakeFailure(resp.StatusCode, resp.Header, wsAccept(key), protocols)
	hs.accepted = hs.failure == ""
	return hs, nil
}

// ExplainWebSocket opens the handshake a page on req.Origin opens with new
// WebSocket(req.URL, req.Protocols), with req.Cookie, and a second one from a
// made-up origin, and says whether the server accepts the page's socket and
// whether it checks Origin at all. A server that accepts any origin is
// Hijackable: browsers apply no CORS to WebSockets, so a page on any site
// can open the socket with the user's cookies and read everything the
// server sends.
//
// client sends the handshakes (nil means http.DefaultClient); it must be
// able to return a 101 response, as net/http's Transport does. The error
// is an *InputError for a bad URL or origin, a *NetworkError when the
// server cannot be reached; a refused handshake is a result, not an error.
func ExplainWebSocket(ctx context.Context, client *http.Client, req WebSocketRequest) (*WebSocketResult, error) {
	u, err := url.Parse(req.URL)
	switch {
	case err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Hostname() == "":
		return nil, &InputError{"url", fmt.Sprintf("%q is not an absolute ws:// or wss:// URL", req.URL)}
	case u.User != nil:
		return nil, &InputError{"url", "new WebSocket() refuses URLs with user:password@"}
	case u.Fragment != "":
		return nil, &InputError{"url", "new WebSocket() throws a SyntaxError for a URL with a #fragment"}
	}
	p := &prepared{req: Request{PageAddressSpace: req.PageAddressSpace, Resolver: req.Resolver}, url: httpEquivalent(u), browser: Chromium, rules: Chromium.rules(), kind: Fetch}
	switch req.Origin {
	case "":
		return nil, &InputError{"origin", "missing origin (the page's origin, e.g. https://app.example.com)"}
	case fetch.NullOrigin:
		p.pageOrigin = fetch.NullOrigin
	default:
		o, err := fetch.ParseOrigin(req.Origin)
		if err != nil {
			return nil, &InputError{"origin", fmt.Sprintf("%q is not an origin as browsers send it: %v", req.Origin, err)}
		}
		p.pageOrigin = o.String()
	}
	for _, pr := range req.Protocols {
		if !fetch.IsToken(pr) {
			return nil, &InputError{"protocol", fmt.Sprintf("%q is not a valid subprotocol: new WebSocket() throws a SyntaxError", pr)}
		}
	}
	if client == nil {
		client = http.DefaultClient
	}
	c := noRedirect(client, false)
	target := fetch.OriginOfURL(p.url)
	res := &WebSocketResult{URL: u.String(), Origin: p.pageOrigin, Exchanges: []Exchange{}, Curl: []string{}}
	if p.pageOrigin != fetch.NullOrigin {
		page, _ := fetch.ParseOrigin(p.pageOrigin)
		res.CrossSite = !fetch.SameSite(page, target)
	} else {
		res.CrossSite = true
	}

	// Local Network Access (lna.go), which Chromium applies to the
	// handshake's connection too.
	pg, err := pageAddressSpace(ctx, p)
	if err != nil {
		return nil, err
	}
	if pg != nil {
		f := engine.Failure{WebSocket: true, URL: res.URL, InitialURL: res.URL, Page: p.pageOrigin}
		lna, blocked := pg.judge(ctx, p, p.url, false, f)
		res.LocalNetworkAccess = lna
		if blocked != nil {
			res.Message = blocked.Message
			res.Explanation, res.Fix = lna.Explanation, lna.Fix
			return res, nil
		}
	}

	hs, err := wsHandshake(ctx, c, HandshakeRequest, u, p.pageOrigin, req.Cookie, req.Protocols, nil)
	if err != nil {
		return nil, err
	}
	res.Exchanges = append(res.Exchanges, *hs.ex)
	res.Curl = append(res.Curl, wsCurl(hs.ex))
	res.Status, res.Accepted = hs.ex.Status, hs.accepted
	if hs.accepted {
		res.Protocol = hs.protocol
	} else {
		res.Message = engine.ChromiumWebSocketLine(res.URL, hs.failure)
	}
	// Does the server check Origin at all? The same handshake from an
	// origin nobody trusts says.
	res.ProbeOrigin = "https://" + derivedLabel(u.String()) + ".com"
	if res.ProbeOrigin != p.pageOrigin {
		probe, err := wsHandshake(ctx, c, HandshakeProbe, u, res.ProbeOrigin, req.Cookie, req.Protocols, nil)
		if err != nil {
			return nil, err
		}
		res.Exchanges = append(res.Exchanges, *probe.ex)
		res.Curl = append(res.Curl, wsCurl(probe.ex))
		res.AnyOrigin = probe.accepted
	}
	res.Hijackable = res.AnyOrigin
	res.Explanation, res.Fix = wsAdvice(res, req.Cookie != "", hs)
	return res, nil
}

// wsAdvice explains a handshake's outcome.
func wsAdvice(r *WebSocketResult, cookie bool, hs *handshake) (explanation, fix string) {
	noCORS := "Browsers apply no CORS to WebSockets: the handshake carries the page's Origin and the user's cookies for the target, the page reads every message, and only the server's check of Origin keeps other sites out."
	allowList := "Check Origin against an exact allow-list of the origins whose pages use the socket, on every handshake (gorilla/websocket: Upgrader.CheckOrigin; coder/websocket: AcceptOptions.OriginPatterns with the scheme, such as \"https://app.example.com\" (a host alone lets its http:// twin in), InsecureSkipVerify only behind another origin check; Node's ws: verifyClient; corskit: Upgrader{CheckOrigin: m.CheckOrigin}, or m.GuardWebSockets in front of any library), and refuse the rest with 403."
	cookieNote := ""
	if r.CrossSite {
		cookieNote = " Chromium sends the target's SameSite=None cookies with a cross-site handshake (not Lax or Strict ones, nor cookies without SameSite), so a session cookie marked SameSite=None is enough for another site to act as the user."
	}
	switch {
	case r.Accepted && r.AnyOrigin:
		e := "The server accepts the handshake from " + r.Origin + " and from " + r.ProbeOrigin + ", an origin nobody trusts: it does not check Origin. " + noCORS + " Any page on any site can open this socket as the visiting user (cross-site WebSocket hijacking) when the server authenticates it with cookies."
		if cookie {
			e += " This handshake carried cookies and was accepted."
		}
		return e + cookieNote, allowList
	case r.Accepted:
		return "The server accepts the handshake from " + r.Origin + " and refuses " + r.ProbeOrigin + ": it checks Origin, and the page's socket opens. " + noCORS, ""
	case r.AnyOrigin:
		return "The server refuses the handshake from " + r.Origin + " (" + hs.failure + ") although it accepted one from " + r.ProbeOrigin + ", which it should not: its check is not about Origin (a subprotocol, a cookie, the path), or it trusts origins by pattern. " + noCORS, allowList
	case r.Status == http.StatusSwitchingProtocols:
		return "The server answers 101 but the browser fails the handshake: " + hs.failure + ".", "Answer with Upgrade: websocket, the Sec-WebSocket-Accept of RFC 6455 §4.2.2, and one of the page's subprotocols when it offers some."
	}
	return "The server refuses the handshake from " + r.Origin + " (status " + fmt.Sprint(r.Status) + "), and the one from " + r.ProbeOrigin + " too. If " + r.Origin + " is your page, its Origin check (or authentication) refuses it; if not, the server is doing its job. " + noCORS,
		"To let " + r.Origin + " in, add it to the server's allowed origins exactly as browsers send it (scheme://host[:port]). Do not turn the origin check off to \"fix\" a cross-origin error: that makes the socket hijackable."
}

// wsCurl returns a curl command that repeats a handshake (curl prints the
// 101 and its headers, then waits on the socket: interrupt it).
func wsCurl(ex *Exchange) string {
	u := ex.URL
	if pu, err := url.Parse(ex.URL); err == nil {
		u = httpEquivalent(pu).String()
	}
	return curlFor(&Exchange{Method: ex.Method, URL: u, RequestHeader: ex.RequestHeader}, false) + " --http1.1 --max-time 5"
}
