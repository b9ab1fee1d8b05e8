package engine

import (
	"strings"

	"github.com/corskit/cors/internal/fetch"
)

// Rules are one engine's departures from the Fetch standard that corskit
// models, and the words of its console. Each engine's value (Chromium,
// Firefox, WebKit) is defined in that engine's file, every field citing
// the engine source it comes from.
type Rules struct {
	// Name is the engine's name as users know it ("Chromium").
	Name string

	// SafelistedRequestHeader reports whether the pair (name, value) is
	// CORS-safelisted in this engine: sent without a preflight. nil means
	// the standard's list (fetch.IsSafelistedRequestHeader).
	SafelistedRequestHeader func(name, value string) bool
	// NoSafelistedTotal: the engine judges each safelisted header alone
	// and has no 1024-byte limit on their sum (Fetch, "CORS-unsafe
	// request-header names" step 4).
	NoSafelistedTotal bool

	// HeaderCheckOrder returns the names of the request's CORS-unsafe
	// headers in the order the engine checks them against
	// Access-Control-Allow-Headers, spelled as its console line names the
	// first one it refuses. nil means the names of UnsafeHeaderNames, in
	// that order.
	HeaderCheckOrder func(h Headers) []string

	// UploadPreflightNeedsBody reports that an XMLHttpRequest's upload
	// listeners force a preflight only when the request has a body (XHR
	// §4.5.6, send() step 11.3: the "upload listener flag" is set only when
	// the body is non-null). A GET, a HEAD, or a POST sent without a body
	// is not preflighted for its listeners.
	UploadPreflightNeedsBody bool

	// AllowOrigin is the engine's CORS check of a response (Fetch §4.9,
	// Access-Control-Allow-Origin and -Credentials), with the engine's own
	// classification of a failure: acao and acac are the header's lines as
	// the response carries them (nil when absent), origin the request's
	// origin as the engine compares it ("null" once a redirect has made it
	// opaque). It returns Passed, or the check that failed and the value
	// the console line quotes.
	AllowOrigin func(acao, acac []string, origin string, creds bool) (Check, string)

	// PreflightOrder is the order in which the engine judges a preflight's
	// response; the first step that fails decides the console line.
	PreflightOrder []PreflightStep

	// InvalidTokenValue returns what the console line quotes for an
	// Access-Control-Allow-Methods or -Headers value that is not a list of
	// tokens: its first invalid element (Firefox) or the whole value
	// (WebKit). nil: nothing (Chromium names no value).
	InvalidTokenValue func(value string) string

	// WildcardCoversAuthorization: Access-Control-Allow-Headers: * (for a
	// request without credentials) covers Authorization too, against the
	// Fetch standard (§4.8 step 10: a CORS non-wildcard request-header
	// name must be listed). AuthorizationWildcardWarning: the engine then
	// logs a warning (FirefoxAuthorizationWildcardWarning).
	WildcardCoversAuthorization  bool
	AuthorizationWildcardWarning bool

	// PreflightCacheSeconds returns how long the engine keeps a successful
	// preflight, from its Access-Control-Max-Age value (present reports
	// whether the header was there at all).
	PreflightCacheSeconds func(value string, present bool) int

	// RedirectCredentialsLocation returns the location that the console
	// line of RedirectContainsCredentials shows for a redirect to loc.
	// nil means loc itself.
	RedirectCredentialsLocation func(loc string) string

	// Console returns the lines the engine logs when it blocks a request
	// for f, in order; NetError, for an engine that reports some failures
	// as network errors rather than CORS errors, the error's name
	// (Chromium's net::ERR_…, without the prefix), "" for a CORS error.
	Console  func(f Failure) []string
	NetError func(f Failure) string

	// Redirects of the actual request (Fetch §4.4 "HTTP-redirect fetch").
	// A field left nil or false is the standard's rule.

	// FollowsRedirect reports whether the engine follows a response with
	// this status and a Location (fetch.IsRedirectStatus when nil).
	FollowsRedirect func(status int) bool
	// RedirectMethod returns the method of the request after a redirect
	// with status, whether the body goes, and whether the request-body
	// headers (Content-Type, …) go with it; crossOrigin: the redirect
	// leads to another origin than the request's (fetch.RedirectMethod
	// when nil, which drops the body and its headers together).
	RedirectMethod func(status int, method string, crossOrigin bool) (newMethod string, dropBody, dropBodyHeaders bool)
	// SchemeBeforeCORSCheck reports whether a redirect to a location of
	// this scheme (not http: or https:; "" for one that does not parse)
	// fails before the CORS check of the redirect response runs (Fetch
	// checks the response first: "HTTP fetch" step 4.4 comes before
	// "HTTP-redirect fetch"). nil: never.
	SchemeBeforeCORSCheck func(scheme string) bool
	// PreflightSticks: a request that needed a preflight as the script
	// made it is preflighted at every URL it reaches as a CORS request,
	// even where a redirect has made its method and headers simple, or it
	// was not preflighted before (it started on the page's origin).
	// PreflightRepeats: a request preflighted at one URL is preflighted
	// again at every URL it is redirected to. (Fetch decides afresh at
	// every URL from the request as it is then: "main fetch" step 12.)
	PreflightSticks, PreflightRepeats bool
	// PageOriginInRedirectPreflight: the preflight at a redirect's target
	// carries the page's origin where the request itself carries "null"
	// (Fetch: the preflight's Origin is the request's, tainted or not).
	PageOriginInRedirectPreflight bool
	// PreflightKeepsHeaders: the preflight at a redirect's target lists
	// the unsafe headers the request had before redirects removed any
	// (Authorization on a hop to another origin, Content-Type with the
	// body), though the request itself goes without them.
	PreflightKeepsHeaders bool
	// SameOriginCredentialsOnRedirect: a request that started on the
	// page's own origin in credentials mode "same-origin" has each of its
	// redirect responses checked a second time, as for credentials, after
	// the user:password check of the location: "*" and a missing
	// Access-Control-Allow-Credentials fail there (Fetch: the check uses
	// the request's credentials mode, which is not "include").
	SameOriginCredentialsOnRedirect bool
	// SameOriginRedirectCredentialsFail: a same-origin response
	// redirecting to a URL with user:password fails (Fetch refuses it
	// only for another origin, or once responses are CORS-checked).
	SameOriginRedirectCredentialsFail bool

	// Element loads. FontNoCORS: @font-face fetches a font in mode no-cors
	// with credentials, so no CORS check runs (CSS Fonts 4 §4.8.2 asks for
	// cors). ImportNoCORS: a module that import() loads from a classic
	// script or the page is fetched in mode no-cors with credentials
	// (HTML: a module script is always fetched in cors mode).
	// ScriptErrorsInFull: a classic script loaded without crossorigin
	// passes its errors to window.onerror in full (HTML mutes them:
	// "Script error.").
	FontNoCORS, ImportNoCORS, ScriptErrorsInFull bool
	// ModuleMIMELines returns the lines the engine logs when it refuses
	// to run the module at url whose response has the MIME type essence
	// (not a JavaScript one), whatever CORS said. The lines are a set:
	// an engine that logs them from different places does not promise
	// an order.
	ModuleMIMELines func(url, essence string) []string

	// DestinationAccept returns the Accept value the engine sends for a
	// request to dest that no script gave an Accept (an <img>, a
	// stylesheet, a font, a script; fetch() without one). nil means the
	// standard's suggestion (fetch.StandardAccept).
	DestinationAccept func(dest fetch.Destination) string
}

