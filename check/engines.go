package check

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/corskit/cors/internal/engine"
	"github.com/corskit/cors/internal/fetch"
)

// Browser names the browser whose behaviour Explain reproduces. The three
// engines differ where it matters to a blocked request: the words of the
// console line (Firefox adds a second line after a failed preflight, Safari
// one after every failure), the order in which a preflight's answer is
// judged, which request headers need a preflight, which refused header the
// line names, how Access-Control-Max-Age is read and capped. Explain
// models each one from its own source; see package internal/engine.
type Browser string

const (
	// Chromium is Chromium and the browsers built on it (Chrome, Edge,
	// Opera, Brave): the default.
	Chromium Browser = "chromium"
	// Firefox is Firefox (Gecko).
	Firefox Browser = "firefox"
	// Safari is Safari and every WebKit browser (Epiphany, WebKitGTK and
	// WPE applications, every iOS browser).
	Safari Browser = "safari"
	// AllBrowsers asks Explain for every browser above at once: the
	// Result is Chromium's, and Result.Browsers holds each browser's.
	AllBrowsers Browser = "all"
)

// Browsers returns the browsers Explain models, in the order AllBrowsers
// reports them: Chromium, Firefox, Safari.
func Browsers() []Browser { return []Browser{Chromium, Firefox, Safari} }

// ParseBrowser reads a browser's name as a user writes it: chromium (or
// chrome, edge), firefox, safari (or webkit), all; "" is Chromium. Case is
// ignored.
func ParseBrowser(s string) (Browser, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "chromium", "chrome", "edge":
		return Chromium, nil
	case "firefox":
		return Firefox, nil
	case "safari", "webkit":
		return Safari, nil
	case "all":
		return AllBrowsers, nil
	}
	return "", fmt.Errorf("%q is not a browser corscheck models: write chromium, firefox, safari or all", s)
}

// rules returns b's rules (package internal/engine).
func (b Browser) rules() *engine.Rules {
	switch b {
	case Firefox:
		return &engine.Firefox
	case Safari:
		return &engine.WebKit
	}
	return &engine.Chromium
}

// checkErrors names each engine.Check as the CorsError Explain reports
// for it on an actual response; preflightVariant gives the preflight's.
var checkErrors = map[engine.Check]CorsError{
	engine.MissingAllowOrigin:      MissingAllowOriginHeader,
	engine.WildcardWithCredentials: WildcardOriginNotAllowed,
	engine.MultipleAllowOrigin:     MultipleAllowOriginValues,
	engine.InvalidAllowOrigin:      InvalidAllowOriginValue,
	engine.AllowOriginMismatch:     AllowOriginMismatch,
	engine.AllowCredentialsNotTrue: InvalidAllowCredentials,
	engine.PreflightStatus:         PreflightInvalidStatus,
	engine.PreflightRedirect:       PreflightDisallowedRedirect,
	engine.InvalidAllowMethods:     InvalidAllowMethodsPreflightResponse,
	engine.InvalidAllowHeaders:     InvalidAllowHeadersPreflightResponse,
	engine.MethodNotAllowed:        MethodDisallowedByPreflightResponse,
	engine.HeaderNotAllowed:        HeaderDisallowedByPreflightResponse,
	engine.RedirectCredentials:     RedirectContainsCredentials,

	engine.LocalNetworkPermissionDenied: LocalNetworkAccessPermissionDenied,
	engine.LocalNetworkInsecure:         InsecureLocalNetwork,
	engine.LocalNetworkMismatch:         InvalidLocalNetworkAccess,
}

// reasonOf is the CorsError Chromium reports for f (the same name in every
// browser's Result): "" for a failure below CORS (Result.NetError), for a
// request its mode refuses before it is made, and for Chromium's silent
// same-origin userinfo redirect.
func reasonOf(f engine.Failure) CorsError {
	switch f.Check {
	case engine.RedirectScheme:
		if engine.Chromium.NetErrorOf(f) != "" {
			return ""
		}
		return CorsDisabledScheme
	case engine.RedirectInvalid, engine.TooManyRedirects, engine.ModeSameOrigin:
		return ""
	case engine.RedirectCredentials:
		if f.SameOrigin {
			return ""
		}
	}
	e := checkErrors[f.Check]
	if f.Preflight {
		e = preflightVariant(e)
	}
	return e
}

// checkOf is the engine.Check behind e.
func checkOf(e CorsError) engine.Check {
	for c, ce := range checkErrors {
		if ce == e || preflightVariant(ce) == e {
			return c
		}
	}
	return engine.Passed
}

// headersOf describes fields, the headers of a request p makes (after any
// redirect removed some), as the engine's rules take them.
func (p *prepared) headersOf(fields []fetch.HeaderField) engine.Headers {
	h := engine.Headers{Fields: fields, XHR: p.kind == XHR, Secure: p.secure}
	if n := len(fields); n > 0 {
		h.AddedAccept = p.autoAccept && fields[n-1].Name == "Accept"
	}
	return h
}

