// Package engine is the one home for rules in which browser engines differ
// from the Fetch standard or from each other. The standard's rules live in
// package internal/fetch; a rule that only one engine follows (a header it
// safelists on top of the standard's, a message it prints, a limit it picks)
// lives here, once, in that engine's file, with a comment that cites the
// engine's source, and both the checker and the tests use it from here.
//
// Each engine is a value of type Rules (chromium.go holds Chromium's), so
// that code which models "what this browser does" takes a Rules and a table
// of engines can sit side by side. Only Chromium is modelled today; a rule
// the package does not know for an engine is the standard's.
package engine
