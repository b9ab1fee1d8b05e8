// Package check predicts, without a browser, what Chromium does with a
// cross-origin request, and audits a URL for CORS misconfigurations. It is
// the engine of the corscheck command.
//
// # Explain
//
// Explain takes what a script would do — fetch(url, {method, headers,
// credentials}) from a page on some origin — and does what the browser does:
//
//   - It decides whether a preflight is needed. A method other than GET,
//     HEAD and POST needs one (after Fetch's method normalisation: "patch"
//     stays "patch"). So does any header that is not CORS-safelisted: only
//     Accept, Accept-Language, Content-Language, Content-Type and Range are
//     safelisted, each with a value rule (no unsafe bytes in Accept; a MIME
//     essence of application/x-www-form-urlencoded, multipart/form-data or
//     text/plain for Content-Type, so application/json always preflights; a
//     single "bytes=N-[M]" range), a 128-byte value limit, and a 1024-byte
//     limit on their sum. An XMLHttpRequest with upload listeners
//     (Request.ForcePreflight) always preflights.
//   - It sends the preflight exactly as Chromium formats it, without
//     credentials and without following redirects, and judges the response
//     in Chromium's order, which is not the standard's: a redirect fails
//     first, then the Access-Control-Allow-Origin/-Credentials check (the
//     Preflight… errors), then a non-2xx status, then the syntax of
//     Access-Control-Allow-Methods/-Headers, then the method, then the
//     headers. A 401 preflight without CORS headers therefore reads "No
//     'Access-Control-Allow-Origin' header…", not "does not have HTTP ok
//     status". Authorization covered only by "Access-Control-Allow-Headers:
//     *" passes, as it does in Chromium today, with a warning.
//   - It sends the actual request — only GET, HEAD and OPTIONS unless
//     Request.SendActual, so that explaining a DELETE deletes nothing — and
//     runs the CORS check on it and on every redirect, following redirects
//     as a browser does (the Origin turns into "null" after a cross-origin
//     hop; the console line then says "(redirected from …)").
//
// The Result carries the verdict (Allowed), the Stage, the Reason as
// Chromium's CorsError name (the name DevTools and the Chrome DevTools
// Protocol use), the exact console Message Chromium prints, an Explanation
// and a Fix, curl commands that repeat every request, the response headers
// the page can read, and how long Chromium (cap 7200 s), Firefox (86400 s)
// and Safari (600 s) cache the preflight.
//
// The console text follows Chromium's cors_error_string.cc and was compared
// with a real Chromium 156: "Access to fetch at '<url>' from origin '<o>' has
// been blocked by CORS policy: " and, for the origin, credentials, status and
// redirect failures of a preflight, "Response to preflight request doesn't
// pass access control check: ", then the reason. For fetch() the three "bad
// Access-Control-Allow-Origin value" reasons end in "Have the server send the
// header with a valid value."; for XMLHttpRequest the wildcard and
// credentials reasons end in a sentence about withCredentials.
//
// # Audit
//
// Audit sends attacker-chosen origins — a random registrable domain, null,
// names that start with, end with or contain the target's (or a trusted
// origin's) name, an unescaped-dot variant, an underscore parser confusion, a
// subdomain, another port, the http:// twin of an https origin, developer
// sandboxes — each as a simple GET without and with credentials and as a
// preflight, and reports every origin the server trusts, with a severity
// derived from exploitability: credentialed reads from an origin an attacker
// can register are high (critical for blind reflection), those that need a
// subdomain XSS, another service or a network attacker medium, reads without
// credentials low or info. It also reports "*", "*" with credentials,
// several or invalid Access-Control-Allow-Origin values, and a dynamic
// Access-Control-Allow-Origin without Vary: Origin. Each Finding carries its
// evidence: the request, the status and the response's CORS headers.
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
// Private/Local Network Access, Chromium's extra safelisted headers that only
// the browser sets (client hints, Save-Data), the preflight cache itself (every
// Explain call starts cold), request bodies, and non-http schemes.
package check
