package engine

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/corskit/cors/internal/fetch"
)

// WebKit's CORS rules (Safari, WebKitGTK, WPE), from WebKit's
// Source/WebCore/loader/CrossOriginAccessControl.cpp,
// CrossOriginPreflightResultCache.cpp, platform/network/HTTPParsers.cpp and
// Source/WebKit/NetworkProcess/NetworkLoadChecker.cpp, checked against
// WebKitGTK 2.50 by the differential corpus (internal/difftest).

// WebKit is WebKit's behaviour, as of WebKitGTK 2.50 (Safari shares the
// WebCore code these rules come from).
var WebKit = Rules{
	Name: "Safari",
	// isCrossOriginSafeRequestHeader: the standard's safelist, judged one
	// header at a time (no 1024-byte total).
	NoSafelistedTotal:       true,
	SafelistedRequestHeader: webkitSafelistedRequestHeader,
	HeaderCheckOrder:        webkitHeaderCheckOrder,
	// An XMLHttpRequest with upload listeners is preflighted with or
	// without a body (UploadPreflightNeedsBody false), as in Firefox: the
	// corpus's body-less GETs and POSTs with listeners were all
	// preflighted.
	AllowOrigin: webkitAllowOrigin,
	// validatePreflightResponse: the status first (a redirect is a status
	// like any other), then passesAccessControlCheck, then
	// CrossOriginPreflightResultCacheItem::create parses both lists, then
	// validateMethodAndHeaders.
	PreflightOrder:    []PreflightStep{StepStatus, StepAllowOrigin, StepMethodsSyntax, StepHeadersSyntax, StepMethod, StepHeaders},
	InvalidTokenValue: func(v string) string { return v },
	// An uncredentialed * in Access-Control-Allow-Headers covers every
	// request header, Authorization included
	// (CrossOriginPreflightResultCacheItem::validateCrossOriginHeaders),
	// against the Fetch standard, and with no warning.
	WildcardCoversAuthorization: true,
	PreflightCacheSeconds:       webkitPreflightCacheSeconds,
	Console:                     webkitConsole,
	// NetworkDataTaskSoup::shouldStartHTTPRedirection (WebKitGTK): any
	// 3xx with a Location (SOUP_STATUS_IS_REDIRECTION) is followed except
	// 300, 304, 305 and 306 ("some 3xx status codes aren't actually
	// redirects"), so 309 or 399 redirect too, where Fetch follows only
	// 301, 302, 303, 307 and 308. Seen in WebKitGTK 2.50.
	FollowsRedirect: func(status int) bool {
		return status >= 300 && status <= 399 && status != 300 && status != 304 && status != 305 && status != 306
	},
	// The network process refuses a redirect to ftp: before the loader
	// runs the redirect response's CORS check ("FTP URLs are disabled");
	// every other scheme is refused after it.
	SchemeBeforeCORSCheck: func(scheme string) bool { return scheme == "ftp" },
	// shouldRedirectAsGET in NetworkDataTaskSoup.cpp: the standard's
	// rewrites (301/302 + POST, 303 + anything but GET and HEAD), which
	// drop the body and its headers, and a DELETE redirected to another
	// origin, with any redirect status, which becomes a GET without a
	// body but keeps its headers (Content-Type among them).
	RedirectMethod: func(status int, method string, crossOrigin bool) (string, bool, bool) {
		if m, drop := fetch.RedirectMethod(status, method); drop {
			return m, true, true
		}
		if crossOrigin && method == "DELETE" {
			return "GET", true, false
		}
		return method, false, false
	},
	// CachedResourceLoader loads a font (FontFace, @font-face) in mode
	// no-cors with credentials, and a module that import() loads from a
	// classic script or the page with the referencing script's fetch
	// options, also no-cors: both load from any origin without CORS
	// headers. Seen in WebKitGTK 2.50 (no Origin, Sec-Fetch-Mode: no-cors,
	// the cookie sent).
	FontNoCORS:   true,
	ImportNoCORS: true,
	ModuleMIMELines: func(_, essence string) []string {
		return []string{"TypeError: '" + essence + "' is not a valid JavaScript MIME type."}
	},
	DestinationAccept: webkitAccept,
	// NetworkLoadChecker::checkRedirection: a request that was
	// preflighted is preflighted again after every redirect, and the
	// preflight (CrossOriginPreflightChecker) is built from the original
	// request's headers, so it lists Authorization and Content-Type even
	// when the redirect dropped them from the request itself. A request
	// that started on the page's origin (the loader's "same-origin
	// request" state) has each redirect response checked again, after the
	// location's user:password check, with the load's stored-credentials
	// policy, which credentials mode "same-origin" set to "use" on the
	// page's origin and which the redirects keep. All seen in WebKitGTK
	// 2.50.
	PreflightRepeats:                true,
	PreflightKeepsHeaders:           true,
	SameOriginCredentialsOnRedirect: true,
}

