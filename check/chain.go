package check

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/corskit/cors/internal/engine"
	"github.com/corskit/cors/internal/fetch"
	"github.com/corskit/cors/internal/rawhttp"
)

// This file follows a request from URL to URL as a browser does (Fetch
// §4.1 "main fetch", §4.3 "HTTP fetch", §4.4 "HTTP-redirect fetch"), with
// the departures of the browser being explained (package internal/engine):
// a request that starts on the page's own origin is sent without CORS
// until a redirect takes it elsewhere; a CORS request is preflighted when
// it needs it, at every URL it reaches, and its every response,
// redirects included, must pass the CORS check.

// tainting is a request's response tainting (Fetch §2.2.5): whether its
// responses are the page's own (basic), CORS-checked (cors) or opaque
// (no-cors).
type tainting int

const (
	taintBasic tainting = iota
	taintCORS
	taintOpaque
)

// chain is one request on its way from URL to URL.
type chain struct {
	ctx context.Context
	p   *prepared
	res *Result
	// noCreds sends preflights; withJar the requests that carry
	// credentials, with the client's cookie jar.
	noCreds, withJar *http.Client

	url      *url.URL
	method   string
	fields   []fetch.HeaderField
	body     string
	tainting tainting
	// tainted: a redirect from one origin to another made the request's
	// origin opaque (Fetch's tainted origin flag): its Origin is "null".
	tainted bool
	// preflighted: a preflight was sent for the request at some URL;
	// original is the request's headers as the script made it, before
	// any redirect removed one.
	preflighted bool
	original    []fetch.HeaderField
	redirects   int
	// decided: Result.Preflight was set, at the first URL the request
	// reached as a CORS request.
	decided bool
	// startedSameOrigin: the request started on the page's own origin.
	startedSameOrigin bool
	// lna is the page's side of Local Network Access (lna.go), nil when
	// it cannot be known.
	lna *lnaPage
}

// origin is the request's Origin header value when its response tainting
// is cors: the page's origin, or "null" once tainted.
func (c *chain) origin() string {
	if c.tainted {
		return fetch.NullOrigin
	}
	return c.p.pageOrigin
}

// follow makes the request of c.p and every redirect of it, and fills in
// c.res.
func (c *chain) follow() (*Result, error) {
	p, res, r := c.p, c.res, c.p.rules
	for {
		sameOrigin := fetch.OriginOfURL(c.url).String() == p.pageOrigin
		switch {
		case p.mode == fetch.ModeNoCORS:
			c.tainting = taintOpaque
		case sameOrigin && c.tainting == taintBasic:
			// Fetch §4.1 "main fetch" step 12: the page's own origin,
			// no CORS.
		case p.mode == fetch.ModeSameOrigin:
			c.block(StageActual, engine.Failure{Check: engine.ModeSameOrigin}, nil)
			return res, nil
		default:
			c.tainting = taintCORS
		}
		if c.localNetworkAccess() {
			return res, nil
		}

		if c.tainting == taintCORS {
			if done, err := c.preflight(); done || err != nil {
				return res, err
			}
		}
		if !sendable(c.method) && !p.req.SendActual {
			c.notSent()
			return res, nil
		}
		ex, err := c.send()
		if ex != nil {
			res.Exchanges = append(res.Exchanges, *ex)
			res.Curl = append(res.Curl, curlFor(ex, c.carriesCredentials()))
			res.ActualSent = true
		}
		if err != nil {
			return res, err
		}
		loc := ex.Header.Get("Location")
		redirect := r.Follows(ex.Status) && loc != ""
		if redirect && r.SchemeBeforeCORSCheck != nil {
			if next, ok := c.target(loc); !ok && r.SchemeBeforeCORSCheck("") || ok && !isHTTP(next) && r.SchemeBeforeCORSCheck(strings.ToLower(next.Scheme)) {
				return res, c.redirectFailure(loc, next)
			}
		}
		// The CORS check runs on every response of a CORS request, the
		// redirect responses included (Fetch §4.3 "HTTP fetch" step 4.4,
		// before §4.4 "HTTP-redirect fetch"); a redirect without
		// Access-Control-Allow-Origin fails with the redirect's own URL.
		if c.tainting == taintCORS {
			if e, hint := corsCheck(r, ex.Header, c.origin(), p.req.Credentials); e != "" {
				c.block(StageActual, engine.Failure{Check: checkOf(e), Value: hint}, &e)
				return res, nil
			}
			if redirect && r.SameOriginCredentialsOnRedirect && c.startedSameOrigin && !p.req.Credentials {
				// After the user:password check of the location, the
				// redirect response is checked again as if the request
				// carried credentials.
				if next, ok := c.target(loc); ok && next.User != nil && c.userinfo(next) {
					return res, nil
				}
				if e, hint := corsCheck(r, ex.Header, c.origin(), true); e != "" {
					c.block(StageActual, engine.Failure{Check: checkOf(e), Value: hint}, &e)
					res.Warnings = append(res.Warnings, p.rules.Name+" checks this redirect as if the request carried credentials: it started on the page's own origin, where credentials mode same-origin sends them, and "+p.rules.Name+" keeps that for the redirects that follow (Fetch checks with the request's credentials mode, which is not include)")
					return res, nil
				}
			}
		}
		if !redirect {
			c.arrived(ex)
			return res, nil
		}
		if done, err := c.redirect(ex, loc); done || err != nil {
			return res, err
		}
	}
}

