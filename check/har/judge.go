package har

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/corskit/cors/check"
	"github.com/corskit/cors/internal/fetch"
)

// This file is where package har meets package check: it turns a recorded
// request into a check.Request, lets check.Explain judge it through a
// replay transport, and reads the check.Result. Nothing else in the
// package depends on check's API.

// Options tunes Judge.
type Options struct {
	// Browser is the browser whose rules judge the HAR: Chromium,
	// Firefox or Safari. "" means the browser that recorded it (from
	// log.browser, the creator or the User-Agent), Chromium when none
	// tells.
	Browser check.Browser
}

// Judge judges every cross-origin request of a: it finds each request's
// page origin, its redirect chain and its preflights, and has
// check.Explain judge the recorded exchanges offline, with the rules it
// applies live (see replay). It sends nothing. The error is an
// *check.InputError for an Options.Browser that is not one browser.
func Judge(ctx context.Context, a *Archive, opts Options) (*Report, error) {
	w := describe(a)
	b := opts.Browser
	if b == "" {
		b = w.browser
	}
	b, err := check.ParseBrowser(string(b))
	if err != nil || b == check.AllBrowsers {
		return nil, &check.InputError{Field: "browser", Msg: fmt.Sprintf("%q is not one browser: write %s, %s or %s", opts.Browser, check.Chromium, check.Firefox, check.Safari)}
	}
	rep := &Report{Writer: w.Writer, Browser: b, Requests: []*Request{}}
	rep.Summary.Entries = len(a.Entries)
	j := &judge{w: w, browser: b, addrs: recordedAddresses(a)}
	docs := documents(a)
	cs, orphans := chains(a)
	for _, p := range orphans {
		cs = append(cs, orphan(p))
	}
	slices.SortStableFunc(cs, func(x, y *chain) int { return x.first() - y.first() })
	for _, c := range cs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		first := c.hops[0]
		k := kindOf(first)
		if originOf(first.URL) == "" || k.mode == "navigate" || k.mode == "websocket" {
			rep.Summary.NotCrossOrigin++
			continue
		}
		origin, from := pageOrigin(c, docs)
		if origin == "" {
			rep.Skipped = append(rep.Skipped, skipped(c, "the HAR does not show the origin of the page that made it (no Origin or Referer header, no page URL)"))
			continue
		}
		if !c.leaves(origin) {
			rep.Summary.NotCrossOrigin++
			continue
		}
		if originOf(first.URL) == origin {
			// A request on the page's own origin that a redirect took
			// elsewhere: a CORS request from there on, which Explain
			// follows from its first URL. Its first hop went without
			// Origin, so the mode is read from the hop that left, if the
			// browser made it.
			if e := c.crossOrigin(origin); e != nil {
				k = kindOf(e).under(k)
			} else if k.guessed {
				k.mode, k.guessed = "", false
			}
		}
		q, why := j.request(ctx, c, origin, from, k)
		if q == nil {
			rep.Skipped = append(rep.Skipped, skipped(c, why))
			continue
		}
		rep.Requests = append(rep.Requests, q)
	}
	rep.group()
	return rep, nil
}

func skipped(c *chain, why string) Skipped {
	e := c.hops[0]
	return Skipped{Entry: c.first(), Method: e.Method, URL: e.URL, Why: why}
}

// first is the index of c's first entry (its request, or for a lone
// preflight the preflight).
func (c *chain) first() int {
	if c.hops[0].Index >= 0 {
		return c.hops[0].Index
	}
	return c.preflights[0].Index
}

// orphan makes a chain of a preflight whose request the HAR lacks: a hop
// with the preflight's URL, origin and method and, for each name in its
// Access-Control-Request-Headers, a header with a placeholder value (one
// that no safelist accepts, as the browser asked for it).
func orphan(p *Entry) *chain {
	m, _ := p.RequestHeader(fetch.HeaderRequestMethod)
	e := &Entry{Index: -1, PageRef: p.PageRef, Method: m, URL: p.URL, Status: 0, ResourceType: "fetch"}
	for _, name := range []string{fetch.HeaderOrigin, "Referer", "Sec-Fetch-Mode", "Sec-Fetch-Dest"} {
		if v, ok := p.RequestHeader(name); ok {
			e.RequestHeaders = append(e.RequestHeaders, Header{name, v})
		}
	}
	acrh, _ := p.RequestHeader(fetch.HeaderRequestHeaders)
	names, _ := fetch.ParseTokenList(acrh)
	for _, n := range names {
		e.RequestHeaders = append(e.RequestHeaders, Header{n, placeholder})
	}
	return &chain{hops: []*Entry{e}, preflights: []*Entry{p}}
}

