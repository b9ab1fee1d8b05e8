// Package engine is the one home for rules in which browser engines differ
// from the Fetch standard or from each other. The standard's rules live in
// package internal/fetch; a rule that only some engines follow (a header
// one safelists on top of the standard's, the order in which one judges a
// preflight or checks the request headers, how one reads
// Access-Control-Max-Age, a message it prints, a limit it picks) lives here,
// once, in that engine's file — chromium*.go, firefox.go, webkit.go — with a
// comment that cites the engine's source and says how it was confirmed in
// the real browser. Package check judges requests with these rules, and
// the tests (the e2e suite's rows, the differential corpus) use them too.
//
// Each engine's rules are a value of type Rules: Chromium, Firefox and
// WebKit (Safari's engine). A field left nil or false is the standard's
// rule. Failures are named in the engines' common terms (Check, Failure),
// and each engine's Console words them as its console does
// (chromium_console.go, firefox.go, webkit.go). Besides what a preflight
// and the CORS check decide, the rules cover how each engine follows a
// redirect (which statuses, which method and headers after it, when and
// with which Origin it preflights again), the lines it logs for a redirect
// it refuses, and how it loads what an element asks for (fonts, modules).
package engine
