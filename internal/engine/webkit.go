package engine

import "strconv"

// WebKit's CORS rules (Safari, WebKitGTK, WPE), from WebKit's
// Source/WebCore/loader/CrossOriginAccessControl.cpp and
// CrossOriginPreflightResultCache.cpp, checked against WebKitGTK 2.50.

// WebKitMaxAge is the longest WebKit keeps a preflight result
// (maxPreflightCacheTimeout = 600_s in CrossOriginPreflightResultCache.cpp,
// "short enough to minimize the risk of using a poisoned cache after
// switching to a secure network"); without Access-Control-Max-Age it keeps
// it 5 seconds (defaultPreflightCacheTimeout).
const WebKitMaxAge = 600

// WebKitWildcardCoversAuthorization: an uncredentialed * in
// Access-Control-Allow-Headers covers every request header, Authorization
// included (CrossOriginPreflightResultCacheItem::validateCrossOriginHeaders),
// against the Fetch standard, and with no warning.
const WebKitWildcardCoversAuthorization = true

// WebKit checks a preflight response in this order
// (validatePreflightResponse): the status first ("Preflight response is not
// successful"), then Access-Control-Allow-Origin and -Credentials, then the
// method and the headers. Chromium checks the origin before the status, so
// a 403 without CORS headers reads "No 'Access-Control-Allow-Origin'
// header" there and WebKitPreflightNotSuccessful here.

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
