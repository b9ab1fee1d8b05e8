// Package engine is the one home for rules in which browser engines differ
// from the Fetch standard or from each other. The standard's rules live in
// package internal/fetch; a rule that only one engine follows (a header it
// safelists on top of the standard's, the order in which it checks headers,
// a message it prints, a limit it picks) lives here, once, in that engine's
// files — chromium*.go, firefox.go, webkit.go — with a comment that cites
// the engine's source and says how it was confirmed in the real browser,
// and both the checker and the tests use it from here.
//
// Chromium's request-side rules are gathered in a value of type Rules
// (engine.Chromium), so that code which asks "what does this browser do"
// can take a Rules and other engines' values can sit beside it; a field
// left nil is the standard's rule.
package engine
