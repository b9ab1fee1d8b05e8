package check

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/corskit/cors/internal/engine"
	"github.com/corskit/cors/internal/fetch"
)

// Request describes the cross-origin call a page makes: what a script passes
// to fetch() or XMLHttpRequest, and the page's origin.
type Request struct {
	// URL is the absolute http or https URL the script fetches.
	URL string `json:"url"`
	// Origin is the page's origin as a browser serialises it
	// ("https://app.example.com", no path, no default port), or "null" for
	// an opaque origin (sandboxed iframe, file: page).
	Origin string `json:"origin"`
	// Method is the request method; "" means GET. It is normalised as
	// browsers do (only DELETE GET HEAD OPTIONS POST PUT are upper-cased).
	Method string `json:"method,omitempty"`
	// Header holds the headers the script sets. Forbidden request-headers
	// (Cookie, Origin, Sec-*, …) are dropped with a warning, as the browser
	// drops them.
	Header http.Header `json:"header,omitempty"`
	// HeaderOrder optionally lists the names of Header in the order the
	// script set them. It only matters for an XMLHttpRequest refused for
	// several headers: which one Chromium's console line names depends on
	// it (see internal/engine).
	HeaderOrder []string `json:"headerOrder,omitempty"`
	// Credentials is credentials: 'include' for fetch(), withCredentials =
	// true for XMLHttpRequest. The checker then uses the client's cookie jar,
	// if it has one, for the actual request (never for the preflight).
	Credentials bool `json:"credentials,omitempty"`
	// Initiator is Fetch (the default) or XHR; it changes the console text.
	Initiator Initiator `json:"initiator,omitempty"`
	// ForcePreflight is an XMLHttpRequest with upload listeners (or a
	// fetch() with a streamed body): the browser then preflights even a
	// simple request. Chromium does so only when the request has a body
	// (Body; XHR send() sets the upload listener flag only for a non-null
	// body): a GET, or a POST sent without a body, is not preflighted for
	// its listeners there. Firefox and Safari preflight it anyway.
	ForcePreflight bool `json:"forcePreflight,omitempty"`
	// Body is the request body, sent with the actual request. A fetch()
	// with a body and no Content-Type gets "Content-Type:
	// text/plain;charset=UTF-8", as the browser adds it (a safelisted
	// value, counted toward the 1024-byte total). fetch() refuses a body on
	// GET and HEAD (an InputError); XMLHttpRequest ignores it there.
	Body string `json:"body,omitempty"`
	// Cookie is the Cookie header the browser would attach from its cookie
	// jar. It is sent only when the request carries credentials
	// (Credentials, or an element whose credentials mode is "include"), and
	// only with the actual request: preflights never carry cookies.
	Cookie string `json:"cookie,omitempty"`
	// SendActual allows sending an actual request whose method is not GET,
	// HEAD or OPTIONS. Without it, Explain stops after the preflight and says
	// the actual request was not sent, so that explaining a DELETE never
	// deletes anything.
	SendActual bool `json:"sendActual,omitempty"`

	// Destination is what the page loads URL as when it is not a fetch() or
	// XMLHttpRequest call: a font (@font-face), a script, an image or a
	// stylesheet (see Destination). Such a request is a GET with no header,
	// body or Credentials of the script's: CrossOrigin and Module decide
	// its mode and credentials.
	Destination Destination `json:"destination,omitempty"`
	// CrossOrigin is the crossorigin attribute of the <img>, <script> or
	// <link rel=stylesheet> (none: a no-cors load, see Result.Opaque).
	CrossOrigin CrossOrigin `json:"crossOrigin,omitempty"`
	// Module: the script is an ES module (<script type=module>, or
	// import()), fetched in CORS mode. Import: it is loaded with import()
	// from a classic script or the page, not by <script type=module>
	// (Safari fetches those in mode no-cors: engine.Rules.ImportNoCORS).
	Module bool `json:"module,omitempty"`
	Import bool `json:"import,omitempty"`
	// Mode is the mode of a fetch() call (its init's mode): "" or ModeCORS,
	// ModeNoCORS or ModeSameOrigin. An element's mode comes from
	// Destination, CrossOrigin and Module instead.
	Mode Mode `json:"mode,omitempty"`
	// Keepalive is fetch()'s keepalive option.
	Keepalive bool `json:"keepalive,omitempty"`
	// ReferrerPolicy is fetch()'s referrerPolicy option ("" for the
	// page's, by default strict-origin-when-cross-origin).
	ReferrerPolicy string `json:"referrerPolicy,omitempty"`
	// Browser is the browser whose behaviour Explain reproduces: Chromium
	// (the default, ""), Firefox or Safari, or AllBrowsers for the three
	// at once (see Result.Browsers).
	Browser Browser `json:"browser,omitempty"`

	// PageAddressSpace is the page's address space for Local Network
	// Access (lna.go): "public", "local" or "loopback". Leave it empty to
	// derive it from the origin's host (an IP literal, a localhost name,
	// or the address DNS gives); set it when that cannot tell, such as a
	// public site's page opened on a development machine.
	PageAddressSpace string `json:"pageAddressSpace,omitempty"`
	// TargetAddressSpace is fetch()'s targetAddressSpace option ("local" or
	// "loopback"; "public"), "" when the script does not set it. Chromium
	// holds every URL the request reaches to it, a redirect's too.
	TargetAddressSpace string `json:"targetAddressSpace,omitempty"`
	// Resolver finds the addresses of the page's and the targets' host
	// names for Local Network Access, which goes by the address a name
	// resolves to (IP literals and localhost names need none). nil means
	// net.DefaultResolver, at most 2 s a name: the network of the machine
	// corscheck runs on. Give one to see the names as the page's network
	// saw them: a *net.Resolver that asks that network's DNS server, or
	// addresses recorded there (package har answers from a HAR's
	// serverIPAddress, and never resolves). A name it cannot answer (an
	// error, or no address) leaves that address space "unknown" and Local
	// Network Access unjudged: Result.LocalNetworkAccess then says so, with
	// the Resolver's error as PageFrom or TargetFrom.
	Resolver Resolver `json:"-"`
}