// placeholder stands for a header value the HAR does not show. Its "("
// is a CORS-unsafe byte, so no safelist accepts it: the browser preflighted
// the header, so its real value was not safelisted either.
const placeholder = "(not in the HAR)"

// writer is a Writer with what Judge needs to know of it.
type writer struct {
	Writer
	browser check.Browser
	// failures: the writer records a request the browser failed, CORS
	// included, as failed (Chromium's writers); Firefox records the
	// response CORS then hid from the page, with no mark.
	failures bool
	// preflights: the writer records preflights.
	preflights bool
}

// describe identifies the writer of a.
func describe(a *Archive) writer {
	w := writer{Writer: Writer{Creator: a.Creator, Browser: a.Browser, Name: a.Creator.Name}}
	switch strings.ToLower(a.Creator.Name) {
	case "playwright":
		w.failures = true
		w.Notes = append(w.Notes, "Playwright records no preflights, and for a request the browser blocks it records only a failure (net::ERR_FAILED): no response, and not the headers the browser added (Origin, Sec-Fetch-*). corscheck can tell that such a request was blocked, not why.")
	case "firefox":
		w.preflights = true
		w.Notes = append(w.Notes, "Firefox records every preflight and every response, those CORS hid from the page included, but not that CORS hid them, nor whether fetch() or XMLHttpRequest made the request. corscheck's verdict comes from the recorded headers.")
	case "webinspector":
		w.Name = "Chrome DevTools"
		w.browser = check.Chromium
		w.failures, w.preflights = true, true
		if sanitized(a) {
			w.Notes = append(w.Notes, "No request in this HAR carries Cookie or Authorization: it looks like a sanitized export (Chrome's default since version 130), which removes Cookie, Authorization and Set-Cookie. Whether a request carried credentials is then unknown; where the verdict depends on it, both are given.")
		}
	case "webkit web inspector":
		w.Name = "Safari Web Inspector"
		w.browser = check.Safari
	}
	if w.browser == "" {
		w.browser = browserNamed(a.Browser.Name)
	}
	if w.browser == "" {
		w.browser = browserNamed(a.Creator.Name)
	}
	for i := 0; w.browser == "" && i < len(a.Entries); i++ {
		if ua, ok := a.Entries[i].RequestHeader("User-Agent"); ok {
			w.browser = browserOfUserAgent(ua)
		}
	}
	if w.browser == "" {
		w.browser = check.Chromium
	}
	return w
}

func browserNamed(name string) check.Browser {
	if name == "" {
		return ""
	}
	b, err := check.ParseBrowser(name)
	if err != nil || b == check.AllBrowsers {
		return ""
	}
	return b
}

// browserOfUserAgent reads the engine from a User-Agent: every Chromium
// says "Chrome/", Firefox "Firefox/", Safari and WebKit browsers only
// "Safari/".
func browserOfUserAgent(ua string) check.Browser {
	switch {
	case strings.Contains(ua, "Firefox/"):
		return check.Firefox
	case strings.Contains(ua, "Chrome/"), strings.Contains(ua, "Chromium/"):
		return check.Chromium
	case strings.Contains(ua, "Safari/"):
		return check.Safari
	}
	return ""
}

// sanitized reports whether no request of a carries Cookie or
// Authorization, as in Chrome's sanitized export.
func sanitized(a *Archive) bool {
	for i := range a.Entries {
		e := &a.Entries[i]
		_, c := e.RequestHeader("Cookie")
		_, au := e.RequestHeader("Authorization")
		if c || au || e.RequestCookies > 0 {
			return false
		}
	}
	return len(a.Entries) > 0
}

type judge struct {
	w       writer
	browser check.Browser
	// addrs answers check.Explain's host name lookups for Local Network
	// Access from the HAR's serverIPAddress (see addresses).
	addrs *addresses
}