// preflight sends the preflight the request needs at its current URL, if
// any, and judges it; done reports that the verdict is reached (blocked).
func (c *chain) preflight() (done bool, err error) {
	p, res, r := c.p, c.res, c.p.rules
	unsafe := r.UnsafeHeaderNames(p.headersOf(c.fields))
	why := preflightReasons(c.method, unsafe, forced(p, c.body, c.method))
	checked := r.CheckOrder(p.headersOf(c.fields))
	if c.redirects > 0 && r.PreflightKeepsHeaders {
		// The preflight lists the headers the script set, even those a
		// redirect removed from the request.
		unsafe = r.UnsafeHeaderNames(p.headersOf(c.original))
		checked = r.CheckOrder(p.headersOf(c.original))
		why = preflightReasons(c.method, unsafe, forced(p, c.body, c.method))
	}
	switch {
	case len(why) > 0 || c.redirects == 0:
	case r.PreflightSticks && c.scriptNeedsPreflight():
		why = []string{"the request as the script made it needed a preflight: " + r.Name + " preflights it at every URL it reaches on another origin, even where a redirect made it simple"}
	case r.PreflightRepeats && c.preflighted:
		why = []string{"the request was preflighted before the redirect: " + r.Name + " preflights it again at every URL it is redirected to"}
	}
	if !c.decided {
		c.decided = true
		res.Preflight = len(why) > 0
		res.PreflightWhy = why
		res.RequestHeaders = fetch.RequestHeadersValue(unsafe)
	}
	if len(why) == 0 {
		return false, nil
	}
	origin := c.origin()
	if c.redirects > 0 && r.PageOriginInRedirectPreflight {
		origin = p.pageOrigin
	}
	ex, err := sendPreflight(c.ctx, c.noCreds, c.url, origin, c.method, unsafe)
	if ex != nil {
		res.Exchanges = append(res.Exchanges, *ex)
		res.Curl = append(res.Curl, curlFor(ex, false))
	}
	if err != nil {
		return true, err
	}
	c.preflighted = true
	j := judgePreflight(p, ex, origin, c.method, checked, p.req.Credentials)
	res.Warnings = append(res.Warnings, j.warnings...)
	if j.err != "" {
		c.block(StagePreflight, engine.Failure{Check: checkOf(j.err), Preflight: true, Value: j.hint, Origin: origin}, &j.err)
		return true, nil
	}
	if res.Cache == nil {
		res.Cache = &j.cache
	}
	return false, nil
}

