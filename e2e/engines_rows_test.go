package e2e

import (
	"net/http"
	"strings"

	"github.com/corskit/cors/internal/engine"
)

// firefoxNoStoreGETPreflight cites the one verdict on which an engine
// departs from a row: Firefox ESR 153 sends the preflight of a GET with a
// non-safelisted header again on the next identical call when the actual
// response was Cache-Control: no-store (testApp's), although the preflight
// allowed 600 s. The same call with POST or PUT, or with a cacheable
// response, is served from the preflight cache (measured on this machine
// with a bare handler, not corskit: the middleware is not the cause). The
// preflight cache itself (nsPreflightCache::CheckRequest in
// nsCORSListenerProxy.cpp) has no such rule; the Gecko code path that
// bypasses it is not identified yet. The verdict (allowed) is the same.
const firefoxNoStoreGETPreflight = "Firefox 153 re-sends the preflight of a GET with a custom header when the actual response was no-store (observed; POST/PUT are cached; Gecko path not identified)"

// firefoxDefaultCacheFlaky: with no Access-Control-Max-Age, Firefox keeps a
// preflight 5 s (PREFLIGHT_DEFAULT_EXPIRY_SECONDS in nsCORSListenerProxy.cpp),
// yet in one of our first two full runs it sent the second PUT's preflight
// again less than a second after the first. Not reproduced alone; the cause
// is not identified, so the row accepts either count in Firefox and says so.
const firefoxDefaultCacheFlaky = "Firefox 153 once re-sent a preflight within its 5 s default cache time under parallel load (cause not identified): 1 or 2 preflights"

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
