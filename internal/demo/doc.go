// Package demo is the server side of cmd/corsdemo: two origins on one
// machine, an API and a client page, that show in a real browser which
// cross-origin calls pass and which are blocked, and why.
//
// NewAPI is the API origin. Its routes mirror the Express article the
// project began from (/without-cors, /with-cors, /products/{id}, an
// allow-list) and add the cases the article only mentions: a resource that
// needs a preflight, a credentialed route with a cookie, and a route that
// exposes one response header and hides another.
//
// NewClient is the client origin: an embedded page (no build step, no
// external assets) with a button per call. Each call runs with both fetch
// and XMLHttpRequest and shows "pass" with the body, or "blocked" with the
// reason and the server change that fixes it.
//
// A browser tells scripts nothing about a CORS failure (fetch rejects with
// "TypeError: Failed to fetch", an XMLHttpRequest ends with status 0); only
// the console says why. So after each call the page asks its own origin,
// GET /explain?call=ID, and the client origin runs the checker
// (check.Explain) on that call against the live API, once as fetch() and
// once as XMLHttpRequest, as the browser the page runs in does it: the page
// tells Chromium, Firefox and WebKit (Safari, and every iOS browser) apart
// by its user agent and says which one it found, and the checker
// (check.Request.Browser) models each. For a blocked call the page shows
// what the checker says: the reason (named after Chromium's CorsError), the
// console lines that browser prints, an explanation and the HTTP-level fix.
// If the checker's verdict differs from what the browser did, the page says
// so: that is a bug in the checker.
//
// The page never assumes it is where it should be. Opened on another
// origin than the one the API trusts (127.0.0.1 for localhost), it says so
// in a banner that links the right URL, and the calls' expectations and
// explanations follow the origin it is really on (see Calls). A
// credentialed call that passes but loses its cookie, because page and API
// are two sites, shows "pass, but no cookie" and why (Call.CookieLost).
//
// Below the calls, a second table ("Beyond fetch", static/resources.js) loads
// what the article lists besides fetch and XHR from the API origin, once
// from a route without a CORS policy (PathAssetsPlain) and once from one
// with AssetPolicy (PathAssetsCORS): an image, a classic script and a
// stylesheet (they load, opaque), a Web Font (blocked without CORS: the
// text visibly falls back), an ES module by <script type=module> and by
// import() (blocked without CORS), and an image read back from a 2D canvas
// and from WebGL, without crossorigin (tainted from either route) and with
// it (readable with CORS, not loaded without). Each cell asks the client
// origin's /explain-resource what the checker predicts for the same load,
// and shows Chromium's console line for a blocked one. Resources is that
// table; Assets serves the files.
//
// A third section ("Beyond CORS", static/lna.js, lna.go) is Local Network
// Access: both origins are on this machine, so Chromium applies none to the
// calls above; the section makes the one LNA failure a page here meets, a
// fetch() whose targetAddressSpace ("local") is not the API's (loopback),
// refused by Chromium and ignored by Firefox and Safari, and shows
// corscheck's account of it and of the same call from a public page (the
// permission prompt, and the line when it is refused). LocalNetwork is that
// row.
//
// Calls is the table the page runs: for each call the request, the outcome
// the API's policy promises, and, for blocked calls, an Explanation with
// what the checker cannot know: what happened in this demo and the fix in
// Go.
package demo
