package check

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/corskit/cors/internal/fetch"
)

// This file audits WebSocket endpoints: the same attacker origins as the
// CORS probes (auditor.probes), each sent as an opening handshake without
// and with the credential header, the acceptances reported with the same
// classes, severities and grouping (auditor.group). A WebSocket has no CORS:
// a handshake the server accepts from an origin is a socket a page on that
// origin can open with the user's cookies, read and write.

// wsAudit is what an audit of a WebSocket endpoint keeps.
type wsAudit struct {
	url *url.URL // the ws(s):// URL; the auditor's target is its http(s) twin
	// cookieAuth: the endpoint authenticates with the credential header
	// (it refuses the site's own origin without it and accepts it with
	// it), or the caller gave the header, saying so.
	cookieAuth bool
}

// webSocketTarget prepares a for a ws(s):// target and reports whether it
// is one: the probes are built from, and the handshakes sent to, its
// http(s) equivalent. credsGiven: AuditOptions.CredentialHeader was set.
func (a *auditor) webSocketTarget(credsGiven bool) bool {
	if a.target.Scheme != "ws" && a.target.Scheme != "wss" {
		return false
	}
	a.ws = &wsAudit{url: a.target, cookieAuth: credsGiven}
	a.target = httpEquivalent(a.target)
	return true
}

// runWebSocket is run for a WebSocket endpoint.
func (a *auditor) runWebSocket() {
	a.funcFound = map[string]bool{}
	own := fetch.OriginOfURL(a.target).String()
	plain, cred := a.handshake(own, false), a.handshake(own, true)
	if plain != nil && cred != nil && !plain.accepted && cred.accepted {
		a.ws.cookieAuth = true
	}
	a.eachOrigin(a.wsProbe, func(t string) {
		if hs := a.handshake(t, true); hs != nil && !hs.accepted {
			a.addWS(nil, Finding{
				Class: ClassTrustedRefused, Severity: Medium, Category: Functional, Origin: t,
				Summary: fmt.Sprintf("Origin %s is in --trusted, but the server refuses its WebSocket handshake (status %d): that page's socket does not open.", t, hs.ex.Status),
				Fix:     fmt.Sprintf("Add %s to the origins the server's handshake check accepts, exactly as browsers send it (scheme://host[:port]).", t),
			}, hs.ex)
		}
	})
}

// wsProbe sends p's origin as a handshake without and with the credential
// header and reports an acceptance.
func (a *auditor) wsProbe(p probe) {
	plain, cred := a.handshake(p.origin, false), a.handshake(p.origin, true)
	switch {
	case cred != nil && cred.accepted:
		a.addWSProbe(p, a.ws.cookieAuth, cred)
	case plain != nil && plain.accepted:
		a.addWSProbe(p, false, plain)
	}
}

func (a *auditor) addWSProbe(p probe, creds bool, hs *handshake) {
	sev := p.plainSev
	summary := fmt.Sprintf("%s: a WebSocket handshake from Origin %s is accepted", p.note, p.origin)
	if creds {
		sev = p.credSev
		summary += " with the user's cookies: a page on that origin can open the socket as the victim and read and send its messages (cross-site WebSocket hijacking; browsers apply no CORS to WebSockets)"
	} else {
		summary += "; the endpoint did not show cookie authentication (it accepts the site's own origin without the credential header). If it authenticates with cookies after all, this is cross-site WebSocket hijacking: audit again with --cookie and a real session"
	}
	a.addWS(&p, Finding{
		Class: p.class, Severity: sev, Category: Security, Origin: p.origin, Credentials: creds, Summary: summary,
		Fix: "Check Origin on every handshake against an exact allow-list (gorilla/websocket: Upgrader.CheckOrigin; coder/websocket: AcceptOptions.OriginPatterns with the scheme, such as \"https://app.example.com\" (a host alone lets its http:// twin in), InsecureSkipVerify only behind another origin check; Node's ws: verifyClient; corskit: m.CheckOrigin or m.GuardWebSockets) and refuse the rest with 403.",
	}, hs.ex)
}

// addWS records a WebSocket finding; its evidence keeps the handshake's
// response headers.
func (a *auditor) addWS(_ *probe, f Finding, ex *Exchange) {
	f.Target = a.ws.url.String()
	f.Probe = WebSocketProbe
	f.Aliases = aliases[f.Class]
	ev := *ex
	ev.Header = http.Header{}
	for _, k := range []string{"Upgrade", "Connection", "Sec-Websocket-Accept", "Sec-Websocket-Protocol"} {
		if v := ex.Header.Values(k); len(v) > 0 {
			ev.Header[k] = v
		}
	}
	f.Evidence = ev
	a.report.Findings = append(a.report.Findings, f)
}

// handshake sends one handshake from origin (with the credential header
// when creds), counting it and its failure as auditor.send does; nil when
// it got no answer.
func (a *auditor) handshake(origin string, creds bool) *handshake {
	if a.stopped != nil {
		return nil
	}
	if err := a.ctx.Err(); err != nil {
		a.stopped = fmt.Errorf("audit stopped before it finished (%w): raise --deadline, or check that the server answers", err)
		return nil
	}
	extra := http.Header{}
	for k, v := range a.opts.Header {
		extra[k] = v
	}
	cookie := ""
	if creds {
		for k, v := range a.opts.CredentialHeader {
			if http.CanonicalHeaderKey(k) == "Cookie" {
				cookie = v[0]
				continue
			}
			extra[k] = v
		}
	}
	a.report.Requests++
	hs, err := wsHandshake(a.ctx, a.client, AuditRequest, a.ws.url, origin, cookie, nil, extra)
	if err != nil {
		a.failed("handshake", origin, err)
		return nil
	}
	a.timeouts = 0
	a.answered++
	return hs
}

// discoverWebSocket checks whether an http(s) target is also a WebSocket
// endpoint (it answers a handshake from its own origin with 101) and, if
// so, audits it as one; its findings are grouped on their own, then join
// the report.
func (a *auditor) discoverWebSocket(credsGiven bool) {
	if a.stopped != nil {
		return
	}
	ws := *a
	ws.report = &Report{Target: a.report.Target, Findings: []Finding{}}
	ws.ws = &wsAudit{url: wsEquivalent(a.target), cookieAuth: credsGiven}
	own := fetch.OriginOfURL(a.target).String()
	hs := ws.handshake(own, false)
	if hs == nil || !hs.accepted {
		if hs2 := ws.handshake(own, true); hs2 == nil || !hs2.accepted {
			a.report.Requests += ws.report.Requests
			return
		}
	}
	ws.runWebSocket()
	ws.group()
	a.report.Requests += ws.report.Requests
	a.report.Errors = append(a.report.Errors, ws.report.Errors...)
	a.report.Findings = append(a.report.Findings, ws.report.Findings...)
	sortFindings(a.report.Findings)
	a.stopped, a.answered, a.firstErr = ws.stopped, ws.answered, ws.firstErr
}

// wsEquivalent is the ws(s):// URL of an http(s) one.
func wsEquivalent(u *url.URL) *url.URL {
	w := *u
	w.Scheme = "ws"
	if u.Scheme == "https" {
		w.Scheme = "wss"
	}
	return &w
}
