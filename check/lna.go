package check

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/corskit/cors/internal/engine"
	"github.com/corskit/cors/internal/fetch"
)

// This file is Local Network Access (LNA), which Chromium applies before
// any CORS check since Chrome 142: a page in a more public address space
// (the public internet) may call a local one (a private network address, or
// loopback: localhost, 127.0.0.1) only with the user's permission, and only
// from a secure context. No response header grants it, and the server never
// sees the request when it is refused. Chromium checks it at every URL a
// request reaches, before anything is sent there: the first, and the target
// of each redirect (services/network/local_network_access_checker.cc runs on
// each connection; chain.go calls it before the preflight at each URL). The
// address spaces and the comparison are in internal/fetch (addrspace.go);
// Chromium's console lines are in internal/engine (chromium_console.go,
// chromium_websocket.go), seen in Chromium 156 (e2e TestLNA).

// Chromium's CorsError names for Local Network Access failures, as DevTools
// reports them (Network.loadingFailed's corsErrorStatus in Chromium 156).
const (
	// LocalNetworkAccessPermissionDenied: the page is a secure context, but
	// the user has not granted (or has refused) the permission. Headless
	// Chromium, which cannot prompt, always reports this one.
	LocalNetworkAccessPermissionDenied CorsError = "LocalNetworkAccessPermissionDenied"
	// InsecureLocalNetwork: the page is not a secure context, so it cannot
	// even ask.
	InsecureLocalNetwork CorsError = "InsecureLocalNetwork"
	// InvalidLocalNetworkAccess: fetch()'s targetAddressSpace does not match
	// the address space the resource turned out to be in.
	InvalidLocalNetworkAccess CorsError = "InvalidLocalNetworkAccess"
)

// StageLocalNetworkAccess: the request never got past Local Network Access,
// so nothing was sent and no CORS check ran.
const StageLocalNetworkAccess Stage = "local-network-access"

// LocalNetworkAccess says whether Local Network Access applies to a request
// and what each outcome looks like. It is set on a Result whenever the
// page's and the target's address spaces are known (always, but for a
// "null" page origin without Request.PageAddressSpace).
type LocalNetworkAccess struct {
	// URL is the URL judged: the request's, or the target of a redirect
	// where LNA first applies or refuses the request.
	URL string `json:"url"`
	// PageAddressSpace and TargetAddressSpace are "public", "local",
	// "loopback" or "unknown"; PageFrom and TargetFrom say how they were
	// found (an IP literal, a localhost name, DNS and the address, or
	// Request.PageAddressSpace).
	PageAddressSpace   string `json:"pageAddressSpace"`
	PageFrom           string `json:"pageFrom"`
	TargetAddressSpace string `json:"targetAddressSpace"`
	TargetFrom         string `json:"targetFrom"`
	// Applies reports a local network request: the page is public (or
	// unknown) and the target local or loopback.
	Applies bool `json:"applies"`
	// SecureContext reports whether the page may ask for the permission:
	// https, or a loopback host.
	SecureContext bool `json:"secureContext"`
	// Permission is the permission the page needs: "loopback-network" or
	// "local-network" (Chromium 145 and later).
	Permission string `json:"permission,omitempty"`
	// Outcomes are what the browser does in each case, with its console
	// line; empty when LNA does not apply, or for a browser that does not
	// enforce it.
	Outcomes []LNAOutcome `json:"outcomes,omitempty"`
	// Explanation says what LNA means here, Fix what the page or the user
	// must do (no server header helps).
	Explanation string `json:"explanation,omitempty"`
	Fix         string `json:"fix,omitempty"`
}

// LNAOutcome is one way a local network request can go.
type LNAOutcome struct {
	// When names the case: "permission denied", "permission granted", "not
	// a secure context", "targetAddressSpace mismatch".
	When string `json:"when"`
	// Proceeds reports that the request goes on to the CORS check as usual
	// (the Result's verdict is then the answer).
	Proceeds bool `json:"proceeds"`
	// Reason and Message are Chromium's CorsError and console line when the
	// request is refused.
	Reason  CorsError `json:"reason,omitempty"`
	Message string    `json:"message,omitempty"`
}