// Accept applies r.DestinationAccept, or the standard's value when r has
// none.
func (r Rules) Accept(dest fetch.Destination) string {
	if r.DestinationAccept == nil {
		return fetch.StandardAccept(dest)
	}
	return r.DestinationAccept(dest)
}

// Follows applies r.FollowsRedirect, or the standard's statuses.
func (r Rules) Follows(status int) bool {
	if r.FollowsRedirect == nil {
		return fetch.IsRedirectStatus(status)
	}
	return r.FollowsRedirect(status)
}

// Redirected applies r.RedirectMethod, or the standard's rule.
func (r Rules) Redirected(status int, method string, crossOrigin bool) (newMethod string, dropBody, dropBodyHeaders bool) {
	if r.RedirectMethod == nil {
		m, drop := fetch.RedirectMethod(status, method)
		return m, drop, drop
	}
	return r.RedirectMethod(status, method, crossOrigin)
}

// Lines applies r.Console.
func (r Rules) Lines(f Failure) []string { return r.Console(f) }

// NetErrorOf applies r.NetError: the network error f is, "" for a CORS
// error.
func (r Rules) NetErrorOf(f Failure) string {
	if r.NetError == nil {
		return ""
	}
	return r.NetError(f)
}

// IsSafelistedRequestHeader applies r.SafelistedRequestHeader, or the
// standard's list when r has none.
func (r Rules) IsSafelistedRequestHeader(name, value string) bool {
	if r.SafelistedRequestHeader == nil {
		return fetch.IsSafelistedRequestHeader(name, value)
	}
	return r.SafelistedRequestHeader(name, value)
}