// outcome is one run of check.Explain on a chain.
type outcome struct {
	assumed Assumption
	req     check.Request
	res     *check.Result
	err     error
	replay  *replay
	verdict Verdict
}

// signature is what tells two outcomes apart for the user.
func (o *outcome) signature() string {
	s := string(o.verdict)
	if o.res != nil {
		s += "|" + string(o.res.Reason) + "|" + strings.Join(o.res.Console, "\n")
	}
	return s
}

// request judges the chain c, made by a page on origin. It returns nil and
// why when c is not a request corscheck can judge.
func (j *judge) request(ctx context.Context, c *chain, origin, from string, k kind) (*Request, string) {
	first := c.hops[0]
	q := &Request{Method: first.Method, URL: first.URL, PageOrigin: origin, OriginFrom: from}
	for _, e := range c.hops {
		if e.Index >= 0 {
			q.Entries = append(q.Entries, e.Index)
		}
	}
	for _, p := range c.preflights {
		if p != nil {
			q.Preflights = append(q.Preflights, p.Index)
		}
	}
	if c.hops[0].Index < 0 {
		q.Missing = append(q.Missing, "the request itself: the HAR has only its preflight (entry "+fmt.Sprint(c.preflights[0].Index)+"), so its headers are known by name only")
	}
	q.Recorded = j.recorded(c)
	if from != originHeader {
		q.Inferred = append(q.Inferred, "the page's origin is read from "+from+", as the HAR has not the request's Origin header; a page with an opaque origin (a sandboxed iframe) sends its creator's URL as Referer but \"Origin: null\"")
	}

	base := check.Request{URL: first.URL, Origin: origin, Browser: j.browser, SendActual: true, Resolver: j.addrs.forChain(c)}
	creds := credentials(c, origin)
	assume := Assumption{Credentials: creds, CredentialsKnown: creds, InitiatorKnown: true}
	switch k.dest {
	case "empty", "":
		if k.mode == "no-cors" {
			q.Kind, q.Verdict = "no-cors load", Opaque
			q.Explanation = "A no-cors request (an element without crossorigin, or fetch() with mode 'no-cors'): no CORS check runs, and the page cannot read the response."
			if k.dest == "empty" {
				q.Kind = "fetch (mode 'no-cors')"
			}
			return q, ""
		}
		if k.dest == "" && k.mode != "cors" {
			return nil, "the HAR does not say how the page requested it (no Sec-Fetch-Mode, Origin or _resourceType)"
		}
		// The first hop's own preflight tells which headers the script
		// set; one at a later hop may lack those a redirect removed.
		h, order, notes := scriptHeaders(first, c.preflights[0])
		q.Inferred = append(q.Inferred, notes...)
		base.Method, base.Header, base.HeaderOrder = first.Method, h, order
		if first.HasPostData && first.Method != http.MethodGet && first.Method != http.MethodHead {
			base.Body = first.PostData
			if base.Body == "" {
				base.Body = " " // an empty body still sets the body's headers
			}
		}
		base.Cookie, _ = first.RequestHeader("Cookie")
		// A preflight for a request that needs none was forced (upload
		// listeners), at whichever hop it is recorded.
		base.ForcePreflight = c.firstPreflight() != nil && !needsPreflight(first.Method, h)
		switch k.api {
		case "xhr":
			assume.Initiator = check.XHR
		case "fetch":
			assume.Initiator = check.Fetch
		default:
			assume.Initiator, assume.InitiatorKnown = check.Fetch, false
			if base.ForcePreflight {
				// fetch() preflights a simple request only for a
				// streamed body, which a HAR cannot show; upload
				// listeners of an XMLHttpRequest are the common cause.
				assume.Initiator = check.XHR
			}
		}
	default:
		d, ok := destinations[k.dest]
		if !ok {
			return nil, "a load with destination " + k.dest + ": corscheck models fetch(), XMLHttpRequest, fonts, scripts, images and stylesheets"
		}
		base.Destination = d
		assume.Initiator = ""
		if k.mode == "cors" && d != check.DestinationFont {
			base.CrossOrigin = check.CrossOriginAnonymous
		}
		// A script in CORS mode is a classic <script crossorigin> or a
		// module; both are judged.
		assume.ModuleUnknown = k.mode == "cors" && d == check.DestinationScript
		if d == check.DestinationFont || k.mode != "cors" {
			assume.CredentialsKnown = true // the markup decides
		}
		base.Cookie, _ = first.RequestHeader("Cookie")
	}

	// Explain judges under each assumption the HAR leaves open; the first
	// is the likeliest (the API's defaults), the others are kept where
	// they change the verdict or the console line.
	assumptions := []Assumption{assume}
	if !assume.CredentialsKnown {
		alt := assume
		alt.Credentials = !alt.Credentials
		assumptions = append(assumptions, alt)
	}
	if assume.ModuleUnknown {
		for _, a := range slices.Clone(assumptions) {
			a.Module = true
			assumptions = append(assumptions, a)
		}
	}
	if !assume.InitiatorKnown {
		for _, a := range slices.Clone(assumptions) {
			a.Initiator = check.XHR
			if assume.Initiator == check.XHR {
				a.Initiator = check.Fetch
			}
			assumptions = append(assumptions, a)
		}
	}
	var outs []*outcome
	for _, a := range assumptions {
		req := base
		applyAssumption(&req, a)
		o := j.explain(ctx, c, req, a)
		if ie := (*check.InputError)(nil); errors.As(o.err, &ie) {
			if k.mode == "no-cors" {
				// No CORS check runs on a no-cors load, in any
				// browser, even where Explain does not model the
				// element's request.
				q.Kind, q.Verdict = kindName(req), Opaque
				q.Explanation = "A no-cors load (no crossorigin attribute): no CORS check runs, the element uses the response, and the page cannot read it."
				q.Explain, q.Live = explainCommand(req), req
				return q, ""
			}
			return nil, "corscheck cannot judge it: " + ie.Error()
		}
		outs = append(outs, o)
	}

	// An assumption under which the browser could not have done what the
	// recording shows is ruled out; the first of the others wins.
	if kept := slices.DeleteFunc(slices.Clone(outs), func(o *outcome) bool { return !j.consistent(o, c, q.Recorded) }); len(kept) > 0 {
		outs = kept
	}
	o := outs[0]
	q.Assumed = o.assumed
	q.fill(o, j)
	seen := map[string]bool{o.signature(): true}
	for _, alt := range outs {
		if seen[alt.signature()] {
			continue
		}
		seen[alt.signature()] = true
		a := Alternative{Assumed: alt.assumed, If: describeAssumption(alt.assumed, o.assumed), Verdict: alt.verdict}
		if alt.res != nil && alt.verdict == Blocked {
			a.Reason, a.Message, a.Console = alt.res.Reason, alt.res.Message, alt.res.Console
		}
		q.Alternatives = append(q.Alternatives, a)
	}
	if q.Kind == "" {
		q.Kind = kindName(o.req)
	}
	q.Explain, q.Live = explainCommand(o.req), o.req
	q.Disagreement = j.disagreement(q, c)
	q.Settle = len(q.Missing) > 0 || len(q.Alternatives) > 0 || q.Disagreement != ""
	return q, ""
}

