package check

// CorsError names why a browser blocked a cross-origin request. The values
// are Chromium's network::mojom::CorsError names (also the Chrome DevTools
// Protocol's Network.CorsError), so a reason printed by corscheck can be
// searched for in DevTools, in Chromium's sources and in bug trackers.
type CorsError string

// The CorsError values corscheck can predict; Local Network Access's are in
// lna.go. Chromium's Private Network Access errors are not predicted: only
// Chromium before 142 reports them.
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

	// Redirects of the actual request (Fetch §4.4, "HTTP-redirect fetch"):
	// to a URL with user:password, and to a scheme CORS does not allow
	// (Chromium names the schemes it does; data:, about:, file: and blob:
	// fail below CORS instead, see Result.NetError).
	RedirectContainsCredentials CorsError = "RedirectContainsCredentials"
	CorsDisabledScheme          CorsError = "CorsDisabledScheme"
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

// IsPreflight reports whether e is detected on the preflight response.
func (e CorsError) IsPreflight() bool {
	switch e {
	case InvalidAllowMethodsPreflightResponse, InvalidAllowHeadersPreflightResponse,
		MethodDisallowedByPreflightResponse, HeaderDisallowedByPreflightResponse,
		PreflightMissingAllowOriginHeader, PreflightWildcardOriginNotAllowed,
		PreflightMultipleAllowOriginValues, PreflightInvalidAllowOriginValue,
		PreflightAllowOriginMismatch, PreflightInvalidAllowCredentials,
		PreflightInvalidStatus, PreflightDisallowedRedirect:
		return true
	}
	return false
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