// Headers are a request's headers as the engine holds them when it decides
// on a preflight.
type Headers struct {
	// Fields are the headers in the order the script set them (the value
	// of a repeated name combined), then the Content-Type the browser adds
	// to a body that has none, then the Accept: */* it adds when the
	// script set none (AddedAccept).
	Fields      []fetch.HeaderField
	AddedAccept bool
	// XHR: the request is an XMLHttpRequest (not fetch()); Secure: the page
	// is a secure context.
	XHR, Secure bool
}

// UnsafeHeaderNames returns the request's CORS-unsafe header names,
// lower-cased and sorted, which is also the value of
// Access-Control-Request-Headers: the standard's algorithm with the
// engine's safelist, and without the 1024-byte total in an engine that has
// none. Empty means the headers alone need no preflight.
func (r Rules) UnsafeHeaderNames(h Headers) []string {
	if !r.NoSafelistedTotal {
		return fetch.UnsafeRequestHeaderNames(h.Fields, r.IsSafelistedRequestHeader)
	}
	var unsafe []string
	for _, f := range h.Fields {
		if !r.IsSafelistedRequestHeader(f.Name, f.Value) {
			unsafe = append(unsafe, f.Name)
		}
	}
	return fetch.SortedLowercaseSet(unsafe)
}

// CheckOrder returns the request's unsafe header names in the order the
// engine checks them, as its console line spells them (see
// HeaderCheckOrder).
func (r Rules) CheckOrder(h Headers) []string {
	if r.HeaderCheckOrder == nil {
		return r.UnsafeHeaderNames(h)
	}
	return r.HeaderCheckOrder(h)
}

// A PreflightStep is one check of a preflight's response.
type PreflightStep int

const (
	// StepRedirect fails a preflight answered with a redirect.
	StepRedirect PreflightStep = iota + 1
	// StepAllowOrigin is the CORS check (Rules.AllowOrigin).
	StepAllowOrigin
	// StepStatus fails a status outside 200–299, redirects included.
	StepStatus
	// StepMethodsSyntax and StepHeadersSyntax fail an
	// Access-Control-Allow-Methods or -Headers that is not a list of
	// tokens.
	StepMethodsSyntax
	StepHeadersSyntax
	// StepMethod fails a method the answer does not allow; StepHeaders a
	// header.
	StepMethod
	StepHeaders
)

// A Check names what a blocked request failed, in terms the engines share;
// each engine classifies some failures its own way (Rules.AllowOrigin) and
// words them in its own console line (Rules.Console).
type Check int

