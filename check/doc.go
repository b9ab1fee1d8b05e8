// Package check predicts, without a browser, what Chromium, Firefox or
// Safari does with a cross-origin request, and audits a URL for CORS
// misconfigurations. It is the engine of the corscheck command.
//
// # Explain
//
// Explain takes what a script would do — fetch(url, {method, headers,
// credentials}) from a page on some origin — and does what the browser
// (Request.Browser: Chromium by default, Firefox or Safari) does. What
// follows is Chromium; where the others differ, it says so:
//
//   - It decides whether a preflight is needed. A method other than GET,
//     HEAD and POST needs one (after Fetch's method normalisation: "patch"
//     stays "patch"). So does any header that is not CORS-safelisted: the
//     standard safelists Accept, Accept-Language, Content-Language,
//     Content-Type and Range, each with a value rule (no unsafe bytes in
//     Accept; a MIME essence of application/x-www-form-urlencoded,
//     multipart/form-data or text/plain for Content-Type, so
//     application/json always preflights; a single "bytes=N-[M]" range),
//     and Chromium adds Intervention, Save-Data: on and the legacy client
//     hints DPR, Device-Memory, Downlink (a decimal such as 2.0), Width,
//     Viewport-Width, RTT (digits) and ECT (slow-2g, 2g, 3g or 4g). Every
//     safelisted value is limited to 128 bytes and their sum to 1024 —
//     counting the Accept: */* the browser adds when the script sets none,
//     and the Content-Type: text/plain;charset=UTF-8 it adds to a body —
//     past which they all need the preflight too. An XMLHttpRequest with
//     upload listeners (Request.ForcePreflight) preflights only when it
//     sends a body (Request.Body): Chromium sends no preflight for the
//     listeners of a GET, or of a POST without a body. Firefox and Safari
//     safelist only the standard's headers, judge each alone (no
//     1024-byte total), and preflight for upload listeners even without a
//     body.
//   - It sends the preflight exactly as Chromium formats it, without
//     credentials and without following redirects, and judges the response
//     in Chromium's order, which is not the standard's: a redirect fails
//     first, then the Access-Control-Allow-Origin/-Credentials check (the
//     Preflight… errors), then a non-2xx status, then the syntax of
//     Access-Control-Allow-Methods/-Headers, then the method, then the
//     headers. A 401 preflight without CORS headers therefore reads "No
//     'Access-Control-Allow-Origin' header…", not "does not have HTTP ok
//     status". Authorization covered only by "Access-Control-Allow-Headers:
//     *" passes, as it does in all three today, with a warning. Firefox
//     judges in Chromium's order but checks the method before it parses
//     Access-Control-Allow-Headers, and refuses a redirect after the
//     origin check; Safari looks at the status first, so a 403 without
//     CORS headers is "Preflight response is not successful" there. When
//     several headers are refused, the console line names the one the
//     browser checks first: Firefox the first in sorted order, in lower
//     case; Safari the first it knows by name (Authorization,
//     Content-Type, …) in its own spelling, else the first as the script
//     wrote it; Chromium the one it checks first, which is neither the
//     script's order nor alphabetical: Chromium
//     checks them in the order of its request header list, the bucket order
//     of Blink's header hash map (internal/engine models it exactly; it
//     depends on the names, on fetch() versus XMLHttpRequest, on the order
//     an XMLHttpRequest set them, Request.HeaderOrder, and on whether the
//     page is a secure context, which adds Chromium's default client hints
//     to the map).
//   - It sends the actual request — only GET, HEAD and OPTIONS unless
//     Request.SendActual, so that explaining a DELETE deletes nothing —
//     with Request.Body, and Request.Cookie when the request carries
//     credentials (never with the preflight), and runs the CORS check on
//     it and on every redirect, following redirects as the browser does
//     (see "Redirects" below). A header value the browser sends but Go's
//     HTTP client refuses (a control byte such as 0x01) goes out byte for
//     byte through a writer of its own (package internal/rawhttp).
//
// The Result carries the verdict (Allowed), the Stage, the Reason as
// Chromium's CorsError name (the name DevTools and the Chrome DevTools
// Protocol use; for Firefox and Safari, the failure as that browser
// classifies it, in the same names), the exact console lines the browser
// prints (Console; Message is the first), an Explanation and a Fix, curl
// commands that repeat every request, the response headers the page can
// read, and how long Chromium (cap 7200 s), Firefox (86400 s; a value that
// is not all digits is not cached at all) and Safari (600 s) cache the
// preflight. With Request.Browser set to AllBrowsers, the Result is
// Chromium's and Result.Browsers holds each browser's; a request the
// browsers have in common is sent once. When a router rather than the
// CORS code answered the preflight (a 405 from Go 1.22's ServeMux for a
// pattern such as "PUT /api/items", a 404, or Express's automatic OPTIONS
// answer with Allow and no CORS headers), the Explanation and Fix say so
// and how to route OPTIONS to the CORS code.
//
// # Redirects and the page's own origin
//
// A request to the page's own origin is sent without CORS (no preflight, no
// Origin on a GET, the page's cookies in credentials mode same-origin), and
// becomes a CORS request when a redirect takes it to another origin. Each
// response of a CORS request, redirects included, must pass the CORS check.
// A redirect from one origin to another, after the request has left the
// page's origin, taints it: from then on its Origin is "null" (Fetch's
// redirect-taint), so a later answer must allow "null" or "*" — even the
// page's own origin, reached again through another. Authorization is
// dropped on a hop to another origin; a 303, or a 301/302 answering a POST,
// turns the request into a GET without its body and body headers; a request
// that needs a preflight is preflighted again at each new URL; a Location
// with user:password fails. A Location that is not an http(s) URL (data:,
// about:, javascript:, file:, blob:, ftp:, an unknown scheme) or does not
// parse, and the 21st redirect, fail the request: each browser logs its
// own line for that (Chromium "net::ERR_UNSAFE_REDIRECT",
// "net::ERR_INVALID_REDIRECT", "net::ERR_TOO_MANY_REDIRECTS" or a
// CorsDisabledScheme line; Firefox "CORS request did not succeed"; Safari
// "Cross-origin redirection to … denied …", "Load cannot follow more than
// 20 redirections"), which Explain reports as a blocked Result (NetError
// names Chromium's network error) rather than an error. Where the browsers
// follow redirects otherwise than the standard, see the table below.
//
// # fetch() options
//
// Request.Mode is fetch()'s mode. "no-cors" sends no Origin on a GET, runs
// no CORS check and resolves with an opaque response (Result.Opaque) whatever
// the server answers; it allows only GET, HEAD and POST (an InputError
// otherwise, as fetch() throws) and drops every header that is not
// no-CORS-safelisted. "same-origin" refuses another origin, and a redirect
// to one, before anything is sent there. Request.Keepalive changes no
// verdict, but a body over 64 KiB is an InputError and Firefox logs
// nothing at all for a keepalive request it blocks. Request.ReferrerPolicy
// changes no browser's verdict (the corpus has cases with every policy, in
// all three): the Referer header it shapes is a forbidden header, never
// listed in Access-Control-Request-Headers and read by no CORS check;
// corscheck does not send one.
//
// # Fonts, modules, images and stylesheets
//
// Not every cross-origin request comes from fetch() or XMLHttpRequest.
// Request.Destination says what the page loads the URL as instead — a font
// (@font-face), a script, an image or a stylesheet — and Request.CrossOrigin
// and Request.Module say how, as the page's markup does. From these the
// browser derives the request's mode and credentials mode (Fetch and HTML,
// in internal/fetch):
//
//	@font-face                               cors     same-origin
//	<script type=module>, import()           cors     same-origin (include with crossorigin=use-credentials)
//	<img>, <script>, <link rel=stylesheet>   no-cors  include
//	  the same with crossorigin=anonymous    cors     same-origin
//	  with crossorigin=use-credentials       cors     include
//
// Safari differs: it fetches fonts, and modules that import() loads from a
// classic script or the page (Request.Import), in mode no-cors with
// cookies, so they load without CORS headers there.
//
// Explain sends the GET as the browser does — Origin only in CORS mode,
// Sec-Fetch-Mode, Sec-Fetch-Dest, Chromium's Accept for the destination
// ("image/jxl,image/avif,…" for an image, "text/css,*/*;q=0.1" for a
// stylesheet, "*/*" otherwise) and Request.Cookie only when the credentials
// mode is "include" — and, in CORS mode, runs the CORS check on it and on
// every redirect, as for fetch(). A blocked load's console line names the
// kind of resource as Chromium does: "Access to font at '…' from origin '…'
// has been blocked by CORS policy: …", "Access to script at …" (modules and
// import() too), "Access to image at …", "Access to CSS stylesheet at …",
// without the sentences Chromium adds for fetch() and XMLHttpRequest. The
// Explanation says what the failure means for that element (the text falls
// back to another font; the module, and every module that imports it, does
// not run; the image does not load at all).
//
// A no-cors load is never blocked: no CORS check runs and the element uses
// the response whatever its headers say. Explain reports it as Allowed and
// Opaque, and says what opaque means: a canvas that draws the image is
// tainted (getImageData, toDataURL and toBlob throw a SecurityError), WebGL
// refuses it as a texture, a script's errors reach window.onerror only as
// "Script error.", a stylesheet's cssRules throws. It warns when the server
// sends Access-Control-Allow-Origin anyway (the browser never asked, so the
// image stays opaque), and for any load when the status is not 2xx (the
// element fires its error event) or when a module is not served as
// JavaScript (Chromium refuses to run it and prints "Failed to load module
// script: Expected a JavaScript-or-Wasm module script but the server
// responded with a MIME type of …").
//
// An element's request has no headers, body, method other than GET, or
// Credentials of the script's: asking for them is an InputError that says
// what to write instead (CrossOrigin use-credentials, not Credentials).
// Every rule here was seen in Chromium 156, Firefox ESR 153 and WebKitGTK
// 2.50: the e2e suite loads each kind of resource with each crossorigin
// value against the middleware in each, and compares the outcome, the
// console lines and the request with Explain's for that browser. Firefox
// follows a blocked font's CORS line with "downloadable font: download
// failed (font-family: …)", which names the page's font-family: Explain
// does not predict that line.
//
// # How it is kept exact
//
// Every rule above was confirmed in Chromium 156 (Debian's 156.0.8078),
// Firefox ESR 153 and WebKitGTK 2.50; each engine's rules live in package
// internal/engine, citing the engine's source. The module's differential
// harness (internal/difftest) generates cases in families: random server
// answers (every Access-Control-* header present, absent, repeated, in odd
// case, padded or invalid, statuses from 2xx to 5xx) to page requests of
// every kind; redirects (the method and headers after 301, 302, 303, 307,
// 308, the preflight at the new URL, user:password, the 20-redirect limit,
// locations that are not http(s) or do not parse); requests that start on
// the page's own origin or come back to it; header values at the edges of
// the safelist and of what Go's HTTP client sends; methods in every case;
// fetch()'s modes, keepalive and referrer policies; and the scenarios of
// web-platform-tests' CORS tests (fetch/api/cors/, xhr/access-control-*,
// cors/) the others do not draw: Access-Control-Allow-Origin and
// -Credentials spelled every way, lists with empty elements, every
// preflight status, "*" lists with and without credentials, header names
// in another case, a page with an opaque origin (a sandboxed iframe) and
// the page's cookies. The committed corpus of 480 cases, with the three
// browsers' answers, is replayed by this package's tests: for each browser,
// Explain must give the same verdict and console lines (and, for Chromium,
// the CorsError DevTools reports) on every case. The e2e suite runs a live
// sample of it in each engine (see e2e/README.md). Not drawn: the
// preflight cache and 304 revalidation (every Explain starts cold),
// https origins, and which response headers a page reads (Result.Readable
// follows the standard, unchecked against the browsers).
//
// # Where the browsers differ
//
// Every difference between the engines the corpus and the e2e suite show,
// with the Fetch rule an engine leaves where it does (C: Chromium 156,
// F: Firefox ESR 153, S: Safari, as WebKitGTK 2.50):
//
//	 #  what                               C            F             S             Fetch
//	 1  extra safelisted headers           client hints none          none          none
//	 2  1024-byte total of safelisted      yes          no            no            yes
//	 3  Range unit "BYTES"                 preflight    preflight     safelisted    preflight
//	 4  Content-Type byte above 0x7F       safelisted   preflight     safelisted    safelisted
//	 5  upload listeners without a body    no preflight preflight     preflight     no preflight
//	 6  preflight judged first by          redirect     CORS check    status        CORS check
//	 7  refused header the line names      hash order   sorted, lower known first   -
//	 8  Authorization under ACAH "*"       allowed      allowed+warn  allowed       refused
//	 9  preflight cache cap (s)            7200         86400         600           -
//	10  3xx statuses followed              5            5             300-399 but 4 5
//	11  DELETE redirected elsewhere        DELETE       DELETE        GET           DELETE
//	12  preflight after a redirect         if needed   if ever needed after one     if needed
//	13  Origin of that preflight           null         page          null          null
//	14  its Access-Control-Request-Headers current      current       original      current
//	15  redirect from own origin, creds    as fetched   as fetched    as include    as fetched
//	16  redirect to own-origin user:pass   refused      followed      followed      followed
//	17  non-http Location before its CORS  unparsable   data: js: ws: ftp:          after
//	    check of the redirect response                  file: blob:
//	18  keepalive request blocked          line         no line       line          -
//	19  @font-face, import() mode          cors         cors          no-cors       cors
//	20  no-cors script errors              muted        in full       muted         muted
//
// In detail, with the rule each departs from:
//
//  1. Chromium safelists Intervention, Save-Data: on and the legacy client
//     hints (DPR, Device-Memory, Downlink, Width, Viewport-Width, RTT, ECT);
//     Fetch's CORS-safelisted request-header lists five names.
//  2. Fetch, "CORS-unsafe request-header names" step 4: past 1024 bytes of
//     safelisted values, all of them need the preflight; Firefox and Safari
//     judge each header alone.
//  3. Fetch, "parse a single range header value" step 2 asks for "bytes"
//     as written; Safari matches it in any case.
//  4. Fetch's MIME parser takes bytes 0x80–0xFF in a parameter value;
//     Firefox reads Content-Type as UTF-8 first, and the script's "é"
//     (0xE9) fails.
//  5. XMLHttpRequest send() step 11.3 sets the upload listener flag only
//     with a body; Firefox and Safari preflight a GET with listeners.
//  6. Fetch, CORS-preflight fetch step 7, checks the CORS headers and the
//     ok status together; Chromium fails a redirect first, Safari looks at
//     the status first (a 403 without CORS headers is "Preflight response
//     is not successful"), Firefox checks the method before it parses
//     Access-Control-Allow-Headers.
//  7. Chromium names the first header of its header hash table's bucket
//     order; Firefox the first sorted, lower case; Safari the first one it
//     knows by name (Authorization, Content-Type, …), then the others in
//     the script's order.
//  8. Fetch §4.8 step 10: "*" never covers Authorization; all three allow
//     it, Firefox with a warning (not in Console: WebDriver BiDi forwards
//     errors only).
//  9. Firefox caches a preflight at most a day, Chromium two hours, Safari
//     ten minutes; Firefox does not cache one whose Max-Age is not digits.
//  10. Fetch follows 301, 302, 303, 307 and 308; Safari any 3xx with a
//     Location but 300, 304, 305 and 306 (309 and 399 are followed).
//  11. Fetch, HTTP-redirect fetch step 12 changes only 301/302 + POST and
//     303 into GET; Safari also turns a DELETE redirected to another
//     origin into a GET without a body, keeping its headers.
//  12. Fetch decides at each URL from the request as it is then (main
//     fetch step 12); Firefox preflights at every URL on another origin a
//     request whose script's version needed a preflight (a PUT a 303 made
//     a GET, a same-origin POST of JSON a 302 sent elsewhere as a GET),
//     Safari every request it preflighted before.
//  13. Fetch serialises a redirect-tainted request's origin as "null",
//     for the preflight too (its URL list is the request's); Firefox's
//     preflight after a cross-origin redirect carries the page's origin.
//  14. Fetch lists the request's current unsafe headers; Safari lists the
//     script's, Authorization and Content-Type included after a redirect
//     removed them.
//  15. Fetch checks a redirect with the request's credentials mode;
//     Safari checks the redirects of a request that started on the page's
//     origin in credentials mode same-origin as for credentials ("*" and
//     a missing Access-Control-Allow-Credentials fail), after the
//     user:password check of the location.
//  16. Fetch, HTTP-redirect fetch steps 10–11 refuse user:password only
//     for another origin or a CORS-checked response; Chromium refuses a
//     same-origin one too, without a console line.
//  17. Fetch runs the redirect response's CORS check before it looks at
//     the Location; Chromium rejects an unparsable Location first, Firefox
//     a Location to data:, javascript:, file:, blob:, ws: or an unparsable
//     one, Safari one to ftp:.
//  18. Firefox runs keepalive requests in the parent process, with no
//     console to log to: a blocked one logs nothing.
//  19. CSS Fonts 4 §4.8.2 and HTML's module script fetch use mode cors;
//     Safari fetches fonts and import()'s modules in no-cors mode.
//  20. HTML mutes the errors of a classic script fetched without CORS
//     ("Script error."); Firefox ESR 153 passed them in full.
//
// The console lines differ throughout: each engine's words are in
// internal/engine (chromium_console.go, firefox.go, webkit.go).
//
// Chromium's console text follows its cors_error_string.cc and was compared
// with a real Chromium 156: "Access to fetch at '<url>' from origin '<o>' has
// been blocked by CORS policy: " and, for the origin, credentials, status and
// redirect failures of a preflight, "Response to preflight request doesn't
// pass access control check: ", then the reason. For fetch() the three "bad
// Access-Control-Allow-Origin value" reasons end in "Have the server send the
// header with a valid value."; for XMLHttpRequest the wildcard and
// credentials reasons end in a sentence about withCredentials. Firefox's
// follow Gecko's security.properties ("Cross-Origin Request Blocked: The
// Same Origin Policy disallows reading the remote resource at <url>.
// (Reason: …)"), followed after a failed preflight or redirect by "…
// (Reason: CORS request did not succeed). Status code: (null)."; Safari's
// follow WebCore's CrossOriginAccessControl.cpp, followed by "Fetch API
// cannot load <url> due to access control checks." (or "XMLHttpRequest
// cannot load …"). Firefox's warning for Authorization allowed only by
// "*" is reported in Result.Warnings: WebDriver BiDi, which the harness
// reads Firefox's console through, forwards errors only.
//
// # Local Network Access
//
// Chromium 142 and later refuse a request from a page in a more public
// address space to a less public one — a public site calling a private
// network address (10/8, 172.16/12, 192.168/16, 169.254/16, fc00::/7,
// fe80::/10) or this machine (127/8, ::1, localhost) — unless the user has
// granted the page a permission, "loopback-network" or "local-network"
// (Chrome 145 split the old "local-network-access"). Only a secure context
// may ask; a page that is not one is refused outright. The check runs at
// every URL the request reaches — the first and each redirect's target —
// before CORS and before anything, a preflight included, is sent there, and
// no response header changes it, yet the console line reads "… has been
// blocked by CORS policy: Permission was denied for this request to access
// the `loopback` address space." Explain works out the page's address space
// and the target's as Chromium does (the ranges of its
// ip_address_space_util.cc, in internal/fetch; an IPv4-mapped IPv6 address
// counts as its IPv4 address; a private page may call loopback and the
// reverse without a prompt) from IP literals, localhost names and DNS, or
// from Request.PageAddressSpace when the page's host cannot tell (a public
// site's page opened on a development machine). When LNA applies,
// Result.LocalNetworkAccess says so and gives Chromium's console line for
// each outcome (LocalNetworkAccessPermissionDenied; InsecureLocalNetwork;
// InvalidLocalNetworkAccess for fetch()'s targetAddressSpace,
// Request.TargetAddressSpace, that does not match the space of one of the
// URLs, a redirect's target included); the Result's verdict is the CORS
// check that follows a grant, except for the last two, where Chromium
// refuses without sending and so does Explain (Stage local-network-access).
// A URL on the page's own origin is in the page's space; Chromium compares
// it with a declared targetAddressSpace only when the page is not a secure
// context. Result.LocalNetworkAccess is the judgement at the URL that
// refused the request, else at the first URL where LNA applies (a redirect's
// target, "(redirected from …)" in the line). Every line was compared with
// Chromium 156's, with pages moved into the public space by
// --ip-address-space-overrides and permissions set through the DevTools
// protocol (e2e TestLNA). Firefox ESR 153 implements LNA but blocks only
// under Strict tracking protection or a policy; Safari does not enforce it;
// both ignore targetAddressSpace (seen in Firefox ESR 153 and WebKitGTK
// 2.50).
//
// # WebSockets
//
// Browsers apply no CORS to WebSockets: the handshake carries the page's
// Origin and the target's cookies, and the page reads every message, so
// only the server's check of Origin keeps other sites from using a socket as
// the user (cross-site WebSocket hijacking). ExplainWebSocket sends the
// handshake Chromium 156 sends for new WebSocket(url, protocols) from a page
// (the same headers, cookies, subprotocols), judges the answer in Chromium's
// order with its console lines ("Error during WebSocket handshake: Unexpected
// response code: 403"; a 401 reads "HTTP Authentication failed; no valid
// credentials available"), and sends a second handshake from a made-up
// origin: a server that accepts that one does not check Origin, and the
// result is Hijackable. Audit probes a ws:// or wss:// target with its
// attacker origins as handshakes, without and with the credential header,
// and also audits an http(s) target as a socket when it answers a handshake
// with 101; acceptances are reported with the same classes, severities and
// grouping as the CORS findings (Finding.Probe "websocket"). A socket counts
// as cookie-authenticated, so that an origin accepted with the cookie is
// high (critical for any origin), when AuditOptions.CredentialHeader is
// given or the site's own origin is refused without it and accepted with
// it. Both were run against Node's ws (with and without verifyClient),
// gorilla/websocket (CheckOrigin nil, an allow-list, true) and
// coder/websocket (OriginPatterns, InsecureSkipVerify), and against sockets
// opened from Chromium pages (e2e TestWebSocketServers, TestWebSocketHijack).
//
// # Audit
//
// Audit sends attacker-chosen origins — a made-up registrable domain, null,
// names that start with, end with or contain the target's (or a trusted
// origin's) name, an unescaped-dot variant, an underscore parser confusion,
// a subdomain, another port, the http:// twin of an https origin, developer
// sandboxes — each as a simple GET without and with credentials and as a
// preflight. The made-up label is derived from the target (or
// AuditOptions.Seed), so two audits of one URL send the same origins and
// report the same findings.
//
// Findings are grouped by root cause, each with every probe that showed it
// (Finding.Probes): a server that reflects any origin is one critical
// finding, not one per probe; a check that is unanchored at the start (a
// regular expression without ^, an ends-with test) is reported as such
// even though the unescaped-dot, subdomain and http:// probes pass too,
// since they all end with the trusted name; one unanchored at the end
// likewise absorbs the underscore and other-port probes. Severity follows
// exploitability: credentialed reads from an origin an attacker can
// register are high (critical for blind reflection), those that need a
// subdomain XSS, another service or a network attacker medium, reads
// without credentials low or info. Configurations that browsers refuse are
// "functional" findings: several Access-Control-Allow-Origin values, and
// "*" with credentials (not exploitable — no page can read a credentialed
// response to it — but every credentialed call, the site's own included,
// fails) are medium; a trusted origin (AuditOptions.Trusted) that the
// server does not allow is medium too. A dynamic Access-Control-Allow-Origin
// without Vary: Origin is low; "*" alone is info. The report is sorted by
// severity and carries a Summary, also when there are no findings.
//
// Audit stops early rather than hang: it honours the context's deadline
// (corscheck audit --deadline, 30 s by default) and stops after the first
// timeouts of a server that does not answer, with a *NetworkError.
//
// # HAR recordings
//
// Package check/har (corscheck har) judges the cross-origin requests of a
// HAR file offline with Explain itself: Explain's requests are answered,
// one by one, with the responses the file recorded. What a verdict can
// rest on depends on the writer, and package har's documentation has the
// table: Firefox's DevTools export keeps every preflight and every
// response, those CORS blocked included, so each verdict and each of
// Firefox's console lines can be given; Playwright's recordHar keeps no
// preflight and, of a request Chromium blocks, only net::ERR_FAILED, so
// such a request is known to be blocked but not why; Chrome DevTools'
// sanitized export, its default, removes Cookie and Authorization, so
// whether a request carried credentials is unknown. Where the verdict
// depends on what the file lacks, package har says so and gives the
// corscheck explain command that settles it.
//
// # Clients
//
// Both functions take an *http.Client, so they run against httptest servers
// in tests, and through any http.RoundTripper (a recording's replay, a
// proxy). They send every request with the client's Transport themselves,
// never following a redirect (Explain follows them as the browser does),
// apply its Timeout, and use its cookie jar only for requests that carry
// credentials: preflights never do. A request whose header values Go's
// HTTP client refuses goes out through internal/rawhttp when the
// Transport is net/http's own (or nil); a custom Transport gets it as it
// is.
//
// # What is not modelled
//
// For element loads: Opaque Response Blocking (Chromium withholds some no-cors
// responses, such as JSON or HTML, from the element, without a CORS message),
// the nosniff and MIME checks of classic scripts and stylesheets, media
// (<audio>, <video>), <link rel=preload>, CSS @import and url() in
// stylesheets, and JSON or CSS modules. Also
// Local Network Access's console lines for element loads (Explain gives
// them the element's kind, "Access to image at …", unchecked against
// Chromium), the LNA permission
// policy (Permissions-Policy: local-network=()), the old Private Network
// Access preflight, client hints a server asked for with
// Accept-CH (only the three default ones are modelled, for the order of the
// header check), the preflight cache itself (every Explain call starts
// cold), streamed request bodies, cookies as a browser's jar would choose
// them (SameSite, partitioning: give Request.Cookie or a client Jar), the
// Referer header, Firefox's treatment of a Content-Type repeated in
// fetch()'s Headers (it judges each value apart; corscheck joins them as
// the other engines do), and pages that are not http(s).
package check
