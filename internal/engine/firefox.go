package engine

import (
	"strconv"
	"strings"

	"github.com/corskit/cors/internal/fetch"
)

// Firefox's CORS rules, from Gecko's netwerk/protocol/http/nsCORSListenerProxy.cpp,
// dom/fetch/InternalHeaders.cpp and the console texts of
// dom/locales/en-US/chrome/security/security.properties, checked against
// Firefox ESR 153 by the differential corpus (internal/difftest).

// Firefox is Firefox's behaviour, as of Firefox ESR 153.
var Firefox = Rules{
	Name: "Firefox",
	// InternalHeaders::IsSimpleHeader: the standard's safelist, with its
	// value rules and 128-byte limit, judged one header at a time (no
	// 1024-byte total; GetUnsafeHeaders looks at each entry alone). The
	// Gecko source we read had no Range; Firefox 153 safelists a simple
	// range, as the corpus shows.
	NoSafelistedTotal:       true,
	SafelistedRequestHeader: firefoxSafelistedRequestHeader,
	// nsCORSListenerProxy::StartCORSPreflight lower-cases the unsafe names
	// and sorts them; CheckPreflightRequestApproved checks them in that
	// order and names the first refused one as it holds it, in lower case:
	// the default order (Rules.CheckOrder).
	//
	// An XMLHttpRequest with upload listeners is preflighted with or
	// without a body (UploadPreflightNeedsBody false): the corpus's
	// body-less GETs and POSTs with listeners were all preflighted.
	AllowOrigin: firefoxAllowOrigin,
	// The preflight channel is itself opened through an nsCORSListenerProxy,
	// whose CheckRequestApproved runs first (the CORS check), also on a
	// redirect; then nsCORSPreflightListener refuses the redirect
	// (AsyncOnChannelRedirect), and CheckPreflightRequestApproved checks
	// the status, then Access-Control-Allow-Methods token by token and the
	// method, then Access-Control-Allow-Headers and the headers.
	PreflightOrder:    []PreflightStep{StepAllowOrigin, StepRedirect, StepStatus, StepMethodsSyntax, StepMethod, StepHeadersSyntax, StepHeaders},
	InvalidTokenValue: firstInvalidToken,
	// Under Access-Control-Allow-Headers: * (without credentials) Firefox
	// still lets Authorization through, against the Fetch standard, and
	// logs FirefoxAuthorizationWildcardWarning unless the answer names
	// Authorization as well (CheckPreflightRequestApproved, pref
	// network.cors_preflight.authorization_covered_by_wildcard, default
	// true). The warning is a warning-level message, which WebDriver BiDi
	// does not forward (its log module listens to errors only), so the
	// corpus cannot show it; Firefox 153 letting Authorization through is
	// in the corpus.
	WildcardCoversAuthorization:  true,
	AuthorizationWildcardWarning: true,
	PreflightCacheSeconds:        firefoxPreflightCacheSeconds,
	Console:                      firefoxConsole,
	// The fetch decides once, from the request as the script made it,
	// whether it needs a preflight (the channel's "preflight required"
	// flag, with the unsafe header names), and nsCORSListenerProxy::
	// UpdateChannel preflights at every URL the request reaches as a CORS
	// request: a PUT turned into a GET by a 303 is preflighted as a GET,
	// and so is a same-origin POST with Content-Type: application/json
	// that a 302 sends to another origin as a GET without it. The
	// preflight channel is created from the loading principal, whose
	// origin is the page's, while the request's own Origin header turns
	// into "null" (the tainted origin). Seen for every redirect status in
	// the corpus.
	PreflightSticks:               true,
	PageOriginInRedirectPreflight: true,
	// A redirect to data:, javascript:, file:, blob: or ws:, or to a
	// location that does not parse, is refused before a new channel is
	// opened (nsHttpChannel's redirect checks and the security manager's
	// CheckLoadURI), so the redirect response's CORS headers are never
	// looked at: without Access-Control-Allow-Origin it logs "CORS request
	// did not succeed", not the missing header. about:, ftp:, mailto: and
	// unknown schemes get a channel, whose nsCORSListenerProxy runs the
	// CORS check of the redirect first. Seen in Firefox ESR 153 for each.
	// A classic script without crossorigin passed its errors to
	// window.onerror in full, where Chromium and WebKit reduce them to
	// "Script error." (Firefox ESR 153, seen by the e2e suite's
	// TestDestinations).
	ScriptErrorsInFull: true,
	// ScriptLoader's MIME check of a module (ModuleLoader's
	// "Loading module from … was blocked because of a disallowed MIME
	// type") and the CORS listener's line for the load it cancelled.
	// The two are logged by different parts of the engine and reach the
	// console in either order (both orders seen in Firefox ESR 153 on
	// the same test, a CI run apart), so the order here is not a claim.
	ModuleMIMELines: func(url, essence string) []string {
		return []string{
			"Loading module from “" + url + "” was blocked because of a disallowed MIME type (“" + essence + "”).",
			FirefoxMessage(FirefoxDidNotSucceed, url, FirefoxNoStatus),
		}
	},
	DestinationAccept: firefoxAccept,
	SchemeBeforeCORSCheck: func(scheme string) bool {
		switch scheme {
		case "", "data", "javascript", "file", "blob", "ws", "wss":
			return true
		}
		return false
	},
}

