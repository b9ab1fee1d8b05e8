package cors

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/corskit/cors/internal/acrh"
	"github.com/corskit/cors/internal/fetch"
	"github.com/corskit/cors/internal/origin"
	"golang.org/x/net/publicsuffix"
)

// compile validates c and builds the policy. Each field is validated,
// normalised and precomputed by a method of its own (origins, methods,
// requestHeaders, exposedHeaders, maxAge, preflightStatus), in the order
// of Config's fields, so that every problem is reported, in that order;
// the values derived from several fields are worked out last, once the
// whole policy is valid (precompute).
func compile(c Config) (*policy, error) {
	b := &builder{
		c: c,
		p: &policy{
			credentials: c.AllowCredentials,
			originFunc:  c.AllowOriginFunc,
			privateNet:  c.AllowPrivateNetwork,
			passthrough: c.PreflightPassthrough,
			onReject:    c.OnReject,
		},
		n: Config{
			AllowOriginFunc:                       c.AllowOriginFunc,
			AllowCredentials:                      c.AllowCredentials,
			MaxAge:                                c.MaxAge,
			AllowPrivateNetwork:                   c.AllowPrivateNetwork,
			PreflightPassthrough:                  c.PreflightPassthrough,
			OnReject:                              c.OnReject,
			DangerouslyAllowInsecureOrigins:       c.DangerouslyAllowInsecureOrigins,
			DangerouslyAllowPublicSuffixWildcards: c.DangerouslyAllowPublicSuffixWildcards,
			DangerouslyAllowNullOrigin:            c.DangerouslyAllowNullOrigin,
		},
	}
	b.origins()
	b.methods()
	b.requestHeaders()
	b.exposedHeaders()
	b.maxAge()
	b.preflightStatus()
	if len(b.errs) > 0 {
		return nil, errors.Join(b.errs...)
	}
	b.p.cfg = b.n
	b.p.precompute()
	return b.p, nil
}

// A builder compiles one Config.
type builder struct {
	c    Config  // as given
	n    Config  // normalised, for Middleware.Config
	p    *policy // being built
	errs []error
}

// notAnEntry is the Index of a ConfigError that is not about one entry of
// a list.
const notAnEntry = -1

// report records a problem with the field of Config named field: with its
// entry i (or notAnEntry), whose value is value. The message, built from
// format and args, names other Config fields by their Go names; its JSON
// form names them by their keys, and only the format is rewritten, never
// a value from the policy.
func (b *builder) report(field string, i int, value string, reason ConfigReason, format string, args ...any) {
	keys := jsonKeys()
	e := &ConfigError{
		Field:       field,
		Key:         keys.key[field],
		Index:       i,
		Value:       value,
		Reason:      reason,
		Message:     fmt.Sprintf(format, args...),
		jsonMessage: fmt.Sprintf(keys.inFormat.Replace(format), args...),
	}
	b.errs = append(b.errs, e)
}

// jsonKeys maps Config's Go field names to their JSON keys, read from the
// struct tags, so that ConfigError.Key and JSONMessage cannot drift from
// what encoding/json reads.
var jsonKeys = sync.OnceValue(func() (k struct {
	key      map[string]string
	inFormat *strings.Replacer
}) {
	k.key = map[string]string{}
	var pairs [][2]string
	t := reflect.TypeFor[Config]()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		k.key[f.Name] = name
		pairs = append(pairs, [2]string{f.Name, name})
	}
	// Longer names first, so that a name is never rewritten by a shorter
	// one it contains.
	slices.SortFunc(pairs, func(a, b [2]string) int { return len(b[0]) - len(a[0]) })
	var flat []string
	for _, p := range pairs {
		flat = append(flat, p[0], p[1])
	}
	k.inFormat = strings.NewReplacer(flat...)
	return k
})