// localNetworkAccess runs Local Network Access at the request's current URL
// before anything, a preflight included, is sent there (lna.go); done
// reports that Chromium refuses the request. Result.LocalNetworkAccess
// keeps the judgement at the URL that refused the request, else at the
// first URL where LNA applies, else at the first URL judged.
func (c *chain) localNetworkAccess() (done bool) {
	if c.lna == nil {
		return false
	}
	res := c.res
	lna, blocked := c.lna.judge(c.ctx, c.p, c.url, c.redirects > 0, c.failure(engine.Failure{}))
	switch prev := res.LocalNetworkAccess; {
	case lna == nil:
	case blocked != nil:
		res.lnaBlock(lna, blocked)
		return true
	case prev == nil || !prev.Applies && lna.Applies:
		res.LocalNetworkAccess = lna
	case lna.Applies && lna.Permission != prev.Permission:
		res.Warnings = append(res.Warnings, "Local Network Access applies again at "+lna.URL+": the page needs the "+lna.Permission+" permission there too")
	}
	return false
}

// scriptNeedsPreflight reports whether the request as the script made it,
// before any redirect, needs a preflight.
func (c *chain) scriptNeedsPreflight() bool {
	p := c.p
	unsafe := p.rules.UnsafeHeaderNames(p.headersOf(p.fields))
	return len(preflightReasons(p.method, unsafe, forced(p, p.body, p.method))) > 0
}

// carriesCredentials reports whether the request carries credentials at
// its current URL (Fetch §4.6 "HTTP-network-or-cache fetch" step 8.4:
// include, or same-origin while the response tainting is basic).
func (c *chain) carriesCredentials() bool {
	return c.p.req.Credentials || c.tainting == taintBasic
}

// send sends the request at its current URL.
func (c *chain) send() (*Exchange, error) {
	p := c.p
	h := http.Header{}
	for _, f := range c.fields {
		h.Add(f.Name, f.Value)
	}
	creds := c.carriesCredentials()
	if creds && p.req.Cookie != "" {
		h.Set("Cookie", p.req.Cookie)
	}
	if h.Get("Accept") == "" {
		h.Set("Accept", fetch.DefaultAccept)
	}
	// Fetch §4.1 "main fetch" step 12 and "append a request Origin
	// header": a CORS request carries its origin; any other carries the
	// page's origin only when its method is neither GET nor HEAD.
	switch {
	case c.tainting == taintCORS:
		h.Set(fetch.HeaderOrigin, c.origin())
	case c.method != http.MethodGet && c.method != http.MethodHead:
		h.Set(fetch.HeaderOrigin, p.pageOrigin)
	}
	h.Set(headerSecFetchMode, string(p.secFetchMode()))
	h.Set(headerSecFetchDest, fetch.SecFetchDest(p.dest))
	client := c.noCreds
	if creds {
		client = c.withJar
	}
	return roundTripBody(c.ctx, client, ActualRequest, c.method, c.url, h, c.body)
}

// target resolves a redirect's location against the current URL; ok is
// false when it does not parse.
func (c *chain) target(loc string) (*url.URL, bool) {
	next, err := c.url.Parse(loc)
	return next, err == nil
}

func isHTTP(u *url.URL) bool {
	s := strings.ToLower(u.Scheme)
	return s == "http" || s == "https"
}

// redirectFailure blocks the request at a redirect to loc that no browser
// follows: next is loc resolved, nil when it does not parse.
func (c *chain) redirectFailure(loc string, next *url.URL) error {
	f := engine.Failure{Check: engine.RedirectInvalid, Location: loc}
	if next != nil {
		f = engine.Failure{Check: engine.RedirectScheme, Location: next.String(), Scheme: strings.ToLower(next.Scheme)}
	}
	f.SameOrigin = c.tainting == taintBasic
	f.NoCORS = c.tainting == taintOpaque
	c.block(StageActual, f, nil)
	return nil
}