// Stage says how far the browser got.
type Stage string

const (
	// StageSameOrigin: the request stayed on the page's origin (it was
	// sent, and any redirect kept it there); CORS does not apply.
	StageSameOrigin Stage = "same-origin"
	// StagePreflight: the verdict was reached on the preflight (a failure,
	// or success with the actual request left unsent).
	StagePreflight Stage = "preflight"
	// StageActual: the verdict was reached on the actual response (or on a
	// redirect of it).
	StageActual Stage = "actual"
)

// RequestKind says what a request corscheck sent was for.
type RequestKind string

// The kinds of request.
const (
	// PreflightRequest is a CORS preflight (OPTIONS with
	// Access-Control-Request-Method).
	PreflightRequest RequestKind = "preflight"
	// ActualRequest is the request the page makes, at one of its URLs.
	ActualRequest RequestKind = "actual"
	// AuditRequest is one of Audit's probes.
	AuditRequest RequestKind = "audit"
	// HandshakeRequest is a WebSocket opening handshake from the page's
	// origin, HandshakeProbe the same from a made-up one
	// (ExplainWebSocket).
	HandshakeRequest RequestKind = "websocket"
	HandshakeProbe   RequestKind = "websocket-probe"
)

// Exchange is one request corscheck sent and the response it got.
type Exchange struct {
	Kind          RequestKind `json:"kind"`
	Method        string      `json:"method"`
	URL           string      `json:"url"`
	RequestHeader http.Header `json:"requestHeader"`
	Status        int         `json:"status"`
	Header        http.Header `json:"header"`
	// Body is the request body sent, if any.
	Body string `json:"body,omitempty"`
}

// CacheTimes are the seconds each browser keeps a successful preflight in
// its preflight cache, from Access-Control-Max-Age (default 5 when absent or
// invalid, 0 when negative) and each browser's cap.
type CacheTimes struct {
	Chromium int `json:"chromium"` // cap 7200
	Firefox  int `json:"firefox"`  // cap 86400
	Safari   int `json:"safari"`   // cap 600
}

