package cors

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/corskit/cors/internal/acrh"
	"github.com/corskit/cors/internal/engine"
	"github.com/corskit/cors/internal/origin"
)

// Config is a CORS policy. The zero value allows nothing; New validates a
// Config and reports every problem in it at once.
//
// A Config round-trips through encoding/json with camelCase keys
// (allowedOrigins, allowCredentials, maxAge, …), so a policy can live in a
// file. The two function fields are skipped.
type Config struct {
	// AllowedOrigins lists the origins whose pages may read responses. Each
	// entry is one of:
	//
	//	https://example.com      that origin exactly
	//	https://*.example.com    any subdomain, one or more labels deep, never example.com itself
	//	http://localhost:*       any port (or none)
	//	https://*.example.com:*  both
	//	*                        any origin (only without AllowCredentials)
	//	null                     the opaque origin (only with DangerouslyAllowNullOrigin)
	//
	// An origin is written as browsers send it: lower case, no path or
	// trailing slash, no default port, punycode for internationalised names.
	// Matching is byte-exact, never by substring.
	AllowedOrigins []string `json:"allowedOrigins,omitempty"`

	// AllowOriginFunc, if set, is consulted for origins that no pattern of
	// AllowedOrigins matches. It sees the request, so it can decide per
	// tenant or per path. Responses then always carry "Vary: Origin". It must
	// be safe for concurrent use and should be fast: it runs on every CORS
	// request from an origin not in AllowedOrigins.
	AllowOriginFunc func(r *http.Request, origin string) bool `json:"-"`

	// AllowedMethods lists the methods beyond GET, HEAD and POST (which are
	// always allowed) that a page may use. "*" allows any method. Names are
	// compared byte for byte after the browser's normalisation: DELETE, GET,
	// HEAD, OPTIONS, POST and PUT are upper-cased by the browser (and here),
	// every other method keeps its case, so a page calling
	// fetch(u, {method: "patch"}) needs "patch" here, not "PATCH".
	AllowedMethods []string `json:"allowedMethods,omitempty"`

	// AllowedHeaders lists the request headers a page may send, compared
	// without regard to case. "*" allows any header except Authorization,
	// which must be listed by name (Fetch: "*" never covers it); with
	// AllowCredentials, "*" covers Authorization too.
	AllowedHeaders []string `json:"allowedHeaders,omitempty"`

	// ExposedHeaders lists the response headers a page may read beyond the
	// safelisted ones (Cache-Control, Content-Language, Content-Length,
	// Content-Type, Expires, Last-Modified, Pragma). "*" exposes all of them,
	// and is refused with AllowCredentials, where browsers read it literally.
	ExposedHeaders []string `json:"exposedHeaders,omitempty"`

	// AllowCredentials lets pages send cookies, TLS client certificates and
	// HTTP authentication, and read the answers. A bearer token in an
	// Authorization header is not a credential in this sense: it only needs
	// "Authorization" in AllowedHeaders.
	AllowCredentials bool `json:"allowCredentials,omitempty"`

	// MaxAge is how many seconds a browser may cache a successful preflight.
	// 0 omits the header (browsers then cache for 5 seconds); a negative value
	// sends 0 (no caching). At most 86400; Chromium caps it at 7200 and
	// Safari at 600.
	MaxAge int `json:"maxAge,omitempty"`

	// AllowPrivateNetwork answers a legacy Private Network Access preflight
	// ("Access-Control-Request-Private-Network: true") with
	// "Access-Control-Allow-Private-Network: true" (and varies preflights on
	// that request header). Without it such a preflight is refused
	// (PrivateNetworkNotAllowed). Only Chromium-based browsers (Chrome,
	// Edge, Opera…) from version 104 to 141 send that header, when a page
	// on a public site calls a private or loopback address; Firefox and
	// Safari never have.
	//
	// It does not help with Chromium 142 and later, which replaced Private
	// Network Access with Local Network Access: such a call now needs the
	// user's permission, which only a secure (https) page can ask for, and
	// no server header grants it. The browser refuses the call before any
	// CORS check, whatever this field says, and its console says that
	// permission to access the loopback or local address space was denied.
	// corscheck explain recognises such a call and says what the page or
	// the user must do.
	AllowPrivateNetwork bool `json:"allowPrivateNetwork,omitempty"`

	// PreflightStatus is the status of a successful preflight: any 2xx.
	// 0 means 204 No Content; use 200 for old clients (some smart TVs,
	// Internet Explorer) that treat 204 as a failure.
	PreflightStatus int `json:"preflightStatus,omitempty"`

	// PreflightPassthrough calls the next handler after a successful
	// preflight, with the CORS headers already set, instead of answering it
	// (Express's preflightContinue). The next handler then writes the status
	// and must answer with a 2xx for the preflight to succeed.
	PreflightPassthrough bool `json:"preflightPassthrough,omitempty"`

	// OnReject, if set, is called for every CORS request the policy rejects,
	// with the reason. It runs on the request's goroutine before the
	// response is written, so it must be quick. See LogRejections for a
	// log/slog adapter. A nil OnReject costs nothing.
	OnReject func(r *http.Request, reason Reason) `json:"-"`

	// DangerouslyAllowInsecureOrigins allows plain-http origins (other than
	// loopback ones) together with AllowCredentials. Anyone on the network
	// path can impersonate such an origin and ride the user's credentials.
	DangerouslyAllowInsecureOrigins bool `json:"dangerouslyAllowInsecureOrigins,omitempty"`

	// DangerouslyAllowPublicSuffixWildcards allows "*." patterns directly
	// under a public suffix (https://*.com, https://*.github.io) together
	// with AllowCredentials. Anyone can register a name there.
	DangerouslyAllowPublicSuffixWildcards bool `json:"dangerouslyAllowPublicSuffixWildcards,omitempty"`

	// DangerouslyAllowNullOrigin allows "null" in AllowedOrigins. Any page
	// can send "Origin: null" (a sandboxed iframe is enough), so allowing it
	// is allowing everyone.
	DangerouslyAllowNullOrigin bool `json:"dangerouslyAllowNullOrigin,omitempty"`
}