const (
	// Passed: nothing failed.
	Passed Check = iota
	// The CORS check (Fetch §4.9).
	MissingAllowOrigin      // no Access-Control-Allow-Origin
	WildcardWithCredentials // "*" for a request with credentials
	MultipleAllowOrigin     // several values
	InvalidAllowOrigin      // a value that is not a URL (Chromium only)
	AllowOriginMismatch     // another origin
	AllowCredentialsNotTrue // Access-Control-Allow-Credentials is not "true"
	// The preflight (Fetch §4.8).
	PreflightStatus     // not 2xx
	PreflightRedirect   // a redirect
	InvalidAllowMethods // Access-Control-Allow-Methods is not a list of tokens
	InvalidAllowHeaders // Access-Control-Allow-Headers is not a list of tokens
	MethodNotAllowed
	HeaderNotAllowed
	// A redirect of the actual request to a URL with user:password.
	RedirectCredentials
	// A redirect whose location is not an http: or https: URL
	// (Failure.Scheme, Failure.Location), one whose location does not
	// parse, and the 21st redirect (Fetch §4.4 "HTTP-redirect fetch" steps
	// 3, 5 and 8).
	RedirectScheme
	RedirectInvalid
	TooManyRedirects
	// A fetch() in mode "same-origin" to another origin (Fetch §4.1 "main
	// fetch" step 12).
	ModeSameOrigin
	// Local Network Access (Chromium 142 and later), before anything is
	// sent to a URL in a more private address space than the page's
	// (Failure.AddressSpace): the user has not granted the permission, the
	// page is not a secure context and cannot ask for it, or fetch()'s
	// targetAddressSpace (Failure.DeclaredAddressSpace) is not the one the
	// URL is in. Chromium alone refuses requests for them.
	LocalNetworkPermissionDenied
	LocalNetworkInsecure
	LocalNetworkMismatch
)

// IsLocalNetwork reports whether c is a Local Network Access check.
func (c Check) IsLocalNetwork() bool {
	return c == LocalNetworkPermissionDenied || c == LocalNetworkInsecure || c == LocalNetworkMismatch
}

// A Failure is one blocked request, as an engine's console reports it.
type Failure struct {
	Check Check
	// Preflight: the failing response answered the preflight. Redirect:
	// it is a redirect of the actual request.
	Preflight, Redirect bool
	// Status is the failing response's status.
	Status int
	// Value is what the line quotes: the Access-Control-Allow-Origin
	// value, the method, the refused header as the engine names it, the
	// invalid token, the redirect's location with user:password.
	Value string
	// URL is the URL of the request whose response failed; Location, for
	// a redirect, where it points (resolved, as the engine prints it, or
	// as written when it does not parse), and Scheme its scheme;
	// InitialURL the URL the script asked for.
	URL, Location, Scheme, InitialURL string
	// Origin is the origin the engine compared Access-Control-Allow-Origin
	// with: the page's, or "null" after a redirect made it opaque; Page
	// is the page's own origin.
	Origin, Page string
	// XHR: the request is an XMLHttpRequest (not fetch()). Dest is the
	// destination of a resource an element loads (fetch.DestinationEmpty
	// for fetch() and XMLHttpRequest), Module that it is an ES module.
	XHR    bool
	Dest   fetch.Destination
	Module bool
	// SameOrigin: the failing redirect answered a request on the page's
	// own origin, which no CORS check had touched yet. NoCORS: the request
	// is in mode "no-cors".
	SameOrigin, NoCORS bool
	// Keepalive: the request is a fetch() with keepalive.
	Keepalive bool
	// WebSocket: the request is a WebSocket's opening handshake (new
	// WebSocket(URL)), URL its ws: or wss: URL.
	WebSocket bool
	// AddressSpace is the address space of URL's resource for a Local
	// Network Access failure ("public", "local", "loopback"), and
	// DeclaredAddressSpace the one fetch()'s targetAddressSpace declared.
	AddressSpace, DeclaredAddressSpace string
	// Started: the request started on the page's own origin, and no CORS
	// check ran on the response that failed before this one.
	StartedSameOrigin bool
	// AuthorizationWildcard: before failing, the preflight let
	// Authorization through only because of Access-Control-Allow-Headers:
	// * (see Rules.AuthorizationWildcardWarning).
	AuthorizationWildcard bool
}

// combined joins a header's lines with ", ", as Fetch's "get" does;
// present is false when there are none.
func combined(lines []string) (string, bool) {
	if len(lines) == 0 {
		return "", false
	}
	return strings.Join(lines, ", "), true
}

// firstInvalidToken returns the first element of the comma-separated list
// v that is not an HTTP token (elements trimmed of HTTP white space, empty
// ones skipped), "" if there is none.
func firstInvalidToken(v string) string {
	for _, e := range strings.Split(v, ",") {
		e = strings.Trim(e, " \t")
		if e != "" && !fetch.IsToken(e) {
			return e
		}
	}
	return ""
}
