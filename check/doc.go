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
//     with Request.Body, and Request.Cookie when Request.Credentials is set
//     (never with the preflight), and runs the CORS check on it and on
//     every redirect, following redirects as a browser does (the Origin
//     turns into "null" after a cross-origin hop; the console line then
//     says "(redirected from …)"; a redirect to a URL with user:password
//     fails with a console line whose location is empty, as Chromium's
//     is).
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
// Explain sends the GET as Chromium does — Origin only in CORS mode,
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
// Every rule here was seen in Chromium 156: the e2e suite loads each kind of
// resource with each crossorigin value against the middleware, and compares
// the outcome, the console line and the request with Explain's.
//
// # How it is kept exact
//
// Every rule above was confirmed in Chromium 156 (Debian's
// 156.0.8078.114), Firefox ESR 153 and WebKitGTK 2.50; each engine's rules
// live in package internal/engine, citing the engine's source. The
// module's differential harness (internal/difftest) generates cases —
// server answers with every Access-Control-* header present, absent,
// repeated, in odd case, padded or invalid, statuses from 2xx to 5xx,
// redirect chains across two origins with and without user:password; page
// requests of every kind — and the committed corpus of 320 of them, with
// the three browsers' answers, is replayed by this package's tests: for
// each browser, Explain must give the same verdict and console lines (and,
// for Chromium, the CorsError DevTools reports). The e2e suite runs 160 of
// them live in Chromium and 96 in Firefox and in WebKit.
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
// may ask; a page that is not one is refused outright. The check runs before
// CORS and before anything is sent, and no response header changes it, yet
// the console line reads "… has been blocked by CORS policy: Permission was
// denied for this request to access the `loopback` address space." Explain
// works out the page's address space and the target's as Chromium does (the
// ranges of its ip_address_space_util.cc, in internal/fetch; an IPv4-mapped
// IPv6 address counts as its IPv4 address; a private page may call loopback
// and the reverse without a prompt) from IP literals, localhost names and
// DNS, or from Request.PageAddressSpace when the page's host cannot tell (a
// public site's page opened on a development machine). When LNA applies,
// Result.LocalNetworkAccess says so and gives Chromium's console line for
// each outcome (LocalNetworkAccessPermissionDenied; InsecureLocalNetwork;
// InvalidLocalNetworkAccess for fetch()'s targetAddressSpace,
// Request.TargetAddressSpace, that does not match); the Result's verdict is
// the CORS check that follows a grant, except for the last two, where
// Chromium refuses without sending and so does Explain (Stage
// local-network-access). Every line was compared with Chromium 156's, with
// pages moved into the public space by --ip-address-space-overrides and
// permissions set through the DevTools protocol (e2e TestLNA). Firefox ESR
// 153 implements LNA but blocks only under Strict tracking protection or a
// policy; Safari does not enforce it; both ignore targetAddressSpace (seen
// in Firefox ESR 153 and WebKitGTK 2.50).
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
// in tests. They never let it follow redirects (they work on a copy with a
// CheckRedirect that stops), and they use its cookie jar only for credentialed
// actual requests: preflights never carry credentials.
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
// them (SameSite, partitioning: give Request.Cookie or a client Jar), and
// non-http schemes.
package check
