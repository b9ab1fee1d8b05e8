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
// reports a redirect to another origin. The texts come from
// internal/engine, whose tests pin them to what the real browsers printed;
// which text belongs to which row is decided here from the row's facts:
// the response that failed (the actual one, or the preflight) and its
// status (200 from testApp, 302 from /redirect, 403 for a preflight the
// middleware refuses).
func engineLines(eng engineName, c confCase, req request, pageOrigin, finalURL string, crossRedirect bool) []string {
	if !c.blocked {
		return nil
	}
	kind := "Fetch API"
	if req.API == "xhr" {
		kind = "XMLHttpRequest"
	}
	origin := pageOrigin
	if req.Sandboxed {
		origin = "null"
	}
	// The status of the refused response: a redirect the page's origin may
	// not follow is refused at the 302; a preflight the middleware refuses
	// gets 403; anything else is testApp's 200.
	status := http.StatusOK
	if c.redirect != nil && !crossRedirect {
		status = http.StatusFound
	}
	preflightStatus := http.StatusForbidden

	switch eng {
	case firefox:
		url := req.URL
		if crossRedirect {
			url = finalURL
		}
		switch {
		case c.reason == noACAO && c.preflight:
			return engine.FirefoxPreflightFailed(url, engine.FirefoxMissingAllowOrigin, engine.FirefoxStatus(preflightStatus))
		case c.reason == noACAO && c.redirect != nil && !crossRedirect:
			return engine.FirefoxPreflightFailed(url, engine.FirefoxMissingAllowOrigin, engine.FirefoxStatus(status))
		case c.reason == noACAO:
			return []string{engine.FirefoxMessage(engine.FirefoxMissingAllowOrigin, url, engine.FirefoxStatus(status))}
		case strings.HasPrefix(c.reason, wildcardCreds):
			return []string{engine.FirefoxMessage(engine.FirefoxNotSupportingCredentials, url, "")}
		case strings.HasPrefix(c.reason, noACAC) && c.preflight:
			return engine.FirefoxPreflightFailed(url, engine.FirefoxMissingAllowCredentials, "")
		case strings.HasPrefix(c.reason, noACAC):
			return []string{engine.FirefoxMessage(engine.FirefoxMissingAllowCredentials, url, "")}
		case strings.HasPrefix(c.reason, "Method "):
			return engine.FirefoxPreflightFailed(url, engine.FirefoxMethodNotFound, "")
		case strings.HasPrefix(c.reason, "Request header field "):
			return engine.FirefoxPreflightFailed(url, engine.FirefoxMissingAllowHeader, strings.ToLower(scriptHeader(c, eng)))
		case c.reason == notOKStatus:
			return engine.FirefoxPreflightFailed(url, engine.FirefoxPreflightDidNotSucceed, engine.FirefoxStatus(http.StatusMethodNotAllowed))
		case c.reason == redirectPre:
			return []string{
				engine.FirefoxMessage(engine.FirefoxExternalRedirectNotAllowed, url, ""),
				engine.FirefoxMessage(engine.FirefoxPreflightDidNotSucceed, url, engine.FirefoxStatus(http.StatusFound)),
				engine.FirefoxMessage(engine.FirefoxDidNotSucceed, url, engine.FirefoxNoStatus),
			}
		}
	case webkit:
		var first string
		switch {
		case c.reason == noACAO && c.preflight:
			first = engine.WebKitPreflightNotSuccessful(preflightStatus)
		case c.reason == noACAO && crossRedirect:
			// Fetch §4.4 step 15: the redirect made the origin opaque.
			first = engine.WebKitOriginNotAllowed("null", status)
		case c.reason == noACAO && c.redirect != nil:
			first = engine.WebKitRedirectDenied(finalURL, engine.WebKitOriginNotAllowed(origin, status))
		case c.reason == noACAO:
			first = engine.WebKitOriginNotAllowed(origin, status)
		case strings.HasPrefix(c.reason, wildcardCreds):
			first = engine.WebKitWildcardWithCredentials
		case strings.HasPrefix(c.reason, noACAC):
			first = engine.WebKitCredentialsNotTrue
		case strings.HasPrefix(c.reason, "Method "):
			first = engine.WebKitMethodNotAllowed(strings.TrimSuffix(strings.TrimPrefix(c.reason, "Method "), " is not allowed by Access-Control-Allow-Methods in preflight response."))
		case strings.HasPrefix(c.reason, "Request header field "):
			first = engine.WebKitHeaderNotAllowed(scriptHeader(c, eng))
		case c.reason == notOKStatus:
			first = engine.WebKitPreflightNotSuccessful(http.StatusMethodNotAllowed)
		case c.reason == redirectPre:
			// WebKit checks the status first: a redirected preflight is
			// "not successful" (validatePreflightResponse).
			first = engine.WebKitPreflightNotSuccessful(http.StatusFound)
		}
		loaded := req.URL
		if crossRedirect {
			loaded = finalURL
		}
		return []string{first, engine.WebKitCannotLoad(kind, loaded)}
	}
	return []string{"(no expectation for " + string(eng) + ": " + c.reason + ")"}
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