// forced reports whether the use-CORS-preflight flag is set for a request
// with this method and body: upload listeners (Request.ForcePreflight)
// count only when a body is sent in an engine whose rule says so
// (engine.Rules.UploadPreflightNeedsBody).
func forced(p *prepared, body, method string) bool {
	if !p.req.ForcePreflight {
		return false
	}
	if p.rules.UploadPreflightNeedsBody {
		return body != "" && method != "GET" && method != "HEAD"
	}
	return true
}

// corsCheck is Fetch's CORS check (§4.9) of a response with header h, as
// the browser whose rules are r runs and classifies it
// (engine.Rules.AllowOrigin).
func corsCheck(r *engine.Rules, h http.Header, origin string, creds bool) (CorsError, string) {
	c, v := r.AllowOrigin(h.Values(fetch.HeaderAllowOrigin), h.Values(fetch.HeaderAllowCredentials), origin, creds)
	if c == engine.Passed {
		return "", ""
	}
	return checkErrors[c], v
}

type preflightJudgement struct {
	err      CorsError
	hint     string
	warnings []string
	cache    CacheTimes
}

// judgePreflight judges a preflight response in the order of p's browser
// (engine.Rules.PreflightOrder): Chromium checks a redirect, then the
// CORS check, then the status; Firefox the CORS check first, then the
// redirect and the status; Safari the status first. unsafe lists the header
// names in the order the browser checks them, spelled as it names them, so
// the first refused is the one its console line names.
func judgePreflight(p *prepared, ex *Exchange, origin, method string, unsafe []string, creds bool) (j preflightJudgement) {
	h := ex.Header
	r := p.rules
	var methods, allowedHeaders []string
	for _, step := range r.PreflightOrder {
		switch step {
		case engine.StepRedirect:
			if fetch.IsRedirectStatus(ex.Status) && h.Get("Location") != "" {
				j.err = PreflightDisallowedRedirect
				return j
			}
		case engine.StepAllowOrigin:
			if e, hint := corsCheck(r, h, origin, creds); e != "" {
				j.err, j.hint = preflightVariant(e), hint
				return j
			}
		case engine.StepStatus:
			if !fetch.IsOKStatus(ex.Status) {
				j.err = PreflightInvalidStatus
				return j
			}
		case engine.StepMethodsSyntax:
			var ok bool
			if methods, ok = j.parseList(r, h, fetch.HeaderAllowMethods, InvalidAllowMethodsPreflightResponse); !ok {
				return j
			}
		case engine.StepHeadersSyntax:
			var ok bool
			if allowedHeaders, ok = j.parseList(r, h, fetch.HeaderAllowHeaders, InvalidAllowHeadersPreflightResponse); !ok {
				return j
			}
		case engine.StepMethod:
			// Methods compare byte for byte with the normalised method
			// (Fetch §4.8 step 9), in every engine: "put" does not allow
			// PUT.
			if !fetch.IsSafelistedMethod(method) && !slices.Contains(methods, method) &&
				(creds || !slices.Contains(methods, fetch.Wildcard)) {
				j.err, j.hint = MethodDisallowedByPreflightResponse, method
				return j
			}
		case engine.StepHeaders:
			set := fetch.SortedLowercaseSet(allowedHeaders)
			wildcard := !creds && slices.Contains(set, fetch.Wildcard)
			for _, name := range unsafe {
				if _, found := slices.BinarySearch(set, strings.ToLower(name)); found {
					continue
				}
				if wildcard && (r.WildcardCoversAuthorization || !fetch.IsNonWildcardRequestHeader(name)) {
					// Fetch §4.8 step 10 says "*" never covers
					// Authorization; the engines still let it through
					// (engine.Rules.WildcardCoversAuthorization).
					if fetch.IsNonWildcardRequestHeader(name) {
						j.warnings = append(j.warnings, "Authorization is allowed only through Access-Control-Allow-Headers: * — Chromium, Firefox and Safari accept this today (Chromium and Firefox with a deprecation warning), the Fetch standard does not: list authorization explicitly")
						if r.AuthorizationWildcardWarning {
							j.warnings = append(j.warnings, r.Name+" logs the warning: "+engine.FirefoxAuthorizationWildcardWarning(ex.URL))
						}
					}
					continue
				}
				j.err, j.hint = HeaderDisallowedByPreflightResponse, name
				return j
			}
		}
	}
	v, present := fetch.CombinedValue(h, fetch.HeaderMaxAge)
	j.cache = CacheTimes{
		Chromium: engine.Chromium.PreflightCacheSeconds(v, present),
		Firefox:  engine.Firefox.PreflightCacheSeconds(v, present),
		Safari:   engine.WebKit.PreflightCacheSeconds(v, present),
	}
	return j
}