// webkitSafelistedRequestHeader is the standard's safelist, except that
// Range's unit is matched without case (isSimpleRangeHeaderValue in
// platform/network/HTTPParsers.cpp: startsWithLettersIgnoringASCIICase),
// so "BYTES=0-1" needs no preflight, where Fetch (and Chromium and
// Firefox) ask for "bytes" exactly. Seen in WebKitGTK 2.50.
func webkitSafelistedRequestHeader(name, value string) bool {
	if strings.EqualFold(name, "range") && len(value) >= len("bytes=") && strings.EqualFold(value[:len("bytes=")], "bytes=") {
		value = "bytes=" + value[len("bytes="):]
	}
	return fetch.IsSafelistedRequestHeader(name, value)
}

// WebKitMaxAge is the longest WebKit keeps a preflight result
// (maxPreflightCacheTimeout = 600_s in CrossOriginPreflightResultCache.cpp,
// "short enough to minimize the risk of using a poisoned cache after
// switching to a secure network"); without Access-Control-Max-Age it keeps
// it 5 seconds (defaultPreflightCacheTimeout).
const WebKitMaxAge = 600

// webkitPreflightCacheSeconds is parseAccessControlMaxAge and
// CrossOriginPreflightResultCacheItem::create: an integer (a sign allowed,
// white space around it) is taken, capped at WebKitMaxAge, a negative one
// expiring at once; anything else, an absent header included, is the
// 5-second default.
func webkitPreflightCacheSeconds(v string, present bool) int {
	n, err := strconv.ParseInt(strings.Trim(v, " \t"), 10, 64)
	if err != nil {
		return fetch.DefaultMaxAge
	}
	return int(max(0, min(n, WebKitMaxAge)))
}

// webkitAllowOrigin is passesAccessControlCheck: the header's lines are
// combined with ", "; "*" passes without credentials; any other value than
// the origin is "*" with credentials, a list (it holds a comma), or an
// origin that is not allowed (absent or another, which WebKit words
// alike); with credentials Access-Control-Allow-Credentials must be
// exactly "true".
func webkitAllowOrigin(acao, acac []string, origin string, creds bool) (Check, string) {
	v, ok := combined(acao)
	if v == fetch.Wildcard && !creds {
		return Passed, ""
	}
	if v != origin {
		switch {
		case v == fetch.Wildcard:
			return WildcardWithCredentials, ""
		case strings.Contains(v, ","):
			return MultipleAllowOrigin, v
		case !ok:
			return MissingAllowOrigin, ""
		}
		return AllowOriginMismatch, v
	}
	if creds {
		if c, _ := combined(acac); c != "true" {
			return AllowCredentialsNotTrue, c
		}
	}
	return Passed, ""
}

// webkitHeaderCheckOrder is the order of validateCrossOriginHeaders: it
// walks the request's HTTPHeaderMap, which keeps the headers WebCore knows
// by name (HTTPHeaderNames.in: Accept, Authorization, Content-Type,
// Range, …) first and the others after them, each group in the order they
// were set, and names a known header in its canonical spelling and any
// other as the script wrote it.
func webkitHeaderCheckOrder(h Headers) []string {
	unsafe := Rules{NoSafelistedTotal: true, SafelistedRequestHeader: webkitSafelistedRequestHeader}.UnsafeHeaderNames(h)
	var known, other []string
	for _, f := range h.Fields {
		ln := strings.ToLower(f.Name)
		if _, found := slices.BinarySearch(unsafe, ln); !found {
			continue
		}
		if c, ok := webkitKnownHeaders[ln]; ok {
			known = append(known, c)
		} else {
			other = append(other, f.Name)
		}
	}
	return append(known, other...)
}