// redirect follows the redirect ex to loc (Fetch §4.4 "HTTP-redirect
// fetch"), or blocks the request there; done reports that it did.
func (c *chain) redirect(ex *Exchange, loc string) (done bool, err error) {
	p, res, r := c.p, c.res, c.p.rules
	next, ok := c.target(loc)
	if !ok || !isHTTP(next) {
		return true, c.redirectFailure(loc, next)
	}
	if c.redirects == fetch.MaxRedirects {
		c.block(StageActual, engine.Failure{Check: engine.TooManyRedirects}, nil)
		return true, nil
	}
	c.redirects++
	curOrigin, nextOrigin := fetch.OriginOfURL(c.url), fetch.OriginOfURL(next)
	if next.User != nil && c.userinfo(next) {
		return true, nil
	}
	// A hop to another origin taints the request (from now on it carries
	// "Origin: null") and drops Authorization; 301/302 + POST, or 303 +
	// anything but GET/HEAD, become GET and lose the body and its
	// headers (engine.Rules.RedirectMethod for the engines that differ).
	if fetch.RedirectTaintsOrigin(p.pageOrigin, curOrigin, nextOrigin) {
		c.tainted = true
	}
	crossOrigin := nextOrigin != curOrigin
	method, dropBody, dropHeaders := r.Redirected(ex.Status, c.method, crossOrigin)
	if method != c.method {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the %d redirect turns %s into %s", ex.Status, c.method, method))
	}
	c.method = method
	if dropBody {
		c.body = ""
	}
	if crossOrigin || dropHeaders {
		c.fields = slices.DeleteFunc(slices.Clone(c.fields), func(f fetch.HeaderField) bool {
			return fetch.RedirectRemovesHeader(f.Name, dropHeaders, crossOrigin)
		})
	}
	res.Warnings = append(res.Warnings, fmt.Sprintf("%d redirect from %s to %s followed (Origin is now %s)", ex.Status, c.url, next, c.originNow(nextOrigin)))
	c.url = next
	res.URL = next.String()
	return false, nil
}

// userinfo blocks the request at a redirect to next, a URL with
// user:password, when the browser refuses it; done reports that it did.
// Fetch §4.4 "HTTP-redirect fetch" steps 10 and 11 refuse it for a
// CORS-mode request to another origin than the page's, and for a request
// whose responses are CORS-checked.
func (c *chain) userinfo(next *url.URL) (done bool) {
	p, r := c.p, c.p.rules
	sameOrigin := c.tainting == taintBasic && fetch.OriginOfURL(next).String() == p.pageOrigin
	if !(p.mode == fetch.ModeCORS && !sameOrigin || c.tainting == taintCORS || sameOrigin && r.SameOriginRedirectCredentialsFail) {
		return false
	}
	// The line names the location, or not (Chromium's reads "Redirect
	// location '' contains a username and password"):
	// engine.Rules.RedirectCredentialsLocation.
	shown := next.String()
	if f := r.RedirectCredentialsLocation; f != nil {
		shown = f(shown)
	}
	c.block(StageActual, engine.Failure{Check: engine.RedirectCredentials, Value: shown, SameOrigin: sameOrigin}, nil)
	return true
}

// originNow describes the Origin the request carries at an URL of origin o.
func (c *chain) originNow(o fetch.Origin) string {
	switch {
	case c.p.mode == fetch.ModeNoCORS && c.method != http.MethodGet && c.method != http.MethodHead:
		return c.p.pageOrigin
	case c.p.mode == fetch.ModeNoCORS:
		return "absent"
	case c.tainting == taintBasic && o.String() == c.p.pageOrigin && !c.tainted:
		if c.method == http.MethodGet || c.method == http.MethodHead {
			return "absent (same-origin)"
		}
		return c.p.pageOrigin + " (same-origin)"
	}
	return c.origin()
}

