package engine

import (
	"strconv"
	"strings"
)

// Firefox's CORS rules, from Gecko's netwerk/protocol/http/nsCORSListenerProxy.cpp
// and the console texts of dom/locales/en-US/chrome/security/security.properties,
// checked against Firefox ESR 153.

// FirefoxMaxAge is the longest Firefox keeps a preflight result: it caps
// Access-Control-Max-Age at 24 hours (nsCORSPreflightListener::AddResultToCache,
// "Cap at 24 hours"). Without the header it keeps it 5 seconds
// (PREFLIGHT_DEFAULT_EXPIRY_SECONDS); 0 is not cached at all.
const FirefoxMaxAge = 86400

// FirefoxWildcardCoversAuthorization: under Access-Control-Allow-Headers: *
// (without credentials) Firefox still lets Authorization through, against the
// Fetch standard, and logs FirefoxAuthorizationWildcardWarning
// (CheckPreflightRequestApproved, pref
// network.cors_preflight.authorization_covered_by_wildcard, default true).
const FirefoxWildcardCoversAuthorization = true

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

// FirefoxPreflightFailed returns the lines Firefox logs when a preflight
// fails: the reason's line, then "CORS request did not succeed). Status
// code: (null)." for the request that was never sent. A redirected
// preflight logs CORSExternalRedirectNotAllowed, then
// CORSPreflightDidNotSucceed3 with the redirect's status, then that last
// line (nsCORSPreflightListener::AsyncOnChannelRedirect).
func FirefoxPreflightFailed(url string, reason FirefoxReason, param string) []string {
	return []string{FirefoxMessage(reason, url, param), FirefoxMessage(FirefoxDidNotSucceed, url, FirefoxNoStatus)}
}