// maxMaxAge is the largest MaxAge accepted: Firefox's cap, the highest of
// any browser.
const maxMaxAge = engine.FirefoxMaxAge

// A ConfigError is one problem in a Config. New and Reconfigure return all
// problems at once, joined with errors.Join; use errors.As to get the first
// one, or ConfigErrors to get them all.
//
// Field, Key and Index locate the problem for a program that reports it
// against its own source of the policy, such as a JSON file
// ("allowedOrigins[2]"), without parsing Message.
type ConfigError struct {
	Field string // the Config field, e.g. "AllowedOrigins"
	// Key is the field's key in Config's JSON form, e.g. "allowedOrigins";
	// "" for a field that has none (AllowOriginFunc).
	Key string
	// Index is the position of the offending entry in the field's list
	// (AllowedOrigins, AllowedMethods, AllowedHeaders, ExposedHeaders) as
	// written, duplicates included; -1 when the problem is not one entry's
	// (a missing or too long list, a number).
	Index  int
	Value  string // the offending value, as written
	Reason ConfigReason
	// Message explains the problem and, where possible, what to write
	// instead. It names other fields by their Go names (AllowCredentials);
	// JSONMessage names them by their JSON keys.
	Message string

	jsonMessage string
}

// JSONMessage is Message with the Config fields it names written as their
// JSON keys (allowCredentials, dangerouslyAllowNullOrigin), for a policy
// that was written as JSON.
func (e *ConfigError) JSONMessage() string {
	if e.jsonMessage == "" {
		return e.Message
	}
	return e.jsonMessage
}

func (e *ConfigError) Error() string {
	if e.Value == "" {
		return "cors: " + e.Field + ": " + e.Message
	}
	return "cors: " + e.Field + " " + strconv.Quote(e.Value) + ": " + e.Message
}