// arrived fills in the verdict on the final response ex.
func (c *chain) arrived(ex *Exchange) {
	p, res := c.p, c.res
	res.URL = c.url.String()
	switch c.tainting {
	case taintOpaque:
		res.Allowed, res.Opaque, res.Stage = true, true, StageActual
		res.Explanation, res.Fix = noCORSAdvice(p)
		if p.dest == fetch.DestinationFont || p.req.Module || p.dest == fetch.DestinationScript && p.rules.ScriptErrorsInFull {
			// The response is opaque, but nothing the page does with a
			// font, a module's exports or (in that engine) a script's
			// errors shows it.
			res.Opaque = false
		}
		if acao := ex.Header.Values(fetch.HeaderAllowOrigin); len(acao) > 0 {
			res.Warnings = append(res.Warnings, "the response carries Access-Control-Allow-Origin, but in mode no-cors the browser neither asks for nor reads it: the response stays opaque")
		}
		res.Warnings = append(res.Warnings, p.elementWarnings(ex)...)
	case taintBasic:
		res.Allowed, res.Stage = true, StageSameOrigin
		res.Explanation = "The request stays on the page's own origin: CORS does not apply, and the page reads the response."
		res.Exposed, res.Readable = readable(ex.Header, true, true)
	default:
		res.Allowed, res.Stage = true, StageActual
		res.Exposed, res.Readable = readable(ex.Header, p.req.Credentials, false)
		p.explainAllowed(res, ex)
	}
}

// notSent ends the explanation of a request whose method Explain does not
// send without Request.SendActual.
func (c *chain) notSent() {
	res, method := c.res, c.method
	res.Allowed = true
	res.Stage = StagePreflight
	if c.tainting == taintBasic {
		res.Stage = StageSameOrigin
	}
	res.ActualNote = "the actual " + method + " request was not sent (only GET, HEAD and OPTIONS are sent unless SendActual / --send-actual is set), so whether its response carries Access-Control-Allow-Origin was not verified"
	switch {
	case c.tainting == taintBasic:
		res.Explanation = "The URL has the page's origin: the " + method + " request needs no CORS unless it is redirected to another origin, which Explain cannot see without sending it (--send-actual)."
	case res.Preflight:
		res.Explanation = "The preflight passes; the browser would now send the actual " + method + " request, whose response must carry the same Access-Control-Allow-Origin (and -Credentials) headers."
	default:
		res.Explanation = "No preflight is needed: the browser sends the " + method + " request as it is, and lets the page read the response only if it carries Access-Control-Allow-Origin (and -Credentials). Add --send-actual (SendActual) to send it and check."
	}
}

// block ends the explanation with a failure: f completed with the
// request's URLs and origins, e the CorsError it is in Chromium's names
// (nil: from the failure itself).
func (c *chain) block(stage Stage, f engine.Failure, e *CorsError) {
	p, res := c.p, c.res
	f = c.failure(f)
	if n := len(res.Exchanges); n > 0 && !f.Preflight {
		last := res.Exchanges[n-1]
		f.Status = last.Status
		if loc := last.Header.Get("Location"); p.rules.Follows(last.Status) && loc != "" && f.Location == "" {
			f.Redirect = true
			f.Location = loc // as written, when it does not parse
			if next, ok := c.target(loc); ok {
				f.Location = next.String()
			}
		}
	} else if n > 0 {
		f.Status = res.Exchanges[n-1].Status
		if last := res.Exchanges[n-1]; fetch.IsRedirectStatus(last.Status) && last.Header.Get("Location") != "" {
			f.Redirect = true
		}
	}
	res.Allowed = false
	res.Stage = stage
	res.URL = f.URL
	if e != nil {
		res.Reason = *e
	} else {
		res.Reason = reasonOf(f)
	}
	res.FailedParameter = f.Value
	res.NetError = netErrorName(engine.Chromium.NetErrorOf(f))
	res.Console = append(res.Console, p.rules.Lines(f)...)
	if len(res.Console) > 0 {
		res.Message = res.Console[0]
	}
	var last *Exchange
	if n := len(res.Exchanges); n > 0 {
		last = &res.Exchanges[n-1]
	}
	res.Explanation, res.Fix = failureAdvice(f, res.Reason, p, last)
	if exp, fix, ok := routingAdvice(res.Reason, last); ok {
		res.Explanation, res.Fix = exp, fix
	}
	res.Explanation, res.Fix = p.destinationAdvice(res.Explanation, res.Fix)
}