// origins validates AllowedOrigins against AllowCredentials, the
// Dangerously… fields and AllowOriginFunc, and builds the origin set.
func (b *builder) origins() {
	const f = "AllowedOrigins"
	c, p := &b.c, b.p
	if len(c.AllowedOrigins) == 0 && c.AllowOriginFunc == nil {
		b.report(f, notAnEntry, "", MissingOrigins, `no origin is allowed: list origins such as "https://app.example.com", or "*" for any origin`)
	}
	var patterns []origin.Pattern
	for i, s := range c.AllowedOrigins {
		switch {
		case s == fetch.Wildcard:
			if c.AllowCredentials {
				b.report(f, i, s, WildcardOriginWithCredentials, `"*" cannot be used with AllowCredentials (browsers refuse it, and reflecting every origin with credentials lets any site act as your users): list the origins you trust`)
			}
			if len(c.AllowedOrigins) > 1 {
				b.report(f, i, s, WildcardOriginNotAlone, `"*" already allows every origin: remove the other entries, or remove "*"`)
			}
			if c.AllowOriginFunc != nil {
				b.report(f, i, s, WildcardOriginNotAlone, `with "*" AllowOriginFunc is never consulted: remove one of them`)
			}
			p.allOrigins = true
			appendUnique(&b.n.AllowedOrigins, s)
			continue
		case s == fetch.NullOrigin:
			if !c.DangerouslyAllowNullOrigin {
				b.report(f, i, s, NullOrigin, `any page can send "Origin: null" (a sandboxed iframe is enough), so allowing it allows everyone: remove it, or set DangerouslyAllowNullOrigin if you accept that`)
				continue
			}
			p.nullAllowed = true
			appendUnique(&b.n.AllowedOrigins, s)
			continue
		case strings.HasPrefix(strings.ToLower(s), "file:"):
			b.report(f, i, s, FileOrigin, `browsers send "Origin: null" for file: pages, never a file: origin: write "null" with DangerouslyAllowNullOrigin if you must, or serve the page over http://localhost`)
			continue
		}
		pat, err := origin.Parse(s)
		if err != nil {
			b.report(f, i, s, InvalidOrigin, "%v", err)
			continue
		}
		if c.AllowCredentials && !c.DangerouslyAllowInsecureOrigins && pat.Scheme == "http" && !fetch.IsLoopbackHost(pat.Host) {
			b.report(f, i, s, InsecureOriginWithCredentials, `plain-http origins can be impersonated by anyone on the network path, who would then ride your users' credentials: write "https://%s", or set DangerouslyAllowInsecureOrigins`, strings.TrimPrefix(s, "http://"))
		}
		if pat.Subdomains && c.AllowCredentials && !c.DangerouslyAllowPublicSuffixWildcards && isPublicSuffix(pat.Host) {
			b.report(f, i, s, PublicSuffixWildcardWithCredentials, `%q is a public suffix, where anyone can register a name: list your own domains (for example "%s://*.yourname.%s"), or set DangerouslyAllowPublicSuffixWildcards`, pat.Host, pat.Scheme, pat.Host)
		}
		patterns = append(patterns, pat)
		appendUnique(&b.n.AllowedOrigins, pat.String())
	}
	p.origins = origin.NewSet(patterns)
	p.otherOrigins = p.nullAllowed || p.originFunc != nil
}

// methods validates AllowedMethods, normalises them as browsers do
// (Fetch "normalize a method") and precomputes
// Access-Control-Allow-Methods.
func (b *builder) methods() {
	const f = "AllowedMethods"
	c, p := &b.c, b.p
	for i, m := range c.AllowedMethods {
		switch {
		case m == fetch.Wildcard:
			p.anyMethod = true
		case !fetch.IsToken(m):
			b.report(f, i, m, InvalidMethod, "not a valid method name (RFC 9110 token): write names such as %q or %q", "PUT", "DELETE")
			continue
		case fetch.IsForbiddenMethod(m):
			b.report(f, i, m, ForbiddenMethod, "browsers never send CONNECT, TRACE or TRACK (Fetch forbids them): remove it")
			continue
		}
		nm := fetch.NormalizeMethod(m)
		if fetch.IsSafelistedMethod(nm) {
			continue // always allowed; Access-Control-Allow-Methods need not list it
		}
		appendUnique(&b.n.AllowedMethods, nm)
	}
	switch {
	case p.anyMethod:
		b.n.AllowedMethods = []string{fetch.Wildcard}
		if !c.AllowCredentials {
			p.acam = fetch.Wildcard
		} // with credentials "*" is literal, so the request's method is echoed
	case len(b.n.AllowedMethods) > 0:
		p.methods = b.n.AllowedMethods
		p.acam = strings.Join(b.n.AllowedMethods, ",")
	}
}

// headerName reports whether the entry i of field, h, is an HTTP token,
// reporting it if not: the check every header-name field starts with.
func (b *builder) headerName(field string, i int, h string) bool {
	if fetch.IsToken(h) {
		return true
	}
	b.report(field, i, h, InvalidHeaderName, "not a valid header name (RFC 9110 token): write names such as %q", "X-Request-Id")
	return false
}