// firefoxSafelistedRequestHeader is the standard's safelist, except that a
// Content-Type holding a byte above 0x7F is unsafe: Gecko reads the value
// as UTF-8 before it parses the MIME type (nsContentUtils::
// IsAllowedNonCorsContentType), so the lone byte 0xE9 of a script's
// "charset=café" fails, where Fetch's MIME parser takes any byte in a
// parameter value (HTTP quoted-string token code points). Seen in Firefox
// ESR 153.
func firefoxSafelistedRequestHeader(name, value string) bool {
	if strings.EqualFold(name, "content-type") {
		for i := 0; i < len(value); i++ {
			if value[i] >= 0x80 {
				return false
			}
		}
	}
	return fetch.IsSafelistedRequestHeader(name, value)
}

// FirefoxMaxAge is the longest Firefox keeps a preflight result: it caps
// Access-Control-Max-Age at 24 hours (nsCORSPreflightListener::AddResultToCache,
// "Cap at 24 hours"). Without the header it keeps it 5 seconds
// (PREFLIGHT_DEFAULT_EXPIRY_SECONDS); 0 is not cached at all.
const FirefoxMaxAge = 86400

// firefoxPreflightCacheSeconds is nsCORSPreflightListener::AddResultToCache:
// no value (absent or empty) is PREFLIGHT_DEFAULT_EXPIRY_SECONDS, 5; a value
// of digits alone is taken, capped at FirefoxMaxAge; anything else — a
// sign, a space, a second value after a comma, "abc" — leaves the preflight
// uncached, where Chromium and WebKit fall back to 5 seconds.
func firefoxPreflightCacheSeconds(v string, present bool) int {
	if v == "" {
		return fetch.DefaultMaxAge
	}
	n := 0
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0
		}
		n = min(n*10+int(v[i]-'0'), FirefoxMaxAge)
	}
	return n
}

// firefoxAllowOrigin is nsCORSListenerProxy::CheckRequestApproved: two
// Access-Control-Allow-Origin lines are "multiple" (CheckOriginHeader counts
// them), but one line holding a list is compared whole and is a mismatch;
// "*" with credentials is refused; any other value must be the origin,
// byte for byte; with credentials, Access-Control-Allow-Credentials must be
// exactly "true" (repeated lines are combined first, so two "true" lines
// fail).
func firefoxAllowOrigin(acao, acac []string, origin string, creds bool) (Check, string) {
	switch {
	case len(acao) > 1:
		v, _ := combined(acao) // for the explanation; the line quotes none
		return MultipleAllowOrigin, v
	case len(acao) == 0:
		return MissingAllowOrigin, ""
	}
	v := acao[0]
	if creds && v == fetch.Wildcard {
		return WildcardWithCredentials, ""
	}
	if (creds || v != fetch.Wildcard) && v != origin {
		return AllowOriginMismatch, v
	}
	if creds {
		if c, _ := combined(acac); c != "true" {
			return AllowCredentialsNotTrue, c
		}
	}
	return Passed, ""
}

// firefoxReason is the security.properties message of each check, with its
// parameter.
func firefoxReason(f Failure) (FirefoxReason, string) {
	switch f.Check {
	case MissingAllowOrigin:
		return FirefoxMissingAllowOrigin, FirefoxStatus(f.Status)
	case WildcardWithCredentials:
		return FirefoxNotSupportingCredentials, ""
	case MultipleAllowOrigin:
		return FirefoxMultipleAllowOrigin, ""
	case InvalidAllowOrigin, AllowOriginMismatch:
		return FirefoxAllowOriginNotMatchingOrigin, f.Value
	case AllowCredentialsNotTrue:
		return FirefoxMissingAllowCredentials, ""
	case PreflightStatus:
		return FirefoxPreflightDidNotSucceed, FirefoxStatus(f.Status)
	case InvalidAllowMethods:
		return FirefoxInvalidAllowMethod, f.Value
	case InvalidAllowHeaders:
		return FirefoxInvalidAllowHeader, f.Value
	case MethodNotAllowed:
		return FirefoxMethodNotFound, ""
	case HeaderNotAllowed:
		return FirefoxMissingAllowHeader, f.Value
	}
	return FirefoxDidNotSucceed, FirefoxNoStatus
}