// failure completes f with the request's URLs, origins and kind, as it is
// at its current URL.
func (c *chain) failure(f engine.Failure) engine.Failure {
	p := c.p
	f.URL, f.InitialURL, f.Page = c.url.String(), p.url.String(), p.pageOrigin
	f.XHR, f.Dest, f.Module, f.Keepalive = p.kind == XHR, p.dest, p.req.Module, p.req.Keepalive
	if f.Origin == "" {
		f.Origin = c.origin()
	}
	return f
}

// netErrorName writes Chromium's network error name as its console does.
func netErrorName(e string) string {
	if e == "" {
		return ""
	}
	return "net::" + e
}

// sendable reports whether Explain sends an actual request with this method
// by default: only methods that are safe by definition (RFC 9110 §9.2.1).
func sendable(method string) bool {
	return method == "GET" || method == "HEAD" || method == "OPTIONS"
}

// noRedirect returns a copy of c that never follows redirects and uses its
// cookie jar only when creds is set.
func noRedirect(c *http.Client, creds bool) *http.Client {
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if !creds {
		cc.Jar = nil
	}
	return &cc
}

func sendPreflight(ctx context.Context, c *http.Client, u *url.URL, origin, method string, unsafe []string) (*Exchange, error) {
	h := http.Header{}
	setBrowserHeaders(h, origin)
	h.Set(fetch.HeaderRequestMethod, method)
	if len(unsafe) > 0 {
		h.Set(fetch.HeaderRequestHeaders, fetch.RequestHeadersValue(unsafe))
	}
	return roundTrip(ctx, c, PreflightRequest, http.MethodOptions, u, h)
}

func roundTrip(ctx context.Context, c *http.Client, kind RequestKind, method string, u *url.URL, h http.Header) (*Exchange, error) {
	return roundTripBody(ctx, c, kind, method, u, h, "")
}

// responseLimit is how much of a response body Explain and Audit read.
const responseLimit = 1 << 20

func roundTripBody(ctx context.Context, c *http.Client, kind RequestKind, method string, u *url.URL, h http.Header, body string) (*Exchange, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, &NetworkError{Kind: kind, URL: u.String(), Err: err}
	}
	r.Header = h
	if r.Header.Get("User-Agent") == "" {
		r.Header.Set("User-Agent", UserAgent)
	}
	resp, err := do(ctx, c, r)
	if err != nil {
		return nil, &NetworkError{Kind: kind, URL: u.String(), Err: err}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, responseLimit))
	resp.Body.Close()
	return &Exchange{
		Kind: kind, Method: method, URL: u.String(),
		RequestHeader: h.Clone(), Status: resp.StatusCode, Header: resp.Header,
		Body: body,
	}, nil
}

// do sends r with c, except that a request with a header value net/http
// refuses to send (package rawhttp) goes out through rawhttp when c's
// transport is net/http's own: the browser sends those bytes, so the
// checker must too. A custom transport gets every request as it is.
//
// The request goes to the client's transport itself, not through
// http.Client.Do, which would refuse a redirect whose Location does not
// parse before the browser's own handling of it could be explained; the
// client's Jar and Timeout are applied here.
func do(ctx context.Context, c *http.Client, r *http.Request) (*http.Response, error) {
	if c.Jar != nil {
		for _, ck := range c.Jar.Cookies(r.URL) {
			r.AddCookie(ck)
		}
	}
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
		r = r.WithContext(ctx)
	}
	resp, err := sendVia(ctx, c.Transport, r)
	if err == nil && c.Jar != nil {
		if rc := resp.Cookies(); len(rc) > 0 {
			c.Jar.SetCookies(r.URL, rc)
		}
	}
	return resp, err
}

// sendVia sends r with the transport t (nil: net/http's default), through
// rawhttp when r carries a header value net/http refuses and t is
// net/http's own transport; any other transport gets r as it is.
func sendVia(ctx context.Context, t http.RoundTripper, r *http.Request) (*http.Response, error) {
	if t == nil {
		t = http.DefaultTransport
	}
	if ht, ok := t.(*http.Transport); ok && rawhttp.Needed(r.Header) {
		return rawhttp.RoundTrip(ctx, ht, r, responseLimit)
	}
	return t.RoundTrip(r)
}
