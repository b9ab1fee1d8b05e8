package fetch

import "strings"

// This file holds what the Fetch and HTML standards say about the requests a
// page makes without fetch() or XMLHttpRequest: an <img>, a <script> (classic
// or module, and import()), a <link rel=stylesheet>, a font from @font-face.
// Whether CORS applies to such a request at all is decided by two of its
// properties, its mode and its credentials mode, which come from what loads
// it and from the element's crossorigin attribute, never from a script.

// Destination is a request's destination (Fetch §2.2.5, "request
// destination"): what the response will be used for. It is sent as
// Sec-Fetch-Dest (SecFetchDest) and picks the Accept value a browser sends.
// The empty destination is that of fetch() and XMLHttpRequest.
type Destination string

// The destinations corskit models.
const (
	DestinationEmpty  Destination = ""       // fetch(), XMLHttpRequest
	DestinationFont   Destination = "font"   // @font-face
	DestinationImage  Destination = "image"  // <img>, and the images a canvas or WebGL draws
	DestinationScript Destination = "script" // <script>, <script type=module>, import()
	DestinationStyle  Destination = "style"  // <link rel=stylesheet>, @import
)

// SecFetchDest returns the value of the Sec-Fetch-Dest request header for a
// request to d (Fetch Metadata Request Headers §2.1: the destination, or
// "empty" for the empty string).
func SecFetchDest(d Destination) string {
	if d == DestinationEmpty {
		return "empty"
	}
	return string(d)
}

// Mode is a request's mode (Fetch §2.2.5, "request mode"). It decides whether
// the CORS protocol applies.
type Mode string

const (
	// ModeCORS: the request carries Origin and its response must pass the
	// CORS check (Fetch §4.9), or the load fails. fetch() and XMLHttpRequest
	// always use it for another origin.
	ModeCORS Mode = "cors"
	// ModeNoCORS: no Origin (for a GET), no CORS check, and a response
	// that is opaque to the page (Fetch §2.2.6, "opaque filtered response"):
	// the element may show or run it, but the page cannot read it.
	ModeNoCORS Mode = "no-cors"
	// ModeSameOrigin: a request to another origin, or redirected to one,
	// is a network error (Fetch §4.1 "main fetch" step 12).
	ModeSameOrigin Mode = "same-origin"
)

// CredentialsMode is a request's credentials mode (Fetch §2.2.5): whether
// cookies, HTTP authentication and TLS client certificates go with it.
type CredentialsMode string

const (
	// CredentialsSameOrigin: only to the page's own origin, so a
	// cross-origin request carries none.
	CredentialsSameOrigin CredentialsMode = "same-origin"
	// CredentialsOmit: never, not even to the page's own origin.
	CredentialsOmit CredentialsMode = "omit"
	// CredentialsInclude: always. A CORS response to such a request must
	// then name the origin (not "*") and send
	// Access-Control-Allow-Credentials: true.
	CredentialsInclude CredentialsMode = "include"
)

// CORSSetting is the state of an element's crossorigin attribute (HTML
// §2.5.4, "CORS settings attributes").
type CORSSetting string

const (
	// NoCORS: the attribute is absent.
	NoCORS CORSSetting = ""
	// Anonymous: crossorigin, crossorigin="" or crossorigin="anonymous"
	// (and any invalid value).
	Anonymous CORSSetting = "anonymous"
	// UseCredentials: crossorigin="use-credentials".
	UseCredentials CORSSetting = "use-credentials"
)

// PotentialCORSRequest returns the mode and credentials mode of a request made
// by an element whose crossorigin attribute is in state s (HTML §2.5.5,
// "create a potential-CORS request"): no attribute is a no-cors request with
// credentials; "anonymous" a CORS request without credentials to another
// origin; "use-credentials" a CORS request with them. <img>, a classic
// <script> and <link rel=stylesheet> load this way, which is why they load
// from any origin without CORS headers unless they have the attribute.
func PotentialCORSRequest(s CORSSetting) (Mode, CredentialsMode) {
	switch s {
	case Anonymous:
		return ModeCORS, CredentialsSameOrigin
	case UseCredentials:
		return ModeCORS, CredentialsInclude
	}
	return ModeNoCORS, CredentialsInclude
}

// ModuleScriptRequest returns the mode and credentials mode of the request
// for an ES module: <script type=module> whose crossorigin attribute is in
// state s, or a module it imports (import statements and import(), which
// inherit the importing script's credentials mode; from a classic script or
// the page, "same-origin"). HTML §8.1.4.2, "fetch a single module script",
// sets the mode to "cors" whatever the attribute says, and the credentials
// mode is the attribute's "CORS settings attribute credentials mode":
// "include" for use-credentials, "same-origin" otherwise. A module from
// another origin therefore always needs CORS headers.
func ModuleScriptRequest(s CORSSetting) (Mode, CredentialsMode) {
	if s == UseCredentials {
		return ModeCORS, CredentialsInclude
	}
	return ModeCORS, CredentialsSameOrigin
}

// FontRequest returns the mode and credentials mode of the request for a
// font that @font-face names: CSS Fonts 4 §4.8.2 fetches it with CSS's
// "fetch a style resource" in mode "cors", with the default credentials
// mode "same-origin" (CSS Values 4 §4.5.3 gives "include" only to no-cors
// requests). @font-face has no crossorigin attribute, so a font from
// another origin always needs CORS headers, and never carries cookies there.
func FontRequest() (Mode, CredentialsMode) {
	return ModeCORS, CredentialsSameOrigin
}

// StandardAccept returns the Accept value the Fetch standard suggests for a
// request to d whose header list has none (Fetch §4.1 "fetch" step 12, the
// step that adds DefaultAccept): a list of image types for "image",
// "text/css,*/*;q=0.1" for "style", and DefaultAccept otherwise. The standard
// says "should": engines choose their own values (see internal/engine).
func StandardAccept(d Destination) string {
	switch d {
	case DestinationImage:
		return "image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"
	case DestinationStyle:
		return "text/css,*/*;q=0.1"
	}
	return DefaultAccept
}

// IsJavaScriptMIMEType reports whether the MIME type essence (as MIMEEssence
// returns it: lower case, no parameters) is a JavaScript MIME type (MIME
// Sniffing §4.6). A module script served with any other type is not run
// (HTML §8.1.4.2, "fetch a single module script"), CORS headers or not.
func IsJavaScriptMIMEType(essence string) bool {
	switch essence {
	case "application/ecmascript", "application/javascript", "application/x-ecmascript",
		"application/x-javascript", "text/ecmascript", "text/javascript", "text/javascript1.0",
		"text/javascript1.1", "text/javascript1.2", "text/javascript1.3", "text/javascript1.4",
		"text/javascript1.5", "text/jscript", "text/livescript", "text/x-ecmascript",
		"text/x-javascript":
		return true
	}
	return false
}

// ResponseMIMEEssence returns the essence of a Content-Type value as a
// browser reads it for a script (Fetch's "extract a MIME type", simplified
// to one value): "" when the header is absent or does not parse.
func ResponseMIMEEssence(contentType string) string {
	if i := strings.LastIndexByte(contentType, ','); i >= 0 {
		contentType = contentType[i+1:] // the last of combined values wins
	}
	essence, ok := MIMEEssence(contentType)
	if !ok {
		return ""
	}
	return essence
}