// webkitKnownHeaders are the request headers a script may set that
// WebCore's HTTPHeaderNames.in knows, by lower-case name, in their
// canonical spelling.
var webkitKnownHeaders = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{"Accept", "Accept-Language", "Authorization", "Cache-Control", "Content-Disposition",
		"Content-Language", "Content-Type", "Content-Range", "DNT", "If-Match", "If-Modified-Since", "If-None-Match",
		"If-Range", "If-Unmodified-Since", "Last-Event-ID", "Link", "Pragma", "Purpose", "Range", "Refresh",
		"Upgrade-Insecure-Requests", "X-Content-Type-Options", "X-DNS-Prefetch-Control", "X-Frame-Options", "X-SourceMap",
		"X-XSS-Protection", "X-Temp-Tablet"} {
		m[strings.ToLower(n)] = n
	}
	return m
}()

// webkitReason is WebKit's text for a failed check.
func webkitReason(f Failure) string {
	switch f.Check {
	case MissingAllowOrigin, AllowOriginMismatch, InvalidAllowOrigin:
		return WebKitOriginNotAllowed(f.Origin, f.Status)
	case WildcardWithCredentials:
		return WebKitWildcardWithCredentials
	case MultipleAllowOrigin:
		return WebKitMultipleAllowOrigin
	case AllowCredentialsNotTrue:
		return WebKitCredentialsNotTrue
	case PreflightStatus, PreflightRedirect:
		return WebKitPreflightNotSuccessful(f.Status)
	case InvalidAllowMethods:
		return WebKitInvalidList(fetch.HeaderAllowMethods, f.Value)
	case InvalidAllowHeaders:
		return WebKitInvalidList(fetch.HeaderAllowHeaders, f.Value)
	case MethodNotAllowed:
		return WebKitMethodNotAllowed(f.Value)
	case HeaderNotAllowed:
		return WebKitHeaderNotAllowed(f.Value)
	case RedirectCredentials:
		return "redirection URL " + f.Value + " has credentials"
	}
	return ""
}

// webkitConsole is what WebKit logs for f: the reason (for a redirect of
// the actual request, inside NetworkLoadChecker::checkRedirection's
// "Cross-origin redirection to … denied by Cross-Origin Resource Sharing
// policy: …"), then the loader's "… cannot load <URL> due to access control
// checks." for the request that failed. A fetch() in mode "same-origin" to
// another origin gets the loader's line alone, without the access control
// sentence.
func webkitConsole(f Failure) []string {
	api := "Fetch API"
	if f.XHR {
		api = "XMLHttpRequest"
	}
	reason, url := webkitReason(f), f.URL
	if f.Dest != fetch.DestinationEmpty {
		return webkitElementConsole(f, reason)
	}
	switch {
	case f.Check == ModeSameOrigin && f.Redirect:
		// DocumentThreadableLoader::redirectReceived, for a request in
		// mode same-origin.
		reason, url = "Unsafe attempt to load URL "+f.Location+" from origin "+f.Page+". Domains, protocols and ports must match.", f.Location
	case f.Check == ModeSameOrigin:
		return []string{api + " cannot load " + f.URL + "."}
	case f.Check == TooManyRedirects:
		reason = "Load cannot follow more than 20 redirections"
	case f.Check == RedirectScheme && f.Scheme == "ftp":
		// Refused by the network process before the loader sees the
		// redirect, so the line names the URL the script asked for.
		reason, url = "FTP URLs are disabled", f.InitialURL
	case (f.Check == RedirectScheme || f.Check == RedirectInvalid) && f.NoCORS:
		reason, url = "Redirection to URL with a scheme that is not HTTP(S).", f.Location
	case f.Check == RedirectInvalid && f.SameOrigin:
		return nil
	case f.Check == RedirectScheme && f.SameOrigin && (f.Scheme == "file" || f.Scheme == "blob"):
		reason = "Not allowed to load local resource: " + f.Location
	case f.Check == RedirectScheme || f.Check == RedirectInvalid:
		reason = WebKitRedirectDenied(f.Location, "not allowed to follow a cross-origin CORS redirection with non CORS scheme")
	case f.Redirect && !f.Preflight:
		reason = WebKitRedirectDenied(withoutUserinfo(f.Location), reason)
	}
	return []string{reason, WebKitCannotLoad(api, url)}
}