var destinations = map[string]check.Destination{
	"font": check.DestinationFont, "script": check.DestinationScript,
	"image": check.DestinationImage, "style": check.DestinationStyle,
}

func applyAssumption(req *check.Request, a Assumption) {
	if req.Destination == check.DestinationFetch {
		req.Credentials = a.Credentials
		req.Initiator = a.Initiator
		return
	}
	req.Module = a.Module
	if a.Credentials && req.CrossOrigin == check.CrossOriginAnonymous {
		req.CrossOrigin = check.CrossOriginUseCredentials
	}
}

func describeAssumption(a, primary Assumption) string {
	var parts []string
	if a.Credentials != primary.Credentials {
		if a.Credentials {
			parts = append(parts, "the request carried credentials (credentials: 'include', withCredentials, crossorigin=use-credentials)")
		} else {
			parts = append(parts, "the request carried no credentials")
		}
	}
	if a.Module != primary.Module {
		if a.Module {
			parts = append(parts, "the script is an ES module (<script type=module>)")
		} else {
			parts = append(parts, "the script is a classic <script crossorigin>")
		}
	}
	if a.Initiator != primary.Initiator {
		parts = append(parts, "an "+string(a.Initiator)+" made it")
		if a.Initiator == check.Fetch {
			parts[len(parts)-1] = "fetch() made it"
		}
	}
	return "if " + strings.Join(parts, " and ")
}

