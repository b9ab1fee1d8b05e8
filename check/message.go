package check

import "strings"

// CorsError names why a browser blocked a cross-origin request. The values
// are Chromium's network::mojom::CorsError names (also the Chrome DevTools
// Protocol's Network.CorsError), so a reason printed by corscheck can be
// searched for in DevTools, in Chromium's sources and in bug trackers.
type CorsError string

// The CorsError values corscheck can predict (Local Network Access's are in
// lna.go). Chromium's CorsDisabledScheme is not predicted: it depends on a
// page scheme corscheck does not model.
const (
	// The CORS check of an actual response (Fetch §4.9).
	MissingAllowOriginHeader  CorsError = "MissingAllowOriginHeader"
	WildcardOriginNotAllowed  CorsError = "WildcardOriginNotAllowed"
	MultipleAllowOriginValues CorsError = "MultipleAllowOriginValues"
	InvalidAllowOriginValue   CorsError = "InvalidAllowOriginValue"
	AllowOriginMismatch       CorsError = "AllowOriginMismatch"
	InvalidAllowCredentials   CorsError = "InvalidAllowCredentials"

	// The same check on a preflight response: same text, behind the prefix
	// "Response to preflight request doesn't pass access control check: ".
	PreflightMissingAllowOriginHeader  CorsError = "PreflightMissingAllowOriginHeader"
	PreflightWildcardOriginNotAllowed  CorsError = "PreflightWildcardOriginNotAllowed"
	PreflightMultipleAllowOriginValues CorsError = "PreflightMultipleAllowOriginValues"
	PreflightInvalidAllowOriginValue   CorsError = "PreflightInvalidAllowOriginValue"
	PreflightAllowOriginMismatch       CorsError = "PreflightAllowOriginMismatch"
	PreflightInvalidAllowCredentials   CorsError = "PreflightInvalidAllowCredentials"

	// The rest of the preflight (Fetch §4.8).
	PreflightInvalidStatus               CorsError = "PreflightInvalidStatus"
	PreflightDisallowedRedirect          CorsError = "PreflightDisallowedRedirect"
	InvalidAllowMethodsPreflightResponse CorsError = "InvalidAllowMethodsPreflightResponse"
	InvalidAllowHeadersPreflightResponse CorsError = "InvalidAllowHeadersPreflightResponse"
	MethodDisallowedByPreflightResponse  CorsError = "MethodDisallowedByPreflightResponse"
	HeaderDisallowedByPreflightResponse  CorsError = "HeaderDisallowedByPreflightResponse"

	// Redirects of the actual request (Fetch §4.4, "HTTP-redirect fetch").
	RedirectContainsCredentials CorsError = "RedirectContainsCredentials"
)

// preflightVariant maps an error of the CORS check to the variant Chromium
// reports when the check fails on a preflight response.
func preflightVariant(e CorsError) CorsError {
	switch e {
	case MissingAllowOriginHeader:
		return PreflightMissingAllowOriginHeader
	case WildcardOriginNotAllowed:
		return PreflightWildcardOriginNotAllowed
	case MultipleAllowOriginValues:
		return PreflightMultipleAllowOriginValues
	case InvalidAllowOriginValue:
		return PreflightInvalidAllowOriginValue
	case AllowOriginMismatch:
		return PreflightAllowOriginMismatch
	case InvalidAllowCredentials:
		return PreflightInvalidAllowCredentials
	}
	return e
}

// hasPreflightPrefix reports whether Chromium puts "Response to preflight
// request doesn't pass access control check: " before the reason. Only the
// CORS-check variants, the status and the redirect errors get it; the parse,
// method and header errors are preflight errors too but read without it
// (Chromium's IsPreflightError in cors_error_string.cc).
func (e CorsError) hasPreflightPrefix() bool {
	switch e {
	case PreflightMissingAllowOriginHeader, PreflightWildcardOriginNotAllowed,
		PreflightMultipleAllowOriginValues, PreflightInvalidAllowOriginValue,
		PreflightAllowOriginMismatch, PreflightInvalidAllowCredentials,
		PreflightInvalidStatus, PreflightDisallowedRedirect:
		return true
	}
	return false
}

// IsPreflight reports whether e is detected on the preflight response.
func (e CorsError) IsPreflight() bool {
	switch e {
	case InvalidAllowMethodsPreflightResponse, InvalidAllowHeadersPreflightResponse,
		MethodDisallowedByPreflightResponse, HeaderDisallowedByPreflightResponse:
		return true
	}
	return e.hasPreflightPrefix()
}