// Result is Explain's verdict.
type Result struct {
	// Allowed reports whether the page can read the response. When the
	// actual request was not sent (see ActualSent) it means the preflight
	// passes; whether the actual response carries the right headers was not
	// verified.
	Allowed bool `json:"allowed"`
	// Preflight reports whether the browser sends a preflight first, and
	// PreflightWhy why (method, header names, forced).
	Preflight    bool     `json:"preflight"`
	PreflightWhy []string `json:"preflightWhy,omitempty"`
	// Stage is where the verdict was reached.
	Stage Stage `json:"stage"`
	// Reason is Chromium's CorsError name, "" when allowed; FailedParameter
	// is Chromium's hint (the ACAO value, the method, the header name…).
	// NetError is set instead of Reason when the browser fails the request
	// below CORS, as Chromium names the error ("net::ERR_TOO_MANY_REDIRECTS",
	// "net::ERR_UNSAFE_REDIRECT" for a redirect to data:, about:, file: or
	// blob:, "net::ERR_INVALID_REDIRECT"); each browser's own line is in
	// Console.
	Reason          CorsError `json:"reason"`
	FailedParameter string    `json:"failedParameter,omitempty"`
	NetError        string    `json:"netError,omitempty"`
	// Message is the exact console line Browser prints, "" when allowed;
	// the first one when it prints several (see Console).
	Message string `json:"message"`
	// Browser is the browser this Result speaks for.
	Browser Browser `json:"browser"`
	// Console is every CORS error line Browser logs for the request, in
	// order: Message and, in Firefox, "… (Reason: CORS request did not
	// succeed). Status code: (null)." after a failed preflight or
	// redirect, in Safari "Fetch API cannot load … due to access control
	// checks." after every failure. Warnings a browser logs for a request
	// it allows (Firefox's for Authorization allowed only by
	// Access-Control-Allow-Headers: *) are in Warnings.
	Console []string `json:"console,omitempty"`
	// Explanation says in plain words what went wrong, Fix what the server
	// must send instead.
	Explanation string `json:"explanation,omitempty"`
	Fix         string `json:"fix,omitempty"`
	// URL is the URL of the last request, InitialURL the one asked for;
	// they differ after redirects.
	URL        string `json:"url"`
	InitialURL string `json:"initialURL"`
	// Destination is Request.Destination; Mode and CredentialsMode are the
	// request's mode ("cors" or "no-cors") and credentials mode
	// ("same-origin" or "include"), as the browser derives them from the
	// destination, the crossorigin attribute, Module and Credentials.
	Destination     Destination     `json:"destination,omitempty"`
	Mode            Mode            `json:"mode"`
	CredentialsMode CredentialsMode `json:"credentialsMode"`
	// Opaque reports a no-cors load: an <img>, classic <script> or
	// stylesheet without crossorigin. The browser runs no CORS check, so it
	// loads (Allowed), but the page cannot read the response: a canvas that
	// draws the image is tainted, WebGL refuses it, script errors are
	// muted, cssRules throws.
	Opaque bool `json:"opaque,omitempty"`
	// Method is the normalised method; RequestHeaders is the value of
	// Access-Control-Request-Headers (the unsafe names) when preflighted.
	Method         string `json:"method"`
	RequestHeaders string `json:"requestHeaders,omitempty"`
	// ActualSent reports whether the actual request was sent; when not,
	// ActualNote says why.
	ActualSent bool   `json:"actualSent"`
	ActualNote string `json:"actualNote,omitempty"`
	// Readable lists the response headers of the actual response the page
	// can read (safelisted ones and those in Access-Control-Expose-Headers);
	// Exposed is the parsed Access-Control-Expose-Headers.
	Readable []string `json:"readableHeaders,omitempty"`
	Exposed  []string `json:"exposedHeaders,omitempty"`
	// Cache is the preflight cache lifetime per browser, when a preflight
	// passed.
	Cache *CacheTimes `json:"preflightCache,omitempty"`
	// Warnings are things that work today but are fragile or surprising.
	Warnings []string `json:"warnings,omitempty"`
	// Curl reproduces each request sent, one command each.
	Curl []string `json:"curl"`
	// Exchanges are the requests sent and the responses, in order.
	Exchanges []Exchange `json:"exchanges"`
	// Browsers holds, when Request.Browser is AllBrowsers, each browser's
	// own Result, keyed by Browser; the Result itself is then Chromium's.
	// Differences lists what differs between them: the verdict, the
	// stage, the preflight, the requests, the console lines.
	Browsers    map[Browser]*Result `json:"browsers,omitempty"`
	Differences []Difference        `json:"differences,omitempty"`
	// LocalNetworkAccess says whether Chromium's Local Network Access
	// applies (a public page calling a local or loopback address), with
	// the console line of each outcome (lna.go): at the URL where it
	// refused the request, else at the first URL of the request's way
	// where it applies, else at URL.
	LocalNetworkAccess *LocalNetworkAccess `json:"localNetworkAccess,omitempty"`
}