// A Resolver finds the addresses of a host name for Local Network Access,
// which goes by the address a name resolves to, not by the name
// (Request.Resolver). *net.Resolver is one. A Resolver that is also a
// fmt.Stringer names where its answers come from ("the HAR's
// serverIPAddress") in LocalNetworkAccess.PageFrom and TargetFrom; DNS is
// assumed otherwise.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// resolver is the Resolver of a Request that gives none (the package's
// tests replace it).
var resolver Resolver = net.DefaultResolver

// lookupTimeout bounds a name's lookup: without an answer by then, the
// space is unknown and LNA is not judged (a machine without DNS must not
// make every explain wait for the resolver's own timeouts).
const lookupTimeout = 2 * time.Second

// hostSpace finds the address space of host as Chromium would see it: IP
// literals and localhost names without a lookup, other names by the first
// address r (nil: the package's resolver) gives. A lookup that fails
// leaves the space unknown; from then says why: the name does not resolve
// (a *net.DNSError), or the Resolver's own error.
func hostSpace(ctx context.Context, r Resolver, host string) (fetch.AddressSpace, string) {
	if s, ok := fetch.HostAddressSpace(host); ok {
		if a, isIP := fetch.HostAddr(host); isIP {
			return s, "IP address " + a.String()
		}
		return s, "a localhost name, which Chromium resolves to loopback itself"
	}
	source := "DNS"
	if r == nil {
		r = resolver
	} else if s, ok := r.(fmt.Stringer); ok {
		source = s.String()
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	var dnsErr *net.DNSError
	switch {
	case err != nil && !errors.As(err, &dnsErr):
		// The Resolver's own words, with the name they are about.
		msg := err.Error()
		if !strings.Contains(msg, host) {
			msg = host + ": " + msg
		}
		return fetch.SpaceUnknown, msg
	case err != nil || len(addrs) == 0:
		return fetch.SpaceUnknown, host + " does not resolve here"
	}
	return fetch.AddressSpaceOf(addrs[0]), source + ": " + host + " is " + addrs[0].String()
}

// lnaPage is the page's side of Local Network Access, found once for a
// request and used at every URL it reaches: the page's address space and
// how it was found, and the space fetch()'s targetAddressSpace declares.
type lnaPage struct {
	space    fetch.AddressSpace
	from     string
	declared fetch.AddressSpace
	// resolver is the Request's; hosts caches the space of each host
	// the request reaches.
	resolver Resolver
	hosts    map[string]hostAnswer
}

type hostAnswer struct {
	space fetch.AddressSpace
	from  string
}

// pageAddressSpace works out the page's side of LNA for p: nil when it
// cannot be known (a "null" page origin without Request.PageAddressSpace).
// The error is an *InputError for an address space that is not one.
func pageAddressSpace(ctx context.Context, p *prepared) (*lnaPage, error) {
	pg := &lnaPage{resolver: p.req.Resolver, hosts: map[string]hostAnswer{}}
	if p.req.TargetAddressSpace != "" {
		d, err := fetch.ParseAddressSpace(p.req.TargetAddressSpace)
		if err != nil || d == fetch.SpaceUnknown {
			return nil, &InputError{"targetAddressSpace", "write public, local or loopback, as fetch()'s targetAddressSpace takes them"}
		}
		pg.declared = d
	}
	switch {
	case p.req.PageAddressSpace != "":
		s, err := fetch.ParseAddressSpace(p.req.PageAddressSpace)
		if err != nil {
			return nil, &InputError{"pageAddressSpace", err.Error()}
		}
		pg.space, pg.from = s, "as given"
	case p.pageOrigin == fetch.NullOrigin:
		return nil, nil
	default:
		pg.space, pg.from = pg.hostSpace(ctx, fetch.OriginOfURL(mustParse(p.pageOrigin)).Host)
	}
	return pg, nil
}

// hostSpace is the package's hostSpace, asked once per host.
func (pg *lnaPage) hostSpace(ctx context.Context, host string) (fetch.AddressSpace, string) {
	if a, ok := pg.hosts[host]; ok {
		return a.space, a.from
	}
	s, from := hostSpace(ctx, pg.resolver, host)
	pg.hosts[host] = hostAnswer{s, from}
	return s, from
}

// judge works out LNA for p's request as it reaches u: redirected reports
// that a redirect led it there. fetch()'s targetAddressSpace applies at
// every URL, the redirects' targets included (seen in Chromium 156, e2e
// TestLNA; older Chromium sources reset it on a redirect). f is the
// failure the console line of a refusal is worded from, with the
// request's URLs and kind (f.WebSocket for a handshake, whose refusal
// Chromium logs as a connection error). lna is nil when there is nothing
// to judge: u is on the page's own origin, which is in the page's address
// space, and no targetAddressSpace could contradict that. blocked is set
// when Chromium refuses the request before sending it whatever the user
// does: a page that is not a secure context, or a targetAddressSpace that
// does not match.
func (pg *lnaPage) judge(ctx context.Context, p *prepared, u *url.URL, redirected bool, f engine.Failure) (lna *LocalNetworkAccess, blocked *LNAOutcome) {
	page, declared := pg.space, pg.declared
	secure := fetch.IsPotentiallyTrustworthyOrigin(p.pageOrigin)
	sameOrigin := fetch.OriginOfURL(u).String() == p.pageOrigin
	if sameOrigin && (declared == fetch.SpaceUnknown || secure) {
		// Chromium lets a potentially trustworthy URL on the page's own
		// origin through before it compares the declared space
		// (kAllowedPotentiallyTrustworthySameOrigin; e2e TestLNA).
		return nil, nil
	}
	lna = &LocalNetworkAccess{URL: f.URL, PageAddressSpace: page.String(), PageFrom: pg.from, SecureContext: secure}
	target, from := page, "the page's own origin"
	if !sameOrigin {
		target, from = pg.hostSpace(ctx, u.Hostname())
	}
	lna.TargetFrom = from
	lna.TargetAddressSpace = target.String()
	calls := "calls " + u.Host
	if redirected {
		calls = "calls " + p.url.Host + ", which redirects the request to " + u.Host
	}
	if page == fetch.SpaceUnknown || target == fetch.SpaceUnknown {
		// Chromium never has an unknown page of its own making: it loaded
		// the page from some address. Not knowing it, judge nothing.
		if page == fetch.SpaceUnknown && fetch.LocalNetworkRequest(fetch.SpacePublic, target) {
			lna.Explanation = "The page's address space is unknown (" + lna.PageFrom + "). If the page is on the public internet, Local Network Access applies to this " + target.String() + " target: give the page's address space (--page-address-space public) to see what Chromium does."
		}
		return lna, nil
	}
	lna.Applies = fetch.LocalNetworkRequest(page, target)
	if !lna.Applies && (declared == fetch.SpaceUnknown || declared == target) {
		lna.Explanation = "The page (" + lna.PageAddressSpace + ") and the target " + u.Host + " (" + lna.TargetAddressSpace + ") do not cross into a more private address space: Local Network Access does not apply."
		return lna, nil
	}
	lna.Permission = fetch.LocalNetworkPermission(target)
	if p.browser != Chromium {
		lna.Explanation, lna.Fix = lnaOtherBrowser(p.browser)
		if declared != fetch.SpaceUnknown {
			// Seen in Firefox ESR 153 and WebKitGTK 2.50 (e2e
			// TestDemoLNA): the option changes nothing.
			lna.Explanation += " " + p.browser.Name() + " ignores fetch()'s targetAddressSpace option."
		}
		return lna, nil
	}
	f.AddressSpace, f.DeclaredAddressSpace = target.String(), declared.String()
	outcome := func(when string, c engine.Check) LNAOutcome {
		f.Check = c
		return LNAOutcome{When: when, Reason: reasonOf(f), Message: p.rules.Lines(f)[0]}
	}
	notCORS := " No response header changes that: it is not a CORS failure, even though the console says \"CORS policy\"."
	granted, declare := "the CORS check runs as usual, and the Result's verdict (corscheck's verdict line) is that one", "; the page may declare the target with fetch(url, {targetAddressSpace: \""+target.String()+"\"}), which also lets an https page call an http:// local address"
	if f.WebSocket {
		notCORS = " No response header changes that."
		granted, declare = "the handshake goes to the server, and the verdict is its answer", ""
	}
	if redirected {
		notCORS += " Chromium checks every URL a request reaches, the targets of redirects included."
		declare = "; a targetAddressSpace must fit every URL the request reaches, so the page should call the " + target.String() + " address directly, and may then declare it with fetch(url, {targetAddressSpace: \"" + target.String() + "\"})"
	}
	switch {
	case declared != fetch.SpaceUnknown && declared != target:
		lna.Outcomes = []LNAOutcome{outcome("targetAddressSpace mismatch", engine.LocalNetworkMismatch)}
		lna.Explanation = "The script declared targetAddressSpace: \"" + declared.String() + "\", but " + u.Hostname() + " is in the " + target.String() + " address space (" + from + "). Chromium refuses the request before sending it."
		lna.Fix = "Declare the space the target is really in (targetAddressSpace: \"" + target.String() + "\"), or leave the option out when the target is public."
		if redirected {
			lna.Explanation = "The script declared targetAddressSpace: \"" + declared.String() + "\", and Chromium holds every URL of the request to it: " + p.url.Host + " redirected the request to " + u.Host + ", which is in the " + target.String() + " address space (" + from + "). Chromium refuses it there, before sending it."
			lna.Fix = "A declared space must fit every URL the request reaches: call the " + target.String() + " address directly and declare \"" + target.String() + "\", or leave the option out."
		}
		return lna, &lna.Outcomes[0]
	case !lna.SecureContext:
		lna.Outcomes = []LNAOutcome{outcome("not a secure context", engine.LocalNetworkInsecure)}
		lna.Explanation = "Local Network Access: a page in the " + page.String() + " address space (" + lna.PageFrom + ") " + calls + ", which is " + target.String() + " (" + from + "). Only a secure context may ask the user for the " + lna.Permission + " permission, and " + p.pageOrigin + " is not one, so Chromium (142 and later) refuses the request before sending it." + notCORS
		lna.Fix = "Serve the page over https (a secure context), then the user can grant " + lna.Permission + " when Chromium prompts; or serve the page from the same private network or machine as the target; or, for managed browsers, allow the page's origin with the LocalNetworkAccessAllowedForUrls enterprise policy."
		return lna, &lna.Outcomes[0]
	}
	lna.Outcomes = []LNAOutcome{
		outcome("permission denied", engine.LocalNetworkPermissionDenied),
		{When: "permission granted", Proceeds: true},
	}
	lna.Explanation = "Local Network Access: a page in the " + page.String() + " address space (" + lna.PageFrom + ") " + calls + ", which is " + target.String() + " (" + from + "). Chromium (142 and later) first asks the user for the " + lna.Permission + " permission; until it is granted (and always in headless Chromium, which cannot prompt) the request fails before it is sent, with the line below, whatever the server would answer. Once granted, " + granted + ". No response header grants the permission (the old Access-Control-Allow-Private-Network preflight is no longer sent)."
	lna.Fix = "The user allows local network access when Chromium prompts (site settings can change a refusal)" + declare + "; managed browsers can allow the page's origin with the LocalNetworkAccessAllowedForUrls enterprise policy. Better still, when the page and the service belong together, serve them from the same address space."
	return lna, nil
}

// lnaOtherBrowser says what Firefox and Safari do today. Firefox ESR 153
// ships LNA (the network.lna.* preferences) with blocking off by default
// (network.lna.blocking, per Mozilla's enterprise-admin-reference#159) and
// on in Enhanced Tracking Protection's Strict mode ("lna" is among
// browser.contentblocking.features.strict in its firefox.js); WebKit's LNA
// check (WebKit pull request 72725, 2026-08) has no prompt and is not
// enabled in Safari.
func lnaOtherBrowser(b Browser) (explanation, fix string) {
	switch b {
	case Firefox:
		return "Firefox implements Local Network Access but does not block by default: with Enhanced Tracking Protection set to Strict (or network.lna.blocking on, or the LocalNetworkAccess enterprise policy), it prompts for the permission and a refused request fails with NS_ERROR_LOCAL_NETWORK_DENIED. By default, only the CORS check applies.",
			"If users run Strict tracking protection, they must allow local network access when Firefox prompts; nothing on the server helps."
	case Safari:
		return "Safari does not enforce Local Network Access (WebKit's implementation is in development); only the CORS check applies. Safari does block http:// requests to loopback from an https page as mixed content.",
			""
	}
	return "", ""
}

// lnaBlock fills r for a request Chromium refuses at lna.URL before
// sending anything there.
func (r *Result) lnaBlock(lna *LocalNetworkAccess, o *LNAOutcome) {
	r.Allowed = false
	r.Stage = StageLocalNetworkAccess
	r.URL = lna.URL
	r.Reason = o.Reason
	r.Message = o.Message
	r.Console = append(r.Console, o.Message)
	r.Explanation, r.Fix = lna.Explanation, lna.Fix
	r.LocalNetworkAccess = lna
}