// credentials reports whether the HAR proves that the request carried
// credentials: a request to another origin than the page's (origin)
// carries cookies only in credentials mode "include" (on the page's own
// origin, "same-origin" sends them too).
func credentials(c *chain, origin string) bool {
	e := c.crossOrigin(origin)
	if e == nil {
		return false
	}
	_, ok := e.RequestHeader("Cookie")
	return ok || e.RequestCookies > 0
}

// needsPreflight reports whether a request with this method and these
// headers needs a preflight by the standard's rules alone; a recorded
// preflight for one that does not was forced (upload listeners).
func needsPreflight(method string, h http.Header) bool {
	if !fetch.IsSafelistedMethod(method) {
		return true
	}
	for name, vs := range h {
		for _, v := range vs {
			if !fetch.IsSafelistedRequestHeader(name, v) {
				return true
			}
		}
	}
	return false
}

// explain runs check.Explain on c under the assumption a.
func (j *judge) explain(ctx context.Context, c *chain, req check.Request, a Assumption) *outcome {
	rp := &replay{c: c}
	client := &http.Client{Transport: rp}
	res, err := check.Explain(ctx, client, req)
	o := &outcome{assumed: a, req: req, res: res, err: err, replay: rp}
	var nr *notRecorded
	var mm *mismatch
	switch {
	case errors.As(err, &nr):
		o.verdict = Unknown
		if j.failed(c) {
			o.verdict = Blocked
			if f := j.lastRecorded(c).Failure; f != "" && !isCORSFailure(f) {
				o.verdict = Failed
			}
		}
	case errors.As(err, &mm), err != nil:
		o.verdict = Unknown
	case res.Opaque:
		o.verdict = Opaque
	case res.Allowed:
		o.verdict = Allowed
	default:
		o.verdict = Blocked
	}
	return o
}

// isCORSFailure reports whether a writer's failure text may be a CORS
// failure: Chromium fails a request CORS blocked with net::ERR_FAILED, and
// other texts name other causes (net::ERR_CONNECTION_REFUSED,
// net::ERR_BLOCKED_BY_CLIENT, net::ERR_ABORTED, …).
func isCORSFailure(text string) bool {
	return strings.Contains(text, "ERR_FAILED") || !strings.Contains(text, "ERR_")
}

// lastRecorded is the last hop of c the HAR has.
func (j *judge) lastRecorded(c *chain) *Entry { return c.hops[len(c.hops)-1] }

// failed reports whether the writer recorded the failure of c: a last hop
// without a response, or with a failure text.
func (j *judge) failed(c *chain) bool {
	e := j.lastRecorded(c)
	return e.Failure != "" || !received(e)
}

func (j *judge) recorded(c *chain) Recorded {
	e := j.lastRecorded(c)
	r := Recorded{Status: e.Status, Failure: e.Failure}
	switch {
	case j.failed(c):
		r.Outcome = "failed"
	case j.w.failures:
		r.Outcome = "received"
	default:
		r.Outcome = "response"
	}
	return r
}

// consistent reports whether o's verdict fits what the writer recorded:
// the failure or delivery a Chromium writer records, and, for any writer,
// a request that was sent, which proves its preflight passed.
func (j *judge) consistent(o *outcome, c *chain, r Recorded) bool {
	switch r.Outcome {
	case "failed":
		if o.verdict == Allowed || o.verdict == Opaque {
			return false
		}
	case "received":
		if o.verdict != Allowed && o.verdict != Opaque {
			return false
		}
	}
	return !(o.verdict == Blocked && o.res != nil && o.res.Stage == check.StagePreflight && preflightProven(c, o.res))
}