// firefoxConsole is what Firefox logs for f, as its LogBlockedRequest calls
// come one after the other:
//
//   - a failed actual response: the reason alone;
//   - a failed preflight, or a redirect of the actual request that fails:
//     the reason, then CORSDidNotSucceed2 with no status, logged by the
//     actual request's listener when it learns the request was cancelled;
//   - a preflight answered with a redirect: CORSExternalRedirectNotAllowed,
//     then CORSPreflightDidNotSucceed3 with the redirect's status, then
//     that line; if the redirect already fails the CORS check, its reason
//     and two such lines (the preflight's own listener logs one too);
//   - a redirect to a URL with user:password: that line alone.
//   - a fetch() in mode "same-origin" to another origin: the
//     "Security Error" line of nsScriptSecurityManager, which names the
//     page's URL (taken as its origin and "/");
//   - a redirect to a location that is not http(s), that does not parse,
//     or past the 20th: CORSDidNotSucceed2 alone (file: and blob: first
//     get nsScriptSecurityManager's "Security Error" line), and nothing
//     at all when the redirect came from the page's own origin.
//   - nothing at all for a fetch() with keepalive, whatever failed: Firefox
//     runs those in the parent process (dom/fetch/FetchService.cpp), whose
//     channels belong to no window, so nsCORSListenerProxy's
//     LogBlockedRequest has no console to write to (Firefox ESR 153).
func firefoxConsole(f Failure) []string {
	if f.Keepalive {
		return nil
	}
	reason, param := firefoxReason(f)
	failed := FirefoxMessage(FirefoxDidNotSucceed, f.URL, FirefoxNoStatus)
	switch {
	case f.Check == ModeSameOrigin && f.Redirect:
		return []string{"Security Error: Content at " + f.Page + "/ may not load data from " + f.Location + "."}
	case f.Check == ModeSameOrigin:
		return []string{"Security Error: Content at " + f.Page + "/ may not load data from " + f.URL + "."}
	case f.Check == RedirectScheme || f.Check == RedirectInvalid:
		var lines []string
		switch f.Scheme {
		case "file":
			lines = append(lines, "Security Error: Content at "+f.URL+" may not load or link to "+f.Location+".")
		case "blob":
			lines = append(lines, "Security Error: Content at "+f.URL+" may not load data from "+f.Location+".")
		}
		if f.SameOrigin || f.NoCORS {
			// Only CORS requests get the CORS line.
			return lines
		}
		return append(lines, failed)
	case f.Check == TooManyRedirects:
		return []string{failed}
	case f.Check == RedirectCredentials:
		return []string{failed}
	case f.Check == PreflightRedirect:
		return []string{
			FirefoxMessage(FirefoxExternalRedirectNotAllowed, f.URL, ""),
			FirefoxMessage(FirefoxPreflightDidNotSucceed, f.URL, FirefoxStatus(f.Status)),
			failed,
		}
	case f.Preflight && f.Redirect:
		return []string{FirefoxMessage(reason, f.URL, param), failed, failed}
	case f.Preflight || f.Redirect:
		return []string{FirefoxMessage(reason, f.URL, param), failed}
	}
	return []string{FirefoxMessage(reason, f.URL, param)}
}

// firefoxAccept is the Accept Firefox ESR 153 sends per destination
// (the image.http.accept and network.http.accept preferences, and the
// font loader's own value in gfxUserFontSet), as the e2e suite's
// TestDestinations saw them; a fetch() gets "*/*".
func firefoxAccept(dest fetch.Destination) string {
	switch dest {
	case fetch.DestinationImage:
		return "image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"
	case fetch.DestinationFont:
		return "application/font-woff2;q=1.0,application/font-woff;q=0.9,*/*;q=0.8"
	case fetch.DestinationStyle:
		return "text/css,*/*;q=0.1"
	}
	return fetch.DefaultAccept
}

// FirefoxFontLine is the second line Firefox logs when a font is blocked,
// from its font loader: family is the font-family of the @font-face rule,
// which only the page knows.
func FirefoxFontLine(family, url string) string {
	return "downloadable font: download failed (font-family: \"" + family + "\" style:normal weight:400 stretch:100 src index:0): bad URI or cross-site access not allowed source: " + url
}

// FirefoxReason is the key of a CORS message in Gecko's security.properties;
// Firefox logs it with the level "error" and the category of the same name.
type FirefoxReason string