// webkitElementConsole is what WebKit logs when it blocks a resource an
// element loads: the reason, then, for an image, CachedImage's "Cannot
// load image <URL> due to access control checks.", for a classic script
// ScriptElement's "Cross-origin script load denied by Cross-Origin
// Resource Sharing policy."; nothing more for a module or a stylesheet.
// Seen in WebKitGTK 2.50.
func webkitElementConsole(f Failure, reason string) []string {
	if f.Redirect {
		reason = WebKitRedirectDenied(withoutUserinfo(f.Location), reason)
	}
	switch {
	case f.Dest == fetch.DestinationImage:
		return []string{reason, "Cannot load image " + f.URL + " due to access control checks."}
	case f.Dest == fetch.DestinationScript && !f.Module:
		return []string{reason, "Cross-origin script load denied by Cross-Origin Resource Sharing policy."}
	}
	return []string{reason}
}

// webkitAccept is the Accept WebKitGTK 2.50 sends per destination
// (CachedResourceRequest::acceptHeaderValueFromType), as the e2e suite's
// TestDestinations saw them; a fetch() gets "*/*".
func webkitAccept(dest fetch.Destination) string {
	switch dest {
	case fetch.DestinationImage:
		return "image/webp,image/avif,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"
	case fetch.DestinationStyle:
		return "text/css,*/*;q=0.1"
	}
	return fetch.DefaultAccept
}

// WebKitInvalidList is the line for an Access-Control-Allow-Methods or
// -Headers value (header) that is not a list of tokens
// (CrossOriginPreflightResultCacheItem::create).
func WebKitInvalidList(header, value string) string {
	return "Header " + header + " has an invalid value: " + value
}

// withoutUserinfo drops the user:password of loc, as WebKit does when it
// prints a redirect's target.
func withoutUserinfo(loc string) string {
	u, err := url.Parse(loc)
	if err != nil || u.User == nil {
		return loc
	}
	u.User = nil
	return u.String()
}

// WebKitOriginNotAllowed is WebKit's line for a response whose
// Access-Control-Allow-Origin is missing or names another origin; origin is
// the page's ("null" once a cross-origin redirect has made it opaque), status
// the response's (passesAccessControlCheck).
func WebKitOriginNotAllowed(origin string, status int) string {
	return "Origin " + origin + " is not allowed by Access-Control-Allow-Origin. Status code: " + strconv.Itoa(status)
}

// The other texts of passesAccessControlCheck.
const (
	WebKitWildcardWithCredentials = "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true."
	WebKitMultipleAllowOrigin     = "Access-Control-Allow-Origin cannot contain more than one origin."
	WebKitCredentialsNotTrue      = "Credentials flag is true, but Access-Control-Allow-Credentials is not \"true\"."
)

// WebKitPreflightNotSuccessful is the line for a preflight answered with a
// status outside 200–299, a redirect included (validatePreflightResponse).
func WebKitPreflightNotSuccessful(status int) string {
	return "Preflight response is not successful. Status code: " + strconv.Itoa(status)
}

// WebKitMethodNotAllowed is the line for a preflight whose
// Access-Control-Allow-Methods lacks method
// (CrossOriginPreflightResultCacheItem::validateMethodAndHeaders).
func WebKitMethodNotAllowed(method string) string {
	return "Method " + method + " is not allowed by Access-Control-Allow-Methods."
}

// WebKitHeaderNotAllowed is the line for a preflight whose
// Access-Control-Allow-Headers lacks header, named as the script wrote it
// (validateMethodAndHeaders).
func WebKitHeaderNotAllowed(header string) string {
	return "Request header field " + header + " is not allowed by Access-Control-Allow-Headers."
}

// WebKitRedirectDenied is the line for a redirect response that fails the
// CORS check: reason is that check's line, url the redirect's target.
func WebKitRedirectDenied(url, reason string) string {
	return "Cross-origin redirection to " + url + " denied by Cross-Origin Resource Sharing policy: " + reason
}

// WebKitCannotLoad is the line WebKit logs after each of the above, naming
// the API ("Fetch API" for fetch(), "XMLHttpRequest") and the URL the script
// asked for (after a followed redirect, the redirect's target).
func WebKitCannotLoad(api, url string) string {
	return api + " cannot load " + url + " due to access control checks."
}