// Initiator is the API that made the request. It is the "<kind>" in
// Chromium's console line and changes some of its sentences.
type Initiator string

const (
	// Fetch is a fetch() call (the default).
	Fetch Initiator = "fetch"
	// XHR is an XMLHttpRequest.
	XHR Initiator = "XMLHttpRequest"
)

const (
	preflightPrefix = "Response to preflight request doesn't pass access control check: "
	// Chromium 156 appends this to the three "bad ACAO value" reasons for
	// fetch(); older builds appended a longer sentence ending in "…set the
	// request's mode to 'no-cors' to fetch the resource with CORS disabled."
	// The shorter form was checked against a real Chromium 156.
	haveServerSend = " Have the server send the header with a valid value."
	xhrCredentials = " The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute."
)

// ConsoleMessage returns the line Chromium logs in the DevTools console when
// it blocks a request: "Access to <kind> at '<url>' [(redirected from
// '<initial>') ]from origin '<origin>' has been blocked by CORS policy:
// [Response to preflight request doesn't pass access control check: ]<reason>".
//
// url is the URL of the request that failed (after redirects), initialURL the
// URL the script asked for ("" or equal to url when there was no redirect),
// origin the page's origin (still the page's, even after a redirect has
// turned the Origin header into "null"), and hint Chromium's failedParameter:
// the ACAO or ACAC value, the method, the header name, or the redirect
// location. The wording follows Chromium's cors_error_string.cc and was
// checked against Chromium 156.
func ConsoleMessage(kind Initiator, url, initialURL, origin string, reason CorsError, hint string) string {
	if kind == "" {
		kind = Fetch
	}
	var b strings.Builder
	b.WriteString("Access to " + string(kind) + " at '" + url + "' ")
	if initialURL != "" && initialURL != url {
		b.WriteString("(redirected from '" + initialURL + "') ")
	}
	b.WriteString("from origin '" + origin + "' has been blocked by CORS policy: ")
	if reason.hasPreflightPrefix() {
		b.WriteString(preflightPrefix)
	}
	b.WriteString(reasonText(kind, reason, hint))
	return b.String()
}

func reasonText(kind Initiator, reason CorsError, hint string) string {
	if reason.isLocalNetworkAccess() {
		return hint // lna.go: Local Network Access passes the whole text
	}
	fetchSuffix := ""
	if kind == Fetch {
		fetchSuffix = haveServerSend
	}
	xhrSuffix := ""
	if kind == XHR {
		xhrSuffix = xhrCredentials
	}
	switch reason {
	case MissingAllowOriginHeader, PreflightMissingAllowOriginHeader:
		return "No 'Access-Control-Allow-Origin' header is present on the requested resource."
	case WildcardOriginNotAllowed, PreflightWildcardOriginNotAllowed:
		return "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'." + xhrSuffix
	case MultipleAllowOriginValues, PreflightMultipleAllowOriginValues:
		return "The 'Access-Control-Allow-Origin' header contains multiple values '" + hint + "', but only one is allowed." + fetchSuffix
	case InvalidAllowOriginValue, PreflightInvalidAllowOriginValue:
		return "The 'Access-Control-Allow-Origin' header contains the invalid value '" + hint + "'." + fetchSuffix
	case AllowOriginMismatch, PreflightAllowOriginMismatch:
		return "The 'Access-Control-Allow-Origin' header has a value '" + hint + "' that is not equal to the supplied origin." + fetchSuffix
	case InvalidAllowCredentials, PreflightInvalidAllowCredentials:
		return "The value of the 'Access-Control-Allow-Credentials' header in the response is '" + hint + "' which must be 'true' when the request's credentials mode is 'include'." + xhrSuffix
	case PreflightInvalidStatus:
		return "It does not have HTTP ok status."
	case PreflightDisallowedRedirect:
		return "Redirect is not allowed for a preflight request."
	case InvalidAllowMethodsPreflightResponse:
		return "Cannot parse Access-Control-Allow-Methods response header field in preflight response."
	case InvalidAllowHeadersPreflightResponse:
		return "Cannot parse Access-Control-Allow-Headers response header field in preflight response."
	case MethodDisallowedByPreflightResponse:
		return "Method " + hint + " is not allowed by Access-Control-Allow-Methods in preflight response."
	case HeaderDisallowedByPreflightResponse:
		return "Request header field " + hint + " is not allowed by Access-Control-Allow-Headers in preflight response."
	case RedirectContainsCredentials:
		return "Redirect location '" + hint + "' contains a username and password, which is disallowed for cross-origin requests."
	}
	return string(reason)
}
