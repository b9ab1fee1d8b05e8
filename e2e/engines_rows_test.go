package e2e

import (
	"net/http"
	"strings"

	"github.com/corskit/cors/internal/engine"
)

// firefoxNoStoreGETPreflight cites the one verdict on which an engine
// departs from a row: Firefox ESR 153 sends the preflight of a GET with a
// non-safelisted header again on the next identical call when the API is
// on an IP-literal host (127.0.0.1) and the actual response was
// Cache-Control: no-store (testApp's), although the preflight allowed 600
// s. The cause is Gecko's DNS-rebinding check of the preflight cache,
// CORSCacheEntry::CheckDNSCache in nsCORSListenerProxy.cpp: a cached
// preflight is used only if the host's DNS records, looked up from the DNS
// cache for the default, IPv4-only and IPv6-only families, were not updated
// after it was cached. On the call that revalidates the no-store response
// Firefox keeps in its HTTP cache for a GET (or HEAD), the IPv4-only record
// of the IP literal is not in the DNS cache, so the resolver makes a fresh
// one ("Host is IP Literal" in the nsHostResolver log, where a POST's three
// lookups all read "Using cached address for IP Literal") whose update
// time is later than the preflight's: the preflight is doomed and sent
// again. Why that one record is missing on that path is not identified.
// Measured with
// MOZ_LOG=nsHostResolver:5,nsHttp:4 and a bare handler: GET and HEAD to
// 127.0.0.1 with no-store re-preflight every call; with a host name
// (localhost, api.test), a cacheable response, POST or PUT, the preflight
// is cached. The verdict (allowed) is the same.
const firefoxNoStoreGETPreflight = "Firefox 153 re-sends the preflight of a GET with a custom header to an IP-literal host when the actual response was no-store: its preflight cache's DNS-rebinding check (CORSCacheEntry::CheckDNSCache) finds a fresh DNS record for 127.0.0.1"

// engineLines returns the CORS console lines engine eng (Firefox or WebKit)
// logs for row c, whose request req (req.URL absolute) was made from
// pageOrigin and, after any redirect, reached finalURL; crossRedirect
// reports a redirect to another origin. Which check fails in which engine
// is written here by hand from the row's facts — the response that failed
// (the actual one, or the preflight) and its status (200 from testApp, 302
// from /redirect, 403 for a preflight the middleware refuses) — and each
// engine's words come from internal/engine (Rules.Console), whose tests
// pin them to what the real browsers printed.
func engineLines(eng engineName, c confCase, req request, pageOrigin, finalURL string, crossRedirect bool) []string {
	if !c.blocked {
		return nil
	}
	f := engine.Failure{URL: req.URL, Origin: pageOrigin, XHR: req.API == "xhr", Status: http.StatusOK}
	if req.Sandboxed {
		f.Origin = "null"
	}
	if crossRedirect {
		// Fetch §4.4 step 15: the redirect made the origin opaque, and
		// the request that failed is the redirect's target.
		f.URL, f.Origin = finalURL, "null"
	} else if c.redirect != nil {
		// A redirect the page's origin may not follow is refused at the
		// 302, whose target the line names.
		f.Redirect, f.Status, f.Location = true, http.StatusFound, finalURL
	}
	rules := &engine.Firefox
	if eng == webkit {
		rules = &engine.WebKit
	}
	switch {
	case c.reason == noACAO && c.preflight:
		// A preflight the middleware refuses: 403, no CORS headers.
		// Firefox checks Access-Control-Allow-Origin first, WebKit the
		// status.
		f.Preflight, f.Status, f.Check = true, http.StatusForbidden, engine.MissingAllowOrigin
		if eng == webkit {
			f.Check = engine.PreflightStatus
		}
	case c.reason == noACAO:
		f.Check = engine.MissingAllowOrigin
	case strings.HasPrefix(c.reason, wildcardCreds):
		f.Check = engine.WildcardWithCredentials
	case strings.HasPrefix(c.reason, noACAC):
		f.Check, f.Preflight = engine.AllowCredentialsNotTrue, c.preflight
	case strings.HasPrefix(c.reason, "Method "):
		f.Check, f.Preflight = engine.MethodNotAllowed, true
		f.Value = strings.TrimSuffix(strings.TrimPrefix(c.reason, "Method "), " is not allowed by Access-Control-Allow-Methods in preflight response.")
	case strings.HasPrefix(c.reason, "Request header field "):
		f.Check, f.Preflight, f.Value = engine.HeaderNotAllowed, true, scriptHeader(c, eng)
		if eng == firefox {
			f.Value = strings.ToLower(f.Value)
		}
	case c.reason == notOKStatus:
		f.Check, f.Preflight, f.Status = engine.PreflightStatus, true, http.StatusMethodNotAllowed
	case c.reason == redirectPre:
		// WebKit checks the status first: a redirected preflight is "not
		// successful" (validatePreflightResponse).
		f.Check, f.Preflight, f.Redirect, f.Status = engine.PreflightRedirect, true, true, http.StatusFound
		if eng == webkit {
			f.Check = engine.PreflightStatus
		}
	default:
		return []string{"(no expectation for " + string(eng) + ": " + c.reason + ")"}
	}
	return rules.Console(f)
}

// scriptHeader is the request header, as the script wrote it, that a
// "Request header field … is not allowed" row names in lower case, or
// that the row says engine eng names (confCase.named).
func scriptHeader(c confCase, eng engineName) string {
	if h, ok := c.named[eng]; ok {
		return h
	}
	name := strings.TrimSuffix(strings.TrimPrefix(c.reason, "Request header field "), " is not allowed by Access-Control-Allow-Headers in preflight response.")
	for h := range c.req.Headers {
		if strings.EqualFold(h, name) {
			return h
		}
	}
	return name
}