// preflightProven reports whether the HAR proves that the preflight res
// blocked passed after all: the browser sent the request it preceded,
// the hop reached after as many actual requests as res made.
func preflightProven(c *chain, res *check.Result) bool {
	n := 0
	for _, ex := range res.Exchanges {
		if ex.Kind == check.ActualRequest {
			n++
		}
	}
	return n < len(c.hops) && received(c.hops[n])
}

// disagreement says how q's verdict contradicts the recording, or "".
func (j *judge) disagreement(q *Request, c *chain) string {
	switch {
	case q.Recorded.Outcome == "failed" && q.Verdict == Allowed:
		what := "no response"
		if q.Recorded.Failure != "" {
			what = q.Recorded.Failure
		}
		return fmt.Sprintf("the recording shows the request failed (%s), but the exchanges it recorded pass every CORS check: something else failed it (a network error, an extension, a Content Security Policy, the page cancelling it), or the browser saw headers the HAR does not have", what)
	case q.Recorded.Outcome == "received" && q.Verdict == Blocked:
		return j.w.browser.Name() + " delivered the response to the page (no failure recorded), but corscheck blocks it: " + q.Message
	case q.Verdict == Blocked && q.Stage == check.StagePreflight && q.Result != nil && preflightProven(c, q.Result):
		return "the browser sent the request, so its preflight passed, but corscheck refuses the recorded preflight: " + q.Message
	}
	return ""
}

// fill copies outcome o into q.
func (q *Request) fill(o *outcome, j *judge) {
	q.Verdict = o.verdict
	if o.replay.inferred {
		q.Inferred = append(q.Inferred, "the preflight is not in the HAR, but the browser sent the request, which it does only after a preflight passes (or with one cached): it is taken as passed")
	}
	var nr *notRecorded
	var mm *mismatch
	switch {
	case errors.As(o.err, &nr):
		q.Missing = append(q.Missing, nr.Error())
		if q.Verdict == Blocked {
			what := "no response"
			if f := q.Recorded.Failure; f != "" {
				what = f
			}
			q.Explanation = "The recording shows that the browser failed the request (" + what + "), but it keeps nothing to tell why; the corscheck explain command below repeats the request live and says why."
		}
		if q.Verdict == Failed {
			q.Explanation = "The request failed with " + q.Recorded.Failure + ", which is not a CORS failure."
		}
	case errors.As(o.err, &mm):
		q.Missing = append(q.Missing, mm.Error())
	case o.err != nil:
		q.Missing = append(q.Missing, o.err.Error())
	}
	if o.res == nil {
		return
	}
	r := o.res
	q.Result = r
	if o.err == nil {
		q.Stage, q.Reason, q.FailedParameter = r.Stage, r.Reason, r.FailedParameter
		q.Message, q.Console = r.Message, r.Console
		q.Explanation, q.Fix = r.Explanation, r.Fix
	}
	for _, w := range r.Warnings {
		if !strings.Contains(w, "not sent") {
			q.Warnings = append(q.Warnings, w)
		}
	}
	q.LocalNetworkAccess = lnaUnknown(r, j.browser)
}

// lnaUnknown says, for Chromium, which enforces Local Network Access, that
// the HAR does not show the address space of the page or of a URL the
// request reached, and what that leaves open; "" when LNA was judged or
// needs no judging.
func lnaUnknown(r *check.Result, b check.Browser) string {
	lna := r.LocalNetworkAccess
	if b != check.Chromium || lna == nil || (lna.PageAddressSpace != "unknown" && lna.TargetAddressSpace != "unknown") {
		return ""
	}
	var why []string
	if lna.PageAddressSpace == "unknown" {
		why = append(why, lna.PageFrom)
	}
	if lna.TargetAddressSpace == "unknown" && !slices.Contains(why, lna.TargetFrom) {
		why = append(why, lna.TargetFrom)
	}
	return "Local Network Access cannot be known from this HAR, and corscheck does no DNS lookup: " + strings.Join(why, "; ") +
		". Chromium refuses a request from a page on the public internet to a private or loopback address before sending it, whatever the server answers; the verdict here is that of the CORS check alone."
}

// kindName names what made req.
func kindName(req check.Request) string {
	if req.Destination != check.DestinationFetch {
		k := string(req.Destination)
		if req.Module {
			k = "module script"
		}
		if req.CrossOrigin != check.CrossOriginNone {
			k += " (crossorigin " + string(req.CrossOrigin) + ")"
		}
		return k
	}
	if req.Initiator == "" {
		return string(check.Fetch)
	}
	return string(req.Initiator)
}

