// Package har explains the cross-origin requests of a HAR file — the
// recording a browser's DevTools export ("Export HAR" in Chrome and Edge,
// "Save All As HAR" in Firefox, "Export" in Safari's Web Inspector) or
// Playwright's recordHar writes — offline. It is the engine of corscheck
// har. When a CORS failure happens on someone else's machine, the HAR is
// the one artefact they can send; corscheck explain would have to repeat
// the request, with their cookies, tokens and network position.
//
// # How it judges
//
// Read streams the file (see Read) and keeps, of each entry, the request
// line and headers, the response status and headers, and the writer's own
// record of a failure. Judge then, for every request the page made to
// another origin — or made to its own, and a redirect sent elsewhere (a
// CORS request from there on, its Origin "null" after a further hop to
// another origin; Explain follows it from its first URL) —, and for every
// load of an element or @font-face in CORS mode, in each of the three
// browsers:
//
//   - finds the page's origin: the request's Origin header, which the
//     browser wrote itself; else the Referer's origin; else the initiator
//     Chrome's DevTools record; else the URL of the HAR page's document
//     (Request.OriginFrom says which);
//   - follows its redirect chain entry by entry (a hop's Location, then the
//     first later entry for that URL), and pairs each hop with its
//     preflight (OPTIONS with Access-Control-Request-Method for the hop's
//     URL and method, the nearest in the file: Firefox writes a preflight
//     after the request it precedes; after a redirect to another origin,
//     Firefox's and Safari's preflight carries the page's Origin where the
//     request carries "null");
//   - rebuilds what the script asked for: the request's headers without
//     those the browser adds (Origin, Referer, Cookie, Sec-*, User-Agent,
//     Accept-Language, Priority, the default Accept: */*) and, when the
//     preflight is recorded, without any its Access-Control-Request-Headers
//     does not name;
//   - and has check.Explain judge it through an http.RoundTripper that
//     answers each request Explain makes with the response the HAR
//     recorded for it, and never touches the network. The verdict, the
//     CorsError, the console lines, the explanation and the fix are
//     therefore exactly those of corscheck explain against a server that
//     answered as recorded.
//
// It sends nothing: no request, and no DNS query. Local Network Access,
// which Chromium applies before any CORS check, goes by the address a
// host name resolves to; Judge gives check.Explain a check.Resolver that
// answers from the HAR alone — each entry's serverIPAddress, the address
// the browser connected to, mapped from the entry's URL host (the chain's
// own entries first) — so the page's and the target's address spaces are
// those of the network the HAR was recorded on, judged exactly as explain
// judges them live. IP literals and localhost names need no address. A
// host the HAR records no address for (or only one that is not an IP
// address) is not looked up: its space is unknown, LNA is not judged, and
// for Chromium Request.LocalNetworkAccess says that it cannot be known from
// this HAR; the verdict is then the CORS check's alone.
//
// # What it does not guess
//
// A HAR does not record everything a verdict may depend on. Where it lacks
// a response Explain needs, the Request says so (Request.Missing), takes
// the verdict from the writer's record of the failure, and gives the
// corscheck explain command, with the request's own method, headers,
// body and cookie, that settles it live (Request.Explain; Request.Settle).
// Three facts no writer records: whether the request carried credentials
// (credentials: 'include', withCredentials, crossorigin=use-credentials)
// when no cookie was sent to the other origin; in Firefox's HAR, whether
// fetch() or XMLHttpRequest made it (it changes Chromium's and Safari's
// console line); and whether a script loaded in CORS mode is a classic
// <script crossorigin> or an ES module (Safari logs a refused classic
// script with a second line). Judge judges each possibility;
// those the recording rules out are dropped (Chromium's writers record
// whether the browser delivered the response; a request that was sent
// proves its preflight passed), and the others, where they change the
// verdict or the line, are kept as Request.Alternatives. A preflight the
// HAR lacks before a request whose response it has is taken as passed —
// the browser sends the request only then — and Request.Inferred says so.
//
// The writer's record of the outcome (Request.Recorded) is compared with
// the verdict; a contradiction is reported in Request.Disagreement, never
// dropped.
//
// # What each writer keeps and drops
//
// Seen in the recordings of the e2e suite's conformance rows
// (testdata/, make record-har) and in each writer's source:
//
//	                        Playwright 1.65      Firefox 153           Chrome DevTools
//	                        recordHar (Chromium) (DevTools export)     (Export HAR)
//	preflights              never                each one, after the   each one, _resourceType
//	                                             request it precedes   "preflight"
//	a blocked request       status -1, no        the full response,    status 0 and _error
//	                        response, only       status and headers;   (net::ERR_FAILED)
//	                        _failureText         nothing says CORS
//	                        net::ERR_FAILED      blocked it
//	its request headers     only the script's    all, as sent          as DevTools shows them
//	                        (+ User-Agent,
//	                        Referer): no Origin,
//	                        Sec-Fetch-*, Cookie
//	after a failed          —                    the request, never    the request, failed
//	preflight                                    sent: status 0
//	cookies, Authorization  kept                 kept                  removed by the sanitized
//	                                                                   export, the default
//	                                                                   since Chrome 130
//	fetch() or XHR          _resourceType        not recorded          _resourceType
//	initiator               no                   no                    _initiator (type, URL)
//	page URL                no (title is the     pages[].title         pages[].title
//	                        document's <title>)
//	redirects               one entry per hop    one entry per hop     one entry per hop
//	serverIPAddress         each entry that got  none (Firefox 153's   not checked here
//	                        a response           auto-export)
//	                        ("127.0.0.1"); none
//	                        for a blocked one
//
// So from Firefox's HAR corscheck gives the verdict and Firefox's console
// lines for every request, as the recordings show for each of their 132
// calls (the suite's 117 conformance calls, and the 15 of e2e harFamilies:
// element and font loads, whose blocked responses Firefox keeps too, and
// requests a redirect takes from the page's origin to another); from
// Playwright's, the verdict of every request but, for a
// blocked one, not why: the writer keeps only that it failed, and the
// command to run is printed. (Firefox sends no Sec-Fetch-* to an origin
// that is not potentially trustworthy, such as http://api.test; an Origin
// header on a subresource request then marks it as CORS.) The Chrome
// DevTools column is read from DevTools' source, not from a recording (no
// browser here exports a DevTools HAR unattended): its HAR writer,
// front_end/models/har/Log.ts, writes _resourceType, _initiator and
// response._error, and its sanitize option removes the Cookie and
// Authorization request headers, Set-Cookie and the cookie lists. Judge
// reads a HAR in which no request carries Cookie or Authorization as
// possibly sanitized, and says so; TestJudge covers that shape.
//
// # Size
//
// Read never holds more than one entry, and of each string at most 64 KiB:
// a body longer than that is skipped as it streams past. A 52 MiB HAR with
// a 50 MiB base64 body is read allocating under 4 MiB (TestReadBoundedMemory);
// memory grows with the number of entries and their headers only.
//
// TestDifferentialSameOriginStart replays, through HARs written as
// Firefox's export writes them, the 68 cases of the differential corpus
// that start on the page's own origin, and gets each browser's recorded
// verdict and console lines for all of them; TestJudgeElementLoads does
// the same for fonts, images, scripts, modules and stylesheets in each
// browser against check.Explain's live verdict, which e2e TestDestinations
// proves against the browsers. The recordings of real writers (testdata)
// hold both families too (e2e harFamilies): four fetch() calls that start
// on the page's origin and a redirect sends to another, two of them on to
// a third with Origin "null", and eleven loads of images
// (crossorigin anonymous and use-credentials), fonts and module scripts;
// TestRecordings requires, for each writer, every verdict to be what the
// page saw and, from Firefox's, every console line to be Firefox's.
//
// # Not modelled
//
// WebSockets, navigations, and what check.Explain does not model (see
// package check). A script, image or stylesheet loaded in mode no-cors is
// judged as the element's classic load (Safari's import() is no-cors too,
// and not opaque to the page; the HAR does not tell). HTTP/2
// pseudo-headers are ignored.
package har
