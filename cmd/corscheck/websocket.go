package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/corskit/cors/check"
)

// lnaFlags are explain's flags for Local Network Access.
type lnaFlags struct {
	page, target string
}

func (l *lnaFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.page, "page-address-space", "", "the page's address `space` for Local Network Access: public, local (a private network) or loopback (this machine); default: from the origin's host (an IP address, a localhost name, or what DNS says). Give it when that cannot tell, e.g. public for a public site's page opened on a development machine")
	fs.StringVar(&l.target, "target-address-space", "", "fetch()'s targetAddressSpace option, a `space`: local, loopback or public")
}

// wsFlags are explain's flags for a ws:// or wss:// URL.
type wsFlags struct {
	protocols listFlag
}

func (f *wsFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.protocols, "protocol", "with a ws:// or wss:// URL: a WebSocket `subprotocol` the page asks for (repeatable), as in new WebSocket(url, [...])")
}

// explainWebSocket is explain for a ws:// or wss:// URL: new WebSocket(URL)
// from a page on origin.
func explainWebSocket(c *common, target, origin, cookie string, ws wsFlags, lna lnaFlags, stdout, stderr io.Writer) int {
	req := check.WebSocketRequest{URL: target, Origin: origin, Cookie: cookie, Protocols: ws.protocols, PageAddressSpace: lna.page}
	res, err := check.ExplainWebSocket(context.Background(), c.client(), req)
	if code := errorStatus(err); code != exitOK {
		fmt.Fprintf(stderr, "corscheck explain: %v\n", usageHint(err))
		return code
	}
	if c.json {
		printJSON(stdout, res)
	} else {
		printWebSocket(stdout, res)
	}
	if !res.Accepted || res.Hijackable {
		return exitBlocked
	}
	return exitOK
}

// printWebSocket prints a WebSocket verdict.
func printWebSocket(w io.Writer, r *check.WebSocketResult) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	switch {
	case r.Hijackable && r.Accepted:
		p("verdict:   ACCEPTED, and so is any origin: HIJACKABLE (cross-site WebSocket hijacking)\n")
	case r.Accepted:
		p("verdict:   ACCEPTED: the socket opens, and the server checks Origin\n")
	case len(r.Exchanges) == 0:
		p("verdict:   BLOCKED by the browser before the handshake (Local Network Access)\n")
	default:
		p("verdict:   REFUSED (status %d)\n", r.Status)
	}
	if r.Message != "" {
		p("console:   %s\n", r.Message)
	}
	if r.Protocol != "" {
		p("protocol:  %s\n", r.Protocol)
	}
	p("why:       %s\n", r.Explanation)
	if r.Fix != "" {
		p("fix:       %s\n", r.Fix)
	}
	printLNA(w, r.LocalNetworkAccess, len(r.Exchanges) == 0)
	for _, ex := range r.Exchanges {
		p("  > GET %s (%s)\n", ex.URL, ex.Kind)
		for _, k := range slices.Sorted(maps.Keys(ex.RequestHeader)) {
			if k == "User-Agent" {
				continue
			}
			p("  >   %s: %s\n", k, strings.Join(ex.RequestHeader[k], ", "))
		}
		p("  < %d\n", ex.Status)
		for _, k := range []string{"Upgrade", "Connection", "Sec-Websocket-Accept", "Sec-Websocket-Protocol"} {
			for _, v := range ex.Header.Values(k) {
				p("  <   %s: %s\n", k, v)
			}
		}
	}
	if len(r.Curl) > 0 {
		p("reproduce:\n")
		for _, c := range r.Curl {
			p("  %s\n", c)
		}
	}
}

// printLNA prints what Local Network Access does to the request, when it
// applies or when the page's address space is unknown; blocked: it refused
// the request, and the verdict has said why.
func printLNA(w io.Writer, l *check.LocalNetworkAccess, blocked bool) {
	if l == nil || (!l.Applies && l.PageAddressSpace != "unknown") {
		return
	}
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	if !l.Applies {
		p("lna:       %s\n", l.Explanation)
		return
	}
	p("lna:       Local Network Access applies at %s: page %s (%s), target %s (%s); permission %s; secure context: %v\n",
		l.URL, l.PageAddressSpace, l.PageFrom, l.TargetAddressSpace, l.TargetFrom, l.Permission, l.SecureContext)
	for _, o := range l.Outcomes {
		if o.Proceeds {
			p("  %s: the request proceeds (verdict above)\n", o.When)
			continue
		}
		p("  %s: %s\n", o.When, o.Message)
	}
	if blocked {
		return
	}
	if l.Explanation != "" {
		p("  why: %s\n", l.Explanation)
	}
	if l.Fix != "" {
		p("  fix: %s\n", l.Fix)
	}
}