// browserAdded are headers the browser adds itself that scripts may also
// set, so that Fetch does not forbid them: Chromium and Firefox add
// User-Agent and Accept-Language, Firefox Priority (RFC 9218), both
// Upgrade-Insecure-Requests on navigations.
var browserAdded = map[string]bool{
	"user-agent": true, "accept-language": true, "priority": true, "upgrade-insecure-requests": true,
}

// scriptHeaders returns the headers of e that the script set, in the
// recorded order: every recorded header but the forbidden ones (the
// browser's own: Origin, Referer, Cookie, Sec-*, …), those the browser adds
// (browserAdded), the default Accept: */*, and, when the preflight p is
// recorded, any other header its Access-Control-Request-Headers does not
// name and no safelist accepts (the browser added it: DevTools' "disable
// cache" adds Cache-Control and Pragma). A name p asked for that e lacks
// (a sanitized export removes Authorization) gets a placeholder value.
func scriptHeaders(e *Entry, p *Entry) (h http.Header, order, notes []string) {
	var asked []string
	if p != nil {
		v, _ := p.RequestHeader(fetch.HeaderRequestHeaders)
		asked, _ = fetch.ParseTokenList(v)
	}
	isAsked := func(name string) bool {
		return slices.ContainsFunc(asked, func(a string) bool { return strings.EqualFold(a, name) })
	}
	h = http.Header{}
	for _, x := range e.RequestHeaders {
		name, lower := x.Name, strings.ToLower(x.Name)
		switch {
		case name == "" || strings.HasPrefix(name, ":"):
			continue
		case fetch.IsForbiddenRequestHeaderValue(name, x.Value):
			continue
		case browserAdded[lower] && !isAsked(name):
			continue
		case lower == "accept" && x.Value == fetch.DefaultAccept:
			continue
		case p != nil && !isAsked(name) && !fetch.IsSafelistedRequestHeader(name, x.Value):
			continue
		}
		if _, ok := h[name]; !ok {
			order = append(order, name)
		}
		h[name] = append(h[name], x.Value)
	}
	for _, a := range asked {
		if !slices.ContainsFunc(order, func(n string) bool { return strings.EqualFold(n, a) }) {
			h[a] = []string{placeholder}
			order = append(order, a)
			notes = append(notes, "the preflight asked for "+a+", which the recorded request lacks (a sanitized export removes Authorization and Cookie): its value is unknown, but only its presence matters to CORS")
		}
	}
	return h, order, notes
}

// explainCommand is the corscheck explain command that makes req live.
func explainCommand(req check.Request) string {
	args := []string{"corscheck", "explain", shellWord(req.URL), "--origin", shellWord(req.Origin)}
	if req.Destination != check.DestinationFetch {
		args = append(args, "--destination", string(req.Destination))
		if req.CrossOrigin != check.CrossOriginNone {
			args = append(args, "--crossorigin", string(req.CrossOrigin))
		}
		if req.Module {
			args = append(args, "--module")
		}
	} else {
		if req.Method != "" && req.Method != http.MethodGet {
			args = append(args, "--method", shellWord(req.Method))
		}
		for _, n := range req.HeaderOrder {
			for _, v := range req.Header[n] {
				args = append(args, "-H", shellWord(n+": "+v))
			}
		}
		if req.Credentials {
			args = append(args, "--credentials")
		}
		switch {
		case req.ForcePreflight:
			args = append(args, "--xhr-upload")
		case req.Initiator == check.XHR:
			args = append(args, "--xhr")
		}
		if strings.TrimSpace(req.Body) != "" {
			args = append(args, "--data", shellWord(req.Body))
		}
	}
	if req.Cookie != "" && (req.Credentials || req.CrossOrigin == check.CrossOriginUseCredentials) {
		args = append(args, "--cookie", shellWord(req.Cookie))
	}
	if req.Browser != check.Chromium && req.Browser != "" {
		args = append(args, "--browser", string(req.Browser))
	}
	return strings.Join(args, " ")
}

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
