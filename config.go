package cors

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corskit/cors/internal/acrh"
	"github.com/corskit/cors/internal/engine"
	"github.com/corskit/cors/internal/fetch"
	"github.com/corskit/cors/internal/origin"
	"golang.org/x/net/publicsuffix"
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

	// AllowPrivateNetwork answers the legacy Private Network Access
	// preflights of Chrome 104 to 141 ("Access-Control-Request-Private-Network:
	// true") with "Access-Control-Allow-Private-Network: true". Without it
	// such preflights are rejected. Newer Chrome asks the user instead and
	// needs nothing from the server.
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
type ConfigError struct {
	Field  string // the Config field, e.g. "AllowedOrigins"
	Value  string // the offending value, as written
	Reason ConfigReason
	// Message explains the problem and, where possible, what to write
	// instead.
	Message string
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

// compile validates c and builds the policy. All problems are returned
// together.
func compile(c Config) (*policy, error) {
	var errs []error
	report := func(field, value string, reason ConfigReason, format string, args ...any) {
		errs = append(errs, &ConfigError{Field: field, Value: value, Reason: reason, Message: fmt.Sprintf(format, args...)})
	}
	p := &policy{
		credentials: c.AllowCredentials,
		originFunc:  c.AllowOriginFunc,
		privateNet:  c.AllowPrivateNetwork,
		passthrough: c.PreflightPassthrough,
		onReject:    c.OnReject,
	}
	n := Config{
		AllowOriginFunc:                       c.AllowOriginFunc,
		AllowCredentials:                      c.AllowCredentials,
		MaxAge:                                c.MaxAge,
		AllowPrivateNetwork:                   c.AllowPrivateNetwork,
		PreflightPassthrough:                  c.PreflightPassthrough,
		OnReject:                              c.OnReject,
		DangerouslyAllowInsecureOrigins:       c.DangerouslyAllowInsecureOrigins,
		DangerouslyAllowPublicSuffixWildcards: c.DangerouslyAllowPublicSuffixWildcards,
		DangerouslyAllowNullOrigin:            c.DangerouslyAllowNullOrigin,
	}

	// Origins.
	const fo = "AllowedOrigins"
	if len(c.AllowedOrigins) == 0 && c.AllowOriginFunc == nil {
		report(fo, "", MissingOrigins, `no origin is allowed: list origins such as "https://app.example.com", or "*" for any origin`)
	}
	var patterns []origin.Pattern
	for _, s := range c.AllowedOrigins {
		switch {
		case s == fetch.Wildcard:
			if c.AllowCredentials {
				report(fo, s, WildcardOriginWithCredentials, `"*" cannot be used with AllowCredentials (browsers refuse it, and reflecting every origin with credentials lets any site act as your users): list the origins you trust`)
			}
			if len(c.AllowedOrigins) > 1 {
				report(fo, s, WildcardOriginNotAlone, `"*" already allows every origin: remove the other entries, or remove "*"`)
			}
			if c.AllowOriginFunc != nil {
				report(fo, s, WildcardOriginNotAlone, `with "*" AllowOriginFunc is never consulted: remove one of them`)
			}
			p.allOrigins = true
			appendUnique(&n.AllowedOrigins, s)
			continue
		case s == fetch.NullOrigin:
			if !c.DangerouslyAllowNullOrigin {
				report(fo, s, NullOrigin, `any page can send "Origin: null" (a sandboxed iframe is enough), so allowing it allows everyone: remove it, or set DangerouslyAllowNullOrigin if you accept that`)
				continue
			}
			p.nullAllowed = true
			appendUnique(&n.AllowedOrigins, s)
			continue
		case strings.HasPrefix(strings.ToLower(s), "file:"):
			report(fo, s, FileOrigin, `browsers send "Origin: null" for file: pages, never a file: origin: write "null" with DangerouslyAllowNullOrigin if you must, or serve the page over http://localhost`)
			continue
		}
		pat, err := origin.Parse(s)
		if err != nil {
			report(fo, s, InvalidOrigin, "%v", err)
			continue
		}
		if c.AllowCredentials && !c.DangerouslyAllowInsecureOrigins && pat.Scheme == "http" && !fetch.IsLoopbackHost(pat.Host) {
			report(fo, s, InsecureOriginWithCredentials, `plain-http origins can be impersonated by anyone on the network path, who would then ride your users' credentials: write "https://%s", or set DangerouslyAllowInsecureOrigins`, strings.TrimPrefix(s, "http://"))
		}
		if pat.Subdomains && c.AllowCredentials && !c.DangerouslyAllowPublicSuffixWildcards && isPublicSuffix(pat.Host) {
			report(fo, s, PublicSuffixWildcardWithCredentials, `%q is a public suffix, where anyone can register a name: list your own domains (for example "%s://*.yourname.%s"), or set DangerouslyAllowPublicSuffixWildcards`, pat.Host, pat.Scheme, pat.Host)
		}
		patterns = append(patterns, pat)
		appendUnique(&n.AllowedOrigins, pat.String())
	}
	p.origins = origin.NewSet(patterns)
	p.otherOrigins = p.nullAllowed || p.originFunc != nil

	// Methods.
	const fm = "AllowedMethods"
	for _, m := range c.AllowedMethods {
		switch {
		case m == fetch.Wildcard:
			p.anyMethod = true
		case !fetch.IsToken(m):
			report(fm, m, InvalidMethod, "not a valid method name (RFC 9110 token): write names such as %q or %q", "PUT", "DELETE")
			continue
		case fetch.IsForbiddenMethod(m):
			report(fm, m, ForbiddenMethod, "browsers never send CONNECT, TRACE or TRACK (Fetch forbids them): remove it")
			continue
		}
		nm := fetch.NormalizeMethod(m)
		if fetch.IsSafelistedMethod(nm) {
			continue // always allowed; Access-Control-Allow-Methods need not list it
		}
		appendUnique(&n.AllowedMethods, nm)
	}
	if p.anyMethod {
		n.AllowedMethods = []string{fetch.Wildcard}
		if !c.AllowCredentials {
			p.acam = fetch.Wildcard
		} // with credentials "*" is literal, so the request's method is echoed
	} else if len(n.AllowedMethods) > 0 {
		p.methods = n.AllowedMethods
		p.acam = strings.Join(n.AllowedMethods, ",")
	}

	// Request headers.
	const fh = "AllowedHeaders"
	anyHeader := false
	for _, h := range c.AllowedHeaders {
		switch {
		case h == fetch.Wildcard:
			anyHeader = true
			continue
		case !fetch.IsToken(h):
			report(fh, h, InvalidHeaderName, "not a valid header name (RFC 9110 token): write names such as %q", "X-Request-Id")
			continue
		case fetch.IsForbiddenRequestHeader(h):
			report(fh, h, ForbiddenHeaderName, "browsers never let scripts set this header (Fetch: forbidden request-header), so it never needs allowing: remove it")
			continue
		case fetch.IsCORSResponseHeader(h):
			report(fh, h, ResponseHeaderAsRequestHeader, "this is a response header that the middleware sends, not a request header a page sends: remove it (to let pages read a response header, use ExposedHeaders)")
			continue
		}
		appendUnique(&n.AllowedHeaders, strings.ToLower(h))
	}
	if !anyHeader && len(n.AllowedHeaders) > acrh.MaxElements {
		// A preflight naming more than acrh.MaxElements headers is refused
		// as malformed, so a longer list could not all be requested at once.
		report(fh, "", TooManyHeaders, "%d names, but a preflight may request at most %d (longer lists are refused to bound the work a request can cause): list at most %d, the headers your pages really send", len(n.AllowedHeaders), acrh.MaxElements, acrh.MaxElements)
	}
	slices.Sort(n.AllowedHeaders)
	p.headers = acrh.NewMatcher(n.AllowedHeaders, anyHeader, c.AllowCredentials)
	p.anyHeaders = anyHeader
	switch {
	case anyHeader && c.AllowCredentials:
		n.AllowedHeaders = []string{fetch.Wildcard}
		p.acah = "" // reflected
	case anyHeader:
		auth := slices.Contains(n.AllowedHeaders, "authorization")
		n.AllowedHeaders = []string{fetch.Wildcard}
		p.acah = fetch.Wildcard
		if auth {
			n.AllowedHeaders = append(n.AllowedHeaders, "authorization")
			p.acah = "*,authorization"
		}
	default:
		p.acah = strings.Join(n.AllowedHeaders, ",")
	}

	// Exposed headers.
	const fe = "ExposedHeaders"
	for _, h := range c.ExposedHeaders {
		switch {
		case h == fetch.Wildcard:
			if c.AllowCredentials {
				report(fe, h, WildcardExposeWithCredentials, `with AllowCredentials browsers read "*" literally and expose nothing: list the headers by name`)
				continue
			}
		case !fetch.IsToken(h):
			report(fe, h, InvalidHeaderName, "not a valid header name (RFC 9110 token): write names such as %q", "X-Request-Id")
			continue
		case fetch.IsForbiddenResponseHeader(h):
			report(fe, h, ForbiddenHeaderName, "browsers never let scripts read Set-Cookie, whatever the server says: remove it")
			continue
		case fetch.IsSafelistedResponseHeader(h):
			continue // always readable
		}
		appendUnique(&n.ExposedHeaders, strings.ToLower(h))
	}
	if slices.Contains(n.ExposedHeaders, fetch.Wildcard) {
		n.ExposedHeaders = []string{fetch.Wildcard}
	}
	slices.Sort(n.ExposedHeaders)
	p.aceh = strings.Join(n.ExposedHeaders, ",")

	// Numbers.
	switch {
	case c.MaxAge > maxMaxAge:
		report("MaxAge", strconv.Itoa(c.MaxAge), MaxAgeTooLarge, "above 86400 seconds (24 h), more than any browser honours (Chromium caps at 7200, Safari at 600): write at most 86400")
	case c.MaxAge < 0:
		p.maxAge = "0"
	case c.MaxAge > 0:
		p.maxAge = strconv.Itoa(c.MaxAge)
	}
	p.status = c.PreflightStatus
	if p.status == 0 {
		p.status = http.StatusNoContent
	} else if !fetch.IsOKStatus(p.status) {
		report("PreflightStatus", strconv.Itoa(c.PreflightStatus), InvalidPreflightStatus, "browsers fail every preflight whose status is not 2xx: write 204 (the default, also 0) or 200")
	}
	n.PreflightStatus = p.status

	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	p.cfg = n
	switch {
	case p.allOrigins && p.privateNet:
		p.varyPreflight = varyRequestPN
	case p.allOrigins:
		p.varyPreflight = varyRequest
	case p.privateNet:
		p.varyPreflight = varyOrigin + ", " + varyRequestPN
	default:
		p.varyPreflight = varyOrigin + ", " + varyRequest
	}
	// For a static "*": ACAO, and ACEH when configured.
	p.starSlots = 1 + btoi(p.aceh != "")
	// ACAO and Vary always; ACAC and ACEH when configured.
	p.actualSlots = 2 + btoi(p.credentials) + btoi(p.aceh != "")
	// ACAO, ACAM, ACAH and Vary at most; ACAC, ACMA, ACAPN when configured.
	p.preflightSlots = 4 + btoi(p.credentials) + btoi(p.maxAge != "") + btoi(p.privateNet)
	p.makeAnswers()
	return p, nil
}

// isPublicSuffix reports whether domain is a public suffix, on the ICANN or
// the private part of the Public Suffix List (com, co.uk, github.io). Names
// under localhost are not, although the list's default rule would say so:
// they are loopback names that no one else can register (RFC 6761 §6.3).
func isPublicSuffix(domain string) bool {
	if fetch.IsLoopbackHost(domain) {
		return false
	}
	d := strings.TrimSuffix(domain, ".")
	ps, _ := publicsuffix.PublicSuffix(d)
	return ps == d
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func appendUnique(s *[]string, v string) {
	if !slices.Contains(*s, v) {
		*s = append(*s, v)
	}
}
