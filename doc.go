// Package cors is an HTTP middleware for Cross-Origin Resource Sharing: the
// headers a server sends so that browsers let a page on one origin read its
// responses (Fetch standard, https://fetch.spec.whatwg.org/#http-cors-protocol).
//
// A policy is a Config. New validates it once, reporting every problem at
// once, and the returned Middleware then answers each request from a
// precompiled form of it:
//
//	m, err := cors.New(cors.Config{
//		AllowedOrigins:   []string{"https://app.example.com", "https://*.example.org"},
//		AllowedMethods:   []string{http.MethodPut, http.MethodDelete},
//		AllowedHeaders:   []string{"Content-Type", "Authorization"},
//		ExposedHeaders:   []string{"X-Request-Id"},
//		AllowCredentials: true,
//		MaxAge:           600,
//	})
//	if err != nil {
//		log.Fatal(err) // every problem in the config, each with what to write instead
//	}
//	http.ListenAndServe("localhost:8000", m.Handler(mux))
//
// For a public API that any page may call without credentials, AllowAll is
// the equivalent of Express's cors(). The repository's README has a
// complete program, the curl commands that show it at work, and the same
// with the chi router.
//
// # The policy
//
// Each field of Config has its own documentation; in short:
//
//   - AllowedOrigins: the origins whose pages may read responses: exact
//     origins ("https://app.example.com"), any subdomain
//     ("https://*.example.com"), any port ("http://localhost:*"), both, or
//     "*" for any origin (only without AllowCredentials). AllowOriginFunc
//     decides, per request, for origins no pattern matches.
//   - AllowedMethods: the methods beyond GET, HEAD and POST (always
//     allowed) that pages may use; "*" for any.
//   - AllowedHeaders: the request headers pages may send, beyond the
//     CORS-safelisted ones; "*" for any, except that without
//     AllowCredentials it does not cover Authorization, which must then be
//     listed by name.
//   - ExposedHeaders: the response headers pages may read, beyond the
//     safelisted ones (Content-Type, Content-Length, Cache-Control, …); "*"
//     for all (only without AllowCredentials).
//   - AllowCredentials: pages may send cookies, HTTP authentication and
//     client certificates, and read the answers.
//   - MaxAge: how long a browser may cache a successful preflight.
//   - AllowPrivateNetwork, PreflightStatus, PreflightPassthrough: for
//     Chromium 104 to 141's Private Network Access preflights (Chromium
//     142 and later ask the user instead, Local Network Access, and no
//     header helps), for old clients, and for applications that answer
//     preflights themselves.
//   - OnReject: hears about every refused CORS request, with a Reason.
//   - The three Dangerously… fields: allow, knowingly, what validation
//     otherwise refuses as insecure (see below).
//
// # Validation
//
// New and Reconfigure refuse, as *ConfigError values joined into one error,
// everything a browser would never match or that would be insecure. Each
// error names the field and the value, and says what to write instead:
//
//   - a policy that allows no origin: neither AllowedOrigins nor
//     AllowOriginFunc;
//   - "*" together with AllowCredentials: browsers refuse
//     "Access-Control-Allow-Origin: *" on credentialed requests, and the
//     usual workaround, reflecting every origin, lets any site act as your
//     users; "*" together with other patterns or with AllowOriginFunc,
//     which would never be consulted;
//   - origin patterns that are not origins as browsers serialise them: a
//     path or trailing slash, a query, a fragment, userinfo, upper case, an
//     explicit default port (":443" on https), a port on a scheme other than
//     http(s), ws(s) and ftp (extensions and app webviews have none), a bad
//     port or host, a "*" anywhere but "*." in front of a domain or ":*" as
//     the port. Hosts are held to the URL Standard's parser: IPv4 only in
//     dotted decimal without a trailing dot ("127.1" and "127.0.0.1." are
//     refused, with "127.0.0.1" suggested), IPv6 only in the form browsers
//     print (lower-case hex, the longest run of zeros as "::", and never a
//     dotted IPv4 part: "[::ffff:7f7f:7f7f]", not
//     "[::ffff:127.127.127.127]"), internationalised names only in valid
//     Punycode ("bücher.example" gets "xn--bcher-kva.example" suggested;
//     "xn--f" is refused). Matching is byte for byte, so such a pattern
//     could never match, or would only look as if it did; the error says
//     what to write instead, and what it suggests is exactly what a browser
//     sends (a test replays a corpus of such strings recorded in real
//     browsers);
//   - "null", unless DangerouslyAllowNullOrigin: any page can send
//     "Origin: null" from a sandboxed iframe; and file: origins, always,
//     flag or not: browsers send "Origin: null" for a file: page, never a
//     file: origin (to allow such pages, write "null" with
//     DangerouslyAllowNullOrigin);
//   - with AllowCredentials, plain-http origins other than loopback ones
//     (anyone on the network path can impersonate them), unless
//     DangerouslyAllowInsecureOrigins; and "*." directly under a public
//     suffix (https://*.com, https://*.github.io, where anyone can register
//     a name), unless DangerouslyAllowPublicSuffixWildcards. Without
//     credentials both are allowed, and http://*.localhost stays legal
//     either way: no one else can own those names;
//   - the forbidden methods CONNECT, TRACE and TRACK, which browsers never
//     send, and method or header names that are not HTTP tokens;
//   - forbidden request headers (Cookie, Host, Sec-…, Proxy-…), which
//     scripts cannot set, so allowing them means nothing; CORS response
//     headers listed as request headers; Set-Cookie in ExposedHeaders;
//     more than 64 names in AllowedHeaders, more than one preflight may
//     request (see Access-Control-Request-Headers);
//   - "*" in ExposedHeaders with AllowCredentials (the browser would read it
//     literally); MaxAge above 86400; PreflightStatus outside 2xx.
//
// Middleware.Config returns the normalised policy: methods upper-cased where browsers
// upper-case them, GET, HEAD and POST dropped (always allowed), header
// names lower-cased and sorted, safelisted response headers dropped from
// ExposedHeaders. A Config also round-trips through encoding/json.
//
// # What the browser observes
//
// A request is a preflight when its method is OPTIONS and it carries both
// Origin and Access-Control-Request-Method (Fetch §3.2.2). Every other
// request with an Origin is an actual CORS request; a request without
// Origin is not a CORS request at all. In particular, a plain OPTIONS
// request reaches the application untouched, so that its own Allow header
// answers it.
//
// An actual request from an allowed origin runs the handler, and the
// response carries Access-Control-Allow-Origin (the request's origin, or
// "*" for AllowedOrigins: ["*"]), Access-Control-Allow-Credentials: true
// when configured, and Access-Control-Expose-Headers when configured. From
// any other origin the handler runs too, and no CORS header is added: the
// browser blocks the page from reading the answer. There is no error page
// and no 500; OnReject hears about it.
//
// A successful preflight is answered with PreflightStatus (204 by default)
// without calling the handler (unless PreflightPassthrough), with
// Access-Control-Allow-Origin, -Credentials, -Methods (the configured list,
// when the requested method is not GET, HEAD or POST), -Headers (the
// configured list, when headers were requested) and -Max-Age. A preflight
// for a safelisted method with no request headers, which browsers send for
// XMLHttpRequest uploads with progress listeners and for streamed bodies,
// succeeds from any allowed origin. A rejected preflight gets 403 and no
// CORS header at all, so strangers learn nothing of the policy; the
// browser's console then reports a missing Access-Control-Allow-Origin
// header, whatever the real cause (see Debugging).
//
// Methods are compared byte for byte after the browser's normalisation
// (Fetch "normalize a method"): browsers upper-case DELETE, GET, HEAD,
// OPTIONS, POST and PUT, and only those, so a page calling
// fetch(u, {method: "patch"}) sends "patch" and needs "patch" in
// AllowedMethods. Header names are compared without regard to case.
//
// "*" means "anything" only without credentials, as in Fetch. With
// AllowCredentials, AllowedMethods: ["*"] echoes the requested method and
// AllowedHeaders: ["*"] echoes the requested headers, after checking they
// are well-formed. Without credentials, AllowedHeaders: ["*"] never covers
// Authorization (Fetch's one "non-wildcard request-header"): list it by
// name, and the answer becomes "*,authorization".
//
// The response never carries two Access-Control-Allow-Origin values (the
// middleware sets, never adds, its headers) and never "*" together with
// credentials.
//
// # Vary and caches
//
// Whenever the answer depends on the request's Origin (any policy but
// AllowedOrigins: ["*"]), every response carries "Vary: Origin": CORS or
// not, allowed or not, so that a shared cache never serves one origin's
// answer to another. Preflight responses also vary on
// Access-Control-Request-Method and -Headers. The value is added after
// whatever Vary an outer handler set, never in its place, and not at all
// when Vary is "*" or already names it. Handlers behind the middleware
// should likewise use w.Header().Add("Vary", …), not Set. The one exception
// is a rejected preflight, which carries no header at all: responses to
// OPTIONS are not cacheable (RFC 9110 §9.3.7), and answering strangers with
// nothing keeps that path free of allocations. With AllowedOrigins: ["*"]
// the answer does not depend on Origin, so there is no "Vary: Origin", and
// "Access-Control-Allow-Origin: *" is sent on every response, CORS or not;
// a successful preflight still varies on Access-Control-Request-Method and
// -Headers, since whether it carries Access-Control-Allow-Methods and
// -Headers depends on them.
//
// # Access-Control-Request-Headers
//
// Browsers send this header as one line of lower-case, sorted,
// de-duplicated names joined by commas. Tests, curl users and some proxies
// send other spellings, and the middleware accepts them all: any case, any
// order, spaces and tabs around the commas, empty elements, duplicates,
// several header lines, and names of any length (the Fetch standard sets
// no limit, and a page can send a long one). What it does not accept is
// unbounded work: at most 16 bytes of white space may surround a name, at
// most 16 elements may be empty and at most 64 names may be requested in
// all. A request beyond those limits, which no browser sends unless a page
// sets more than 64 non-safelisted headers, is rejected as HeadersMalformed
// as soon as the limit is reached, so a hostile 1 MiB header of commas,
// spaces or repeated names costs what a short one costs; a long name costs
// time in proportion to its length. New agrees with the request path: it
// refuses AllowedHeaders with more than 64 names (TooManyHeaders), so every
// set of names a policy allows can be requested at once. The scan
// allocates nothing.
//
// # Routing: let preflights reach the middleware
//
// Preflights use the method OPTIONS. A Go 1.22+ ServeMux pattern with a
// method, such as "GET /api/items", never matches OPTIONS, so wrapping only
// that route's handler means its preflights get the mux's 405 and fail.
// Wrap the whole mux (or a sub-mux) instead:
//
//	mux := http.NewServeMux()
//	mux.HandleFunc("GET /api/items", listItems)
//	mux.HandleFunc("PUT /api/items/{id}", putItem)
//	http.ListenAndServe(":3000", m.Handler(mux))
//
// The middleware answers preflights before the mux sees them, and decorates
// every other response. To apply different policies to different routes,
// wrap each route's handler and register it without a method ("/api/items"),
// dispatching on r.Method inside.
//
// # Static assets: fonts, modules, images for canvas
//
// Images, classic scripts and stylesheets load from any origin without
// CORS: an <img>, <script> or <link rel=stylesheet> without a crossorigin
// attribute makes a no-cors request, which carries no Origin and which no
// CORS header changes. The browser shows or runs what comes back, but the
// page cannot read it. Three kinds of asset do need a policy:
//
//   - fonts named by @font-face, which browsers always fetch in CORS mode:
//     without Access-Control-Allow-Origin the text silently falls back to
//     the next font in font-family;
//   - ES modules (<script type=module>, import()), always fetched in CORS
//     mode too (and only run when served as JavaScript, e.g.
//     Content-Type: text/javascript);
//   - anything a page loads with crossorigin="anonymous" in order to read
//     it: an image drawn into a canvas and read back with getImageData,
//     toDataURL or toBlob, or uploaded as a WebGL texture (without
//     crossorigin the canvas is tainted and those throw a SecurityError,
//     whatever headers the server sends); a script whose errors the page
//     wants in full rather than as "Script error.".
//
// These requests are GETs without headers of the page's choosing, so they
// never need a preflight, and they carry no cookies to another origin
// unless the element says crossorigin="use-credentials". The policy for
// public assets is therefore short:
//
//	assets, err := cors.New(cors.Config{AllowedOrigins: []string{"*"}})
//	if err != nil {
//		log.Fatal(err)
//	}
//	mux.Handle("/static/", assets.Handler(http.StripPrefix("/static/", http.FileServerFS(files))))
//
// No AllowedMethods (GET and HEAD need none), no AllowedHeaders, no
// AllowCredentials. With "*" every response carries
// Access-Control-Allow-Origin: *, to CORS and no-cors requests alike, and
// no Vary: Origin, so a cache or CDN in front may keep one copy for every
// page. Naming your pages' origins instead (AllowedOrigins:
// []string{"https://app.example.com"}) works as well, but the answer then
// depends on Origin and carries Vary: Origin: a cache or CDN in front must
// honour Vary (or key on Origin), or it hands one page's answer to another
// page, including the answer to an <img>'s no-cors request, which has no
// Access-Control-Allow-Origin at all, and fonts then fail at random. Only
// crossorigin="use-credentials" needs the credentialed form: the page's
// origin by name and AllowCredentials: true.
//
// The checker explains such loads as Chromium makes them (corscheck
// explain --destination font|script|image|style, check.Request.Destination),
// and the demo (cmd/corsdemo) shows each case in a real browser.
//
// # CORS is not CSRF protection
//
// CORS decides who may read responses; it does not stop a page on another
// site from sending a request. A form post or a simple fetch from any site
// still reaches your handler, with the user's cookies, whether or not the
// policy allows that origin. Protect state-changing endpoints against
// cross-site request forgery separately. Since Go 1.25,
// http.CrossOriginProtection does this by rejecting non-safe cross-origin
// requests; pair it with the CORS middleware, telling it which origins the
// CORS policy trusts:
//
//	csrf := http.NewCrossOriginProtection()
//	if err := csrf.AddTrustedOrigin("https://app.example.com"); err != nil {
//		log.Fatal(err)
//	}
//	handler := m.Handler(csrf.Handler(mux))
//
// Put the CORS middleware outside, so preflights are answered before the
// CSRF check (which lets OPTIONS through anyway).
//
// # WebSockets
//
// Browsers apply no CORS check to WebSockets. A page on any site can open
// a socket to your server, with the user's cookies, and read what is sent
// on it (cross-site WebSocket hijacking); only the server's check of the
// handshake's Origin header stops it. The same policy can govern both:
// give CheckOrigin to gorilla/websocket (it has the shape of
// Upgrader.CheckOrigin), or wrap the WebSocket handler with
// GuardWebSockets, which refuses a handshake from an origin the policy
// does not allow with 403 before the library sees it (for coder/websocket,
// whose own check can then be skipped with InsecureSkipVerify):
//
//	upgrader := websocket.Upgrader{CheckOrigin: m.CheckOrigin}   // gorilla/websocket
//	mux.Handle("/ws", m.GuardWebSockets(chat))                 // any library
//
// A handshake without Origin comes from a client that is not a browser and
// is not judged. The policy alone decides: a page on the server's own
// origin is not let through by comparing Origin with Host, as
// gorilla/websocket's default check does, so list that origin if your
// pages open sockets to the host that serves them (CheckOrigin says why).
// Handler itself never blocks a handshake, as it never blocks an actual
// request. The repository's examples/websocket module runs both adapters
// with real sockets.
//
// # Other front doors: Evaluate
//
// Handler is one way to apply a policy. Evaluate returns the same
// decision as a value — the kind of request (NotCORS, ActualRequest,
// PreflightRequest, WebSocketHandshake), whether the policy allows it and
// the Reason if not, and for a preflight the Status the policy answers
// with — and Decision.SetHeaders writes its response headers onto any
// header map, with the Vary merge described above. A reverse proxy uses
// it to answer preflights at the edge and to put the policy's headers on
// the upstream's responses (corsgate, in the repository, does), and a
// test to see what the policy decides without serving a request. Evaluate
// has no side effect: OnReject is called by the front doors that apply a
// refusal (Handler, GuardWebSockets, CheckOrigin), and debug mode changes
// the decision on a refused preflight as it changes Handler's answer.
//
// Decision.Compare is the decision held against an answer someone else
// wrote: given the status and headers of a response from your own CORS
// code or a proxied upstream, it returns each field on which a browser
// would act differently under the policy (Access-Control-Allow-Origin
// written twice, a missing Vary: Origin, a preflight the policy would
// refuse). Serve with the old code, log the differences, and enforce the
// policy once there are none: Envoy's shadow mode, and corsgate's
// report-only mode.
//
// # Debugging
//
// When a browser blocks a call, its console says why, but for a rejected
// preflight it can only say that the preflight failed. SetDebug(true) makes
// rejected preflights from allowed origins answer with a 2xx and the
// headers accepted so far, so the console names the exact method or header
// at fault. Debug mode explains a refusal but never turns it into a
// success: the answer always leaves out what the browser would need to let
// that request through (the requested method in
// Access-Control-Allow-Methods, the refused header in
// Access-Control-Allow-Headers — which is left out entirely when the
// policy allows any header, or when the request was malformed —, or
// Access-Control-Allow-Private-Network), so a request that fails in
// production fails in development too. OnReject receives a typed Reason
// for every rejection, and LogRejections adapts it to log/slog. Both cost
// nothing when unused.
//
// # Concurrency
//
// A Middleware is safe for concurrent use. Reconfigure swaps the whole
// policy atomically: each request sees either the old policy or the new one,
// never a mix, and an invalid Config leaves the old one in force. SetDebug
// is atomic too.
//
// # Performance
//
// The middleware is built not to slow your server down or make it share
// state between requests: it allocates at most once per response (none for
// a refused preflight outside debug mode), not counting what your
// AllowOriginFunc or OnReject do; no header value it writes is shared with
// another response, so a handler that edits a header in place cannot
// corrupt the next one; and a hostile Access-Control-Request-Headers
// allocates nothing and costs at most time in proportion to its length
// (see above). BENCHMARKS.md in the repository compares it with
// rs/cors, go-chi/cors and gorilla/handlers, and says how the request path
// is built.
package cors