// The CORS messages of security.properties. The comments name each text's
// parameter after the URL, if any.
const (
	FirefoxCORSDisabled                 FirefoxReason = "CORSDisabled"
	FirefoxDidNotSucceed                FirefoxReason = "CORSDidNotSucceed2"                   // the status, "(null)" without a response
	FirefoxOriginHeaderNotAdded         FirefoxReason = "CORSOriginHeaderNotAdded"             //
	FirefoxExternalRedirectNotAllowed   FirefoxReason = "CORSExternalRedirectNotAllowed"       //
	FirefoxRequestNotHTTP               FirefoxReason = "CORSRequestNotHttp"                   //
	FirefoxMissingAllowOrigin           FirefoxReason = "CORSMissingAllowOrigin2"              // the status
	FirefoxMultipleAllowOrigin          FirefoxReason = "CORSMultipleAllowOriginNotAllowed"    //
	FirefoxAllowOriginNotMatchingOrigin FirefoxReason = "CORSAllowOriginNotMatchingOrigin"     // the ACAO value
	FirefoxNotSupportingCredentials     FirefoxReason = "CORSNotSupportingCredentials"         // (the URL is quoted)
	FirefoxMethodNotFound               FirefoxReason = "CORSMethodNotFound"                   //
	FirefoxMissingAllowCredentials      FirefoxReason = "CORSMissingAllowCredentials"          //
	FirefoxPreflightDidNotSucceed       FirefoxReason = "CORSPreflightDidNotSucceed3"          // the status
	FirefoxInvalidAllowMethod           FirefoxReason = "CORSInvalidAllowMethod"               // the token
	FirefoxInvalidAllowHeader           FirefoxReason = "CORSInvalidAllowHeader"               // the token
	FirefoxMissingAllowHeader           FirefoxReason = "CORSMissingAllowHeaderFromPreflight2" // the header name, lower case
)

// firefoxReasons are the "(Reason: …)" parts, %s being the parameter.
var firefoxReasons = map[FirefoxReason]string{
	FirefoxCORSDisabled:                 "CORS disabled).",
	FirefoxDidNotSucceed:                "CORS request did not succeed). Status code: %s.",
	FirefoxOriginHeaderNotAdded:         "CORS header ‘Origin’ cannot be added).",
	FirefoxExternalRedirectNotAllowed:   "CORS request external redirect not allowed).",
	FirefoxRequestNotHTTP:               "CORS request not http).",
	FirefoxMissingAllowOrigin:           "CORS header ‘Access-Control-Allow-Origin’ missing). Status code: %s.",
	FirefoxMultipleAllowOrigin:          "Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed).",
	FirefoxAllowOriginNotMatchingOrigin: "CORS header ‘Access-Control-Allow-Origin’ does not match ‘%s’).",
	FirefoxNotSupportingCredentials:     "Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’).",
	FirefoxMethodNotFound:               "Did not find method in CORS header ‘Access-Control-Allow-Methods’).",
	FirefoxMissingAllowCredentials:      "expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’).",
	FirefoxPreflightDidNotSucceed:       "CORS preflight response did not succeed). Status code: %s.",
	FirefoxInvalidAllowMethod:           "invalid token ‘%s’ in CORS header ‘Access-Control-Allow-Methods’).",
	FirefoxInvalidAllowHeader:           "invalid token ‘%s’ in CORS header ‘Access-Control-Allow-Headers’).",
	FirefoxMissingAllowHeader:           "header ‘%s’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response).",
}

// FirefoxNoStatus is the status Firefox prints when there was no response
// to take one from: the CORSDidNotSucceed2 line that follows every failed
// preflight reads "Status code: (null)."
const FirefoxNoStatus = "(null)"

// FirefoxStatus formats an HTTP status for FirefoxMessage.
func FirefoxStatus(code int) string { return strconv.Itoa(code) }

// FirefoxMessage returns the console line Firefox logs for reason, about
// url (the URL of the request that failed, after redirects), with param as
// the reason's parameter (see the constants). Every line reads
// "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the
// remote resource at <url>. (Reason: <reason>)"; only CORSNotSupportingCredentials
// quotes the URL.
func FirefoxMessage(reason FirefoxReason, url, param string) string {
	r, ok := firefoxReasons[reason]
	if !ok {
		return ""
	}
	at := url
	if reason == FirefoxNotSupportingCredentials {
		at = "‘" + url + "’"
	}
	return "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at " +
		at + ". (Reason: " + strings.Replace(r, "%s", param, 1)
}

// FirefoxAuthorizationWildcardWarning is the warning (level "warn") Firefox
// logs when Authorization passes only because of Access-Control-Allow-Headers: *
// (CORSAllowHeaderFromPreflightDeprecation).
func FirefoxAuthorizationWildcardWarning(url string) string {
	return "Cross-Origin Request Warning: The Same Origin Policy will disallow reading the remote resource at " + url +
		" soon. (Reason: When the `Access-Control-Allow-Headers` is `*`, the `Authorization` header is not covered. " +
		"To include the `Authorization` header, it must be explicitly listed in CORS header `Access-Control-Allow-Headers`)."
}