// An InputError says that the Request cannot describe a browser request: a
// bad URL or origin, a method or header name that is not a token, a method
// fetch() refuses. The CLI maps it to exit status 2.
type InputError struct {
	Field string // "url", "origin", "method", "header"
	Msg   string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Msg }

// A NetworkError says that a request could not be completed: DNS, refused
// connection, TLS, timeout, too many redirects. A browser reports these as a
// plain network failure (net::ERR_…), not as a CORS error. The CLI maps it to
// exit status 3.
type NetworkError struct {
	Kind RequestKind
	URL  string
	Err  error
}

func (e *NetworkError) Error() string {
	msg := e.Err.Error()
	if ue, ok := e.Err.(*url.Error); ok {
		msg = ue.Err.Error()
	}
	if errors.Is(e.Err, context.DeadlineExceeded) || isTimeout(e.Err) {
		msg = "timed out (" + msg + ")"
	}
	return string(e.Kind) + " request to " + e.URL + " failed: " + msg
}

func (e *NetworkError) Unwrap() error { return e.Err }

// mustParse parses an origin already validated by fetch.ParseOrigin.
func mustParse(origin string) *url.URL {
	u, err := url.Parse(origin)
	if err != nil {
		return &url.URL{}
	}
	return u
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// prepared is a validated Request.
type prepared struct {
	req        Request
	url        *url.URL
	method     string
	fields     []fetch.HeaderField
	kind       Initiator
	warnings   []string
	pageOrigin string
	body       string
	// autoAccept: the last of fields is the Accept the browser adds
	// itself; secure: the page is a secure context (https, or a loopback
	// host), so Chromium sends its default client hints. Both shape the
	// order in which Chromium checks the headers (engine.ChromiumHeaderCheckOrder).
	autoAccept bool
	secure     bool
	// dest, mode and credentials are the request's destination, mode and
	// credentials mode (see prepareDestination).
	dest        fetch.Destination
	mode        fetch.Mode
	credentials fetch.CredentialsMode
	// browser is the browser whose behaviour is reproduced, rules its
	// rules.
	browser Browser
	rules   *engine.Rules
}

// Explain does what a browser does for req and judges the answers as
// req.Browser does (Chromium when it is empty; see the package doc for
// where Firefox and Safari differ, and AllBrowsers for all three). For
// Chromium:
//
//  0. At every URL the request reaches, before anything is sent there, it
//     runs Local Network Access (see Result.LocalNetworkAccess and the
//     package documentation).
//  1. It decides whether a preflight is needed: a method other than GET,
//     HEAD, POST; a header that is not CORS-safelisted (including the
//     128-byte value rule, the per-header value rules and the 1024-byte
//     total rule); or req.ForcePreflight.
//  2. It sends the preflight as Chromium formats it (OPTIONS, Origin,
//     Access-Control-Request-Method, Access-Control-Request-Headers as
//     lower-case sorted names joined by ",", Accept: */*, Sec-Fetch-Mode:
//     cors) without credentials, never following a redirect, and judges it
//     in Chromium's order: redirect, then the CORS check
//     (Access-Control-Allow-Origin/-Credentials) with the Preflight…
//     variants, then the ok status, then the parse of
//     Access-Control-Allow-Methods and -Headers, then the method, then the
//     headers.
//  3. It sends the actual request (GET, HEAD and OPTIONS only, unless
//     req.SendActual) and runs the CORS check on every response, redirects
//     included. Redirects are followed as a browser follows them: at most
//     20, a Location with user:password fails, a cross-origin hop turns the
//     Origin into "null" and drops Authorization, 301/302 turn POST into GET,
//     and a request that needs a preflight is preflighted again at the new
//     URL.
//
// For what an element or @font-face loads (req.Destination), the request is
// a GET in the mode and credentials mode the markup gives it, never
// preflighted; a no-cors one gets no CORS check and is reported Opaque (see
// "Fonts, modules, images and stylesheets" in the package documentation).
//
// client sends the requests (nil means http.DefaultClient); its Transport,
// Timeout and Jar are used, but Explain never lets it follow redirects (it
// works on a copy). The Jar is used only for the actual request, and only
// when req.Credentials is set.
//
// The error is an *InputError when req is not a request a browser could
// make, a *NetworkError when a request fails below HTTP; a CORS failure is not
// an error: it is a Result with Allowed false.
func Explain(ctx context.Context, client *http.Client, req Request) (*Result, error) {
	if b, err := ParseBrowser(string(req.Browser)); err == nil && b == AllBrowsers {
		return explainAll(ctx, client, req)
	}
	p, err := prepare(req)
	if err != nil {
		return nil, err
	}
	req = p.req // with the credentials an element's crossorigin attribute implies
	lna, err := pageAddressSpace(ctx, p)
	if err != nil {
		return nil, err
	}
	if client == nil {
		client = http.DefaultClient
	}
	res := &Result{
		Browser:    p.browser,
		URL:        p.url.String(),
		InitialURL: p.url.String(),
		Method:     p.method,
		Warnings:   p.warnings,
		Curl:       []string{},
		Exchanges:  []Exchange{},

		Destination: req.Destination, Mode: Mode(p.mode), CredentialsMode: CredentialsMode(p.credentials),
	}
	c := &chain{
		ctx: ctx, p: p, res: res,
		noCreds: noRedirect(client, false), withJar: noRedirect(client, true),
		url: p.url, method: p.method, fields: p.fields, original: p.fields, body: p.body,
		startedSameOrigin: fetch.OriginOfURL(p.url).String() == p.pageOrigin,
		lna:               lna,
	}
	return c.follow()
}

func prepare(req Request) (*prepared, error) {
	p := &prepared{req: req, kind: req.Initiator}
	b, err := ParseBrowser(string(req.Browser))
	if err != nil || b == AllBrowsers {
		return nil, &InputError{"browser", fmt.Sprintf("%q is not one browser: write %s, %s or %s", req.Browser, Chromium, Firefox, Safari)}
	}
	p.browser, p.rules = b, b.rules()
	if p.kind == "" {
		p.kind = Fetch
	}
	if p.kind != Fetch && p.kind != XHR {
		return nil, &InputError{"initiator", fmt.Sprintf("%q is neither %q nor %q", req.Initiator, Fetch, XHR)}
	}
	if err := prepareDestination(p); err != nil {
		return nil, err
	}
	u, err := url.Parse(req.URL)
	switch {
	case req.URL == "":
		return nil, &InputError{"url", "missing URL"}
	case err != nil:
		return nil, &InputError{"url", fmt.Sprintf("cannot parse %q: %v", req.URL, errors.Unwrap(err))}
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, &InputError{"url", fmt.Sprintf("%q is not an absolute http:// or https:// URL", req.URL)}
	case u.Host == "" || u.Hostname() == "":
		return nil, &InputError{"url", fmt.Sprintf("%q has no host", req.URL)}
	case u.User != nil:
		return nil, &InputError{"url", "fetch() refuses URLs with user:password@"}
	}
	u.Fragment, u.RawFragment = "", "" // never sent
	p.url = u

	switch {
	case req.Origin == "":
		return nil, &InputError{"origin", "missing origin (the page's origin, e.g. https://app.example.com)"}
	case req.Origin == fetch.NullOrigin:
		p.pageOrigin = fetch.NullOrigin
	default:
		o, err := fetch.ParseOrigin(req.Origin)
		if err != nil {
			return nil, &InputError{"origin", fmt.Sprintf("%q is not an origin as browsers send it: %v", req.Origin, err)}
		}
		p.pageOrigin = o.String()
	}

	p.secure = p.pageOrigin == fetch.NullOrigin || fetch.IsPotentiallyTrustworthyOrigin(p.pageOrigin)

	m := req.Method
	if m == "" {
		m = "GET"
	}
	if !fetch.IsToken(m) {
		return nil, &InputError{"method", fmt.Sprintf("%q is not a valid method name", m)}
	}
	if fetch.IsForbiddenMethod(m) {
		return nil, &InputError{"method", fmt.Sprintf("%s is a forbidden method: fetch() and XMLHttpRequest throw before sending it", m)}
	}
	p.method = fetch.NormalizeMethod(m)
	if p.method != m && strings.ToUpper(m) != m {
		p.warnings = append(p.warnings, fmt.Sprintf("method %q is sent as %q (Fetch normalises only DELETE GET HEAD OPTIONS POST PUT)", m, p.method))
	} else if p.method == m && strings.ToUpper(m) != m {
		p.warnings = append(p.warnings, fmt.Sprintf("method %q is sent in lower case: Access-Control-Allow-Methods must list %q exactly (the comparison is case-sensitive)", m, m))
	}

	// The script's order (HeaderOrder) first, then the other names sorted:
	// the order matters to XMLHttpRequest (engine.ChromiumHeaderCheckOrder).
	names := make([]string, 0, len(req.Header))
	for _, name := range req.HeaderOrder {
		if _, ok := req.Header[name]; ok && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	rest := make([]string, 0, len(req.Header))
	for name := range req.Header {
		if !slices.Contains(names, name) {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	names = append(names, rest...)
	hasContentType := false
	for _, name := range names {
		if !fetch.IsToken(name) {
			return nil, &InputError{"header", fmt.Sprintf("%q is not a valid header name", name)}
		}
		// Headers.append and setRequestHeader combine repeated names into
		// one value joined by ", ", which is what the safelist and the
		// 1024-byte total then judge.
		var vals []string
		for _, v := range req.Header[name] {
			v = strings.Trim(v, " \t\r\n") // Headers.append normalises the value
			if strings.ContainsAny(v, "\r\n\x00") {
				return nil, &InputError{"header", fmt.Sprintf("the value of %s contains CR, LF or NUL", name)}
			}
			vals = append(vals, v)
		}
		v := strings.Join(vals, ", ")
		if fetch.IsForbiddenRequestHeaderValue(name, v) {
			p.warnings = append(p.warnings, fmt.Sprintf("header %s is a forbidden request-header: the browser silently drops it, so it is not sent", name))
			continue
		}
		if p.mode == fetch.ModeNoCORS && !fetch.IsNoCORSSafelistedRequestHeader(name, v) {
			// The Headers object of a no-cors Request ignores the others
			// (guard "request-no-cors", Fetch §5.1 "append" step 4).
			p.warnings = append(p.warnings, fmt.Sprintf("header %s is not a no-CORS-safelisted request-header: in mode no-cors fetch() silently drops it, so it is not sent", name))
			continue
		}
		hasContentType = hasContentType || strings.EqualFold(name, "Content-Type")
		p.fields = append(p.fields, fetch.HeaderField{Name: name, Value: v})
	}
	if p.mode == fetch.ModeNoCORS && !fetch.IsSafelistedMethod(p.method) {
		return nil, &InputError{"method", "fetch() throws a TypeError for a " + p.method + " request in mode no-cors: only GET, HEAD and POST are allowed there"}
	}
	switch {
	case (req.Keepalive || req.ReferrerPolicy != "") && (p.kind != Fetch || p.dest != fetch.DestinationEmpty):
		return nil, &InputError{"keepalive", "keepalive and referrerPolicy are options of fetch(): drop them, or explain a fetch() call"}
	case req.Keepalive && len(req.Body) > fetch.KeepaliveBodyLimit:
		return nil, &InputError{"body", fmt.Sprintf("fetch() throws a TypeError for a keepalive request whose body is over %d bytes", fetch.KeepaliveBodyLimit)}
	case req.ReferrerPolicy != "" && !fetch.IsReferrerPolicy(req.ReferrerPolicy):
		return nil, &InputError{"referrerPolicy", fmt.Sprintf("%q is not a referrer policy: write no-referrer, no-referrer-when-downgrade, same-origin, origin, strict-origin, origin-when-cross-origin, strict-origin-when-cross-origin or unsafe-url", req.ReferrerPolicy)}
	}
	if req.Body != "" {
		switch {
		case p.method == "GET" || p.method == "HEAD":
			if p.kind == Fetch {
				return nil, &InputError{"body", "fetch() throws a TypeError for a " + p.method + " request with a body"}
			}
			p.warnings = append(p.warnings, "XMLHttpRequest ignores the body of a "+p.method+" request: it is not sent")
		default:
			p.body = req.Body
			if !hasContentType {
				p.fields = append(p.fields, fetch.HeaderField{Name: "Content-Type", Value: "text/plain;charset=UTF-8"})
			}
		}
	}
	if !slices.ContainsFunc(p.fields, func(f fetch.HeaderField) bool { return strings.EqualFold(f.Name, "Accept") }) {
		p.fields = append(p.fields, fetch.HeaderField{Name: "Accept", Value: p.rules.Accept(p.dest)})
		p.autoAccept = true
	}
	if req.ForcePreflight && p.body == "" && p.rules.UploadPreflightNeedsBody {
		p.warnings = append(p.warnings, "upload listeners force a preflight only when the request has a body; this one has none, so "+p.rules.Name+" sends no preflight for them (Firefox and Safari do)")
	}
	return p, nil
}

// preflightReasons lists why a preflight is needed (Fetch §4.1 main fetch
// step 12's "CORS-preflight flag" conditions), empty when it is not.
func preflightReasons(method string, unsafe []string, forced bool) []string {
	var why []string
	if forced {
		why = append(why, "forced: an XMLHttpRequest with upload listeners (or a streamed body) always preflights")
	}
	if !fetch.IsSafelistedMethod(method) {
		why = append(why, "method "+method+" is not CORS-safelisted (only GET, HEAD, POST are)")
	}
	for _, n := range unsafe {
		why = append(why, "header "+n+" is not CORS-safelisted")
	}
	return why
}

// allowsCredentials reports whether h allows a request with credentials,
// the last step of the CORS check: Access-Control-Allow-Credentials is
// exactly "true". acac is the header's (combined) value.
func allowsCredentials(h http.Header) (acac string, ok bool) {
	acac, _ = fetch.CombinedValue(h, fetch.HeaderAllowCredentials)
	return acac, acac == "true"
}

// readable returns the parsed Access-Control-Expose-Headers and the names of
// the response headers present in h that a page can read (Fetch §3.2.3 and
// "CORS-safelisted response-header name"): the safelisted ones, the exposed
// ones, or all but Set-Cookie when "*" is exposed to a request without
// credentials, or all of them on a same-origin response (sameOrigin). An
// unparsable Expose-Headers exposes nothing extra.
func readable(h http.Header, creds, sameOrigin bool) (exposed, names []string) {
	v, _ := fetch.CombinedValue(h, fetch.HeaderExposeHeaders)
	exposed, _ = fetch.ParseTokenList(v)
	all := sameOrigin || !creds && slices.Contains(exposed, fetch.Wildcard)
	for name := range h {
		if fetch.IsForbiddenResponseHeader(name) {
			continue
		}
		if all || fetch.IsSafelistedResponseHeader(name) || slices.ContainsFunc(exposed, func(e string) bool { return strings.EqualFold(e, name) }) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return exposed, names
}

// curlFor returns a curl command that repeats ex.
func curlFor(ex *Exchange, creds bool) string {
	var b strings.Builder
	b.WriteString("curl -i")
	switch ex.Method {
	case "GET":
	case "HEAD":
		b.WriteString(" -I")
	default:
		b.WriteString(" -X " + shellQuote(ex.Method))
	}
	b.WriteString(" " + shellQuote(ex.URL))
	keys := make([]string, 0, len(ex.RequestHeader))
	for k := range ex.RequestHeader {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k == "User-Agent" {
			continue
		}
		for _, v := range ex.RequestHeader[k] {
			b.WriteString(" -H " + shellQuote(k+": "+v))
		}
	}
	if ex.Body != "" {
		b.WriteString(" --data-raw " + shellQuote(ex.Body))
	}
	if creds && ex.RequestHeader.Get("Cookie") == "" {
		b.WriteString(" -b 'name=value'  # the page's cookies")
	}
	return b.String()
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