// parseList reads the token list in the preflight header of h named
// header; when it is not one, it records the failure e and the value the
// engine's line quotes (engine.Rules.InvalidTokenValue).
func (j *preflightJudgement) parseList(r *engine.Rules, h http.Header, header string, e CorsError) ([]string, bool) {
	v, _ := fetch.CombinedValue(h, header)
	tokens, ok := fetch.ParseTokenList(v)
	if !ok {
		j.err = e
		if r.InvalidTokenValue != nil {
			j.hint = r.InvalidTokenValue(v)
		}
	}
	return tokens, ok
}

// explainAll is Explain for AllBrowsers: each browser's Result, in
// Result.Browsers, and Chromium's as the Result itself. A request that is
// the same in several browsers (most are) is sent once and its answer
// reused, so that a server sees what one browser would send, not three
// copies.
func explainAll(ctx context.Context, client *http.Client, req Request) (*Result, error) {
	if client == nil {
		client = http.DefaultClient
	}
	shared := *client
	next := shared.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	shared.Transport = &onceTransport{next: next, answers: map[string]*onceAnswer{}}
	all := map[Browser]*Result{}
	for _, b := range Browsers() {
		r := req
		r.Browser = b
		res, err := Explain(ctx, &shared, r)
		if err != nil {
			return res, err
		}
		all[b] = res
	}
	res := *all[Chromium]
	res.Browsers = all
	res.Differences = differences(all)
	return &res, nil
}

// A Difference is one way the browsers treat a request differently (see
// Result.Differences): What it is about, and each browser's Value.
type Difference struct {
	What   string             `json:"what"`
	Values map[Browser]string `json:"values"`
}

// differences compares the browsers' Results on what a developer sees:
// the verdict, where it was reached, whether and how the browser
// preflights, the requests it sends, its console lines and how long it
// caches the preflight. Only what differs is listed.
func differences(all map[Browser]*Result) []Difference {
	aspects := []struct {
		what string
		of   func(r *Result) string
	}{
		{"verdict", verdictWord},
		{"stage", func(r *Result) string { return string(r.Stage) }},
		{"preflight", func(r *Result) string {
			if !r.Preflight {
				return "none"
			}
			if r.RequestHeaders == "" {
				return "yes"
			}
			return "yes, Access-Control-Request-Headers: " + r.RequestHeaders
		}},
		{"requests", func(r *Result) string {
			var hops []string
			for _, ex := range r.Exchanges {
				o := ex.RequestHeader.Get(fetch.HeaderOrigin)
				if o == "" {
					o = "none"
				}
				hops = append(hops, fmt.Sprintf("%s %s (%s, Origin %s)", ex.Method, ex.URL, ex.Kind, o))
			}
			return strings.Join(hops, " → ")
		}},
		{"console", func(r *Result) string { return strings.Join(r.Console, " | ") }},
	}
	var out []Difference
	for _, a := range aspects {
		d := Difference{What: a.what, Values: map[Browser]string{}}
		differ := false
		for _, b := range Browsers() {
			d.Values[b] = a.of(all[b])
			differ = differ || d.Values[b] != d.Values[Chromium]
		}
		if differ {
			out = append(out, d)
		}
	}
	return out
}

// verdictWord says in a word or two what a browser does with the
// request: ALLOWED, BLOCKED, OPAQUE (a no-cors load), SAME-ORIGIN, or
// PREFLIGHT PASSES when the actual request was not sent.
func verdictWord(r *Result) string {
	switch {
	case r.Stage == StageSameOrigin && r.Allowed:
		return "SAME-ORIGIN"
	case r.Opaque:
		return "OPAQUE"
	case r.Allowed && !r.ActualSent:
		return "PREFLIGHT PASSES"
	case r.Allowed:
		return "ALLOWED"
	}
	return "BLOCKED"
}

// onceTransport sends each distinct request once and answers a repeat of
// it with the recorded response.
type onceTransport struct {
	next    http.RoundTripper
	mu      sync.Mutex
	answers map[string]*onceAnswer
}

type onceAnswer struct {
	status int
	header http.Header
	body   []byte
}

func (t *onceTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	var key strings.Builder
	key.WriteString(r.Method + " " + r.URL.String() + "\n")
	for _, k := range slices.Sorted(maps.Keys(r.Header)) {
		key.WriteString(k + ": " + strings.Join(r.Header[k], "\x00") + "\n")
	}
	key.Write(body)
	t.mu.Lock()
	a, ok := t.answers[key.String()]
	t.mu.Unlock()
	if !ok {
		resp, err := sendVia(ctx, t.next, r)
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		a = &onceAnswer{status: resp.StatusCode, header: resp.Header, body: b}
		t.mu.Lock()
		t.answers[key.String()] = a
		t.mu.Unlock()
	}
	return &http.Response{
		Status: fmt.Sprintf("%d %s", a.status, http.StatusText(a.status)), StatusCode: a.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: a.header.Clone(), Body: io.NopCloser(bytes.NewReader(a.body)),
		ContentLength: int64(len(a.body)), Request: r,
	}, nil
}

// Name is b's name as users know it: "Chromium", "Firefox", "Safari".
func (b Browser) Name() string {
	if b == AllBrowsers {
		return "every browser"
	}
	return b.rules().Name
}