// ConfigErrors returns every *ConfigError in err, in the order the fields
// were checked.
func ConfigErrors(err error) []*ConfigError {
	var out []*ConfigError
	var walk func(error)
	walk = func(err error) {
		if ce, ok := err.(*ConfigError); ok {
			out = append(out, ce)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		} else if e := errors.Unwrap(err); e != nil {
			walk(e)
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}

// ConfigReason classifies a ConfigError.
type ConfigReason string

// The reasons a Config is refused.
const (
	// MissingOrigins: neither AllowedOrigins nor AllowOriginFunc is set.
	MissingOrigins ConfigReason = "missing-origins"
	// InvalidOrigin: a pattern is not an origin as browsers send it (path,
	// trailing slash, query, fragment, userinfo, upper case, default port,
	// bad port, bad host, misplaced "*").
	InvalidOrigin ConfigReason = "invalid-origin"
	// WildcardOriginWithCredentials: "*" with AllowCredentials.
	WildcardOriginWithCredentials ConfigReason = "wildcard-origin-with-credentials"
	// WildcardOriginNotAlone: "*" together with other patterns or with
	// AllowOriginFunc, which would never be consulted.
	WildcardOriginNotAlone ConfigReason = "wildcard-origin-not-alone"
	// NullOrigin: "null" without DangerouslyAllowNullOrigin.
	NullOrigin ConfigReason = "null-origin"
	// FileOrigin: a file: origin; browsers send "null" for file: pages.
	FileOrigin ConfigReason = "file-origin"
	// InsecureOriginWithCredentials: a plain-http, non-loopback origin with
	// AllowCredentials, without DangerouslyAllowInsecureOrigins.
	InsecureOriginWithCredentials ConfigReason = "insecure-origin-with-credentials"
	// PublicSuffixWildcardWithCredentials: "*." under a public suffix with
	// AllowCredentials, without DangerouslyAllowPublicSuffixWildcards.
	PublicSuffixWildcardWithCredentials ConfigReason = "public-suffix-wildcard-with-credentials"
	// InvalidMethod: a method that is not an HTTP token.
	InvalidMethod ConfigReason = "invalid-method"
	// ForbiddenMethod: CONNECT, TRACE or TRACK, which browsers never send.
	ForbiddenMethod ConfigReason = "forbidden-method"
	// InvalidHeaderName: a header name that is not an HTTP token.
	InvalidHeaderName ConfigReason = "invalid-header-name"
	// ForbiddenHeaderName: a request header scripts may not set (Cookie,
	// Host, Sec-…), or a response header that is never exposed (Set-Cookie).
	ForbiddenHeaderName ConfigReason = "forbidden-header-name"
	// ResponseHeaderAsRequestHeader: an Access-Control-Allow-… response
	// header listed in AllowedHeaders.
	ResponseHeaderAsRequestHeader ConfigReason = "response-header-as-request-header"
	// TooManyHeaders: AllowedHeaders names more headers than one preflight
	// may request (64).
	TooManyHeaders ConfigReason = "too-many-headers"
	// WildcardExposeWithCredentials: "*" in ExposedHeaders with
	// AllowCredentials.
	WildcardExposeWithCredentials ConfigReason = "wildcard-expose-with-credentials"
	// MaxAgeTooLarge: MaxAge above 86400.
	MaxAgeTooLarge ConfigReason = "max-age-too-large"
	// InvalidPreflightStatus: PreflightStatus outside 200–299.
	InvalidPreflightStatus ConfigReason = "invalid-preflight-status"
)

// policy is a validated Config compiled for the request path. It is
// immutable once built.
type policy struct {
	cfg Config // normalised, returned by Middleware.Config

	allOrigins  bool // "*": answer ACAO "*" and never vary on Origin
	nullAllowed bool
	origins     *origin.Set
	originFunc  func(*http.Request, string) bool
	// otherOrigins: the null origin or an AllowOriginFunc may allow an
	// origin that no pattern matches.
	otherOrigins bool

	credentials bool
	anyMethod   bool
	methods     []string // normalised, non-safelisted; compared in turn, as there are few
	acam        string   // precomputed Access-Control-Allow-Methods value
	headers     *acrh.Matcher
	anyHeaders  bool
	acah        string // precomputed Access-Control-Allow-Headers, "" to reflect
	aceh        string // Access-Control-Expose-Headers value, or ""
	maxAge      string // Access-Control-Max-Age value, or ""
	privateNet  bool
	status      int
	passthrough bool
	onReject    func(*http.Request, Reason)

	// Number of header values a response may carry, so one backing array
	// can hold them all.
	actualSlots, preflightSlots, starSlots int

	// The Vary value of a successful preflight.
	varyPreflight string

	// The answers to successful preflights, by answerIndex; nil for the
	// kinds preflightHeaders must answer itself.
	answers [8]*answer
}