// requestHeaders validates AllowedHeaders, normalises them (lower case,
// sorted, no duplicates), builds their matcher and precomputes
// Access-Control-Allow-Headers.
func (b *builder) requestHeaders() {
	const f = "AllowedHeaders"
	c, p := &b.c, b.p
	anyHeader := false
	for i, h := range c.AllowedHeaders {
		switch {
		case h == fetch.Wildcard:
			anyHeader = true
			continue
		case !b.headerName(f, i, h):
			continue
		case fetch.IsForbiddenRequestHeader(h):
			b.report(f, i, h, ForbiddenHeaderName, "browsers never let scripts set this header (Fetch: forbidden request-header), so it never needs allowing: remove it")
			continue
		case fetch.IsCORSResponseHeader(h):
			b.report(f, i, h, ResponseHeaderAsRequestHeader, "this is a response header that the middleware sends, not a request header a page sends: remove it (to let pages read a response header, use ExposedHeaders)")
			continue
		}
		appendUnique(&b.n.AllowedHeaders, strings.ToLower(h))
	}
	if !anyHeader && len(b.n.AllowedHeaders) > acrh.MaxElements {
		// A preflight naming more than acrh.MaxElements headers is refused
		// as malformed, so a longer list could not all be requested at once.
		b.report(f, notAnEntry, "", TooManyHeaders, "%d names, but a preflight may request at most %d (longer lists are refused to bound the work a request can cause): list at most %d, the headers your pages really send", len(b.n.AllowedHeaders), acrh.MaxElements, acrh.MaxElements)
	}
	slices.Sort(b.n.AllowedHeaders)
	p.headers = acrh.NewMatcher(b.n.AllowedHeaders, anyHeader, c.AllowCredentials)
	p.anyHeaders = anyHeader
	switch {
	case anyHeader && c.AllowCredentials:
		b.n.AllowedHeaders = []string{fetch.Wildcard}
		p.acah = "" // reflected
	case anyHeader:
		auth := slices.Contains(b.n.AllowedHeaders, "authorization")
		b.n.AllowedHeaders = []string{fetch.Wildcard}
		p.acah = fetch.Wildcard
		if auth {
			b.n.AllowedHeaders = append(b.n.AllowedHeaders, "authorization")
			p.acah = "*,authorization"
		}
	default:
		p.acah = strings.Join(b.n.AllowedHeaders, ",")
	}
}

// exposedHeaders validates ExposedHeaders, normalises them (lower case,
// sorted, no duplicates, no safelisted names) and precomputes
// Access-Control-Expose-Headers.
func (b *builder) exposedHeaders() {
	const f = "ExposedHeaders"
	c := &b.c
	for i, h := range c.ExposedHeaders {
		switch {
		case h == fetch.Wildcard:
			if c.AllowCredentials {
				b.report(f, i, h, WildcardExposeWithCredentials, `with AllowCredentials browsers read "*" literally and expose nothing: list the headers by name`)
				continue
			}
		case !b.headerName(f, i, h):
			continue
		case fetch.IsForbiddenResponseHeader(h):
			b.report(f, i, h, ForbiddenHeaderName, "browsers never let scripts read Set-Cookie, whatever the server says: remove it")
			continue
		case fetch.IsSafelistedResponseHeader(h):
			continue // always readable
		}
		appendUnique(&b.n.ExposedHeaders, strings.ToLower(h))
	}
	if slices.Contains(b.n.ExposedHeaders, fetch.Wildcard) {
		b.n.ExposedHeaders = []string{fetch.Wildcard}
	}
	slices.Sort(b.n.ExposedHeaders)
	b.p.aceh = strings.Join(b.n.ExposedHeaders, ",")
}

// maxAge validates MaxAge and precomputes Access-Control-Max-Age.
func (b *builder) maxAge() {
	switch a := b.c.MaxAge; {
	case a > maxMaxAge:
		b.report("MaxAge", notAnEntry, strconv.Itoa(a), MaxAgeTooLarge, "above 86400 seconds (24 h), more than any browser honours (Chromium caps at 7200, Safari at 600): write at most 86400")
	case a < 0:
		b.p.maxAge = "0"
	case a > 0:
		b.p.maxAge = strconv.Itoa(a)
	}
}

// preflightStatus validates PreflightStatus, 0 meaning 204.
func (b *builder) preflightStatus() {
	s := b.c.PreflightStatus
	switch {
	case s == 0:
		s = http.StatusNoContent
	case !fetch.IsOKStatus(s):
		b.report("PreflightStatus", notAnEntry, strconv.Itoa(s), InvalidPreflightStatus, "browsers fail every preflight whose status is not 2xx: write 204 (the default, also 0) or 200")
	}
	b.p.status = s
	b.n.PreflightStatus = s
}

// precompute works out what the request path needs from several fields of
// a valid policy: the Vary of a successful preflight, the number of header
// values each kind of response may carry (so one backing array can hold
// them all), and the precomputed answers to successful preflights.
func (p *policy) precompute() {
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
