// Package difftest is corskit's differential harness against real
// browsers: a seeded generator of cross-origin cases (what a server answers,
// what a page asks) and a handler that answers exactly as a case says, so
// that the same case can run in Chromium (module e2e) and through
// check.Explain (package check), and the two verdicts, CorsError reasons
// and console lines be compared.
//
// A Case is data, not code: it round-trips through JSON, so a corpus of
// cases with the answers Chromium, Firefox and WebKit gave is committed
// (testdata/differential.json) and replayed without a browser, and
// re-recorded with "make record-differential". Generate draws cases in
// families (random answers, redirects, the page's own origin, header
// values, methods, fetch() modes and options, and the scenarios of
// web-platform-tests' CORS tests).
//
// The handler serves every case under /d/<id>/<hop> on three origins (three
// loopback servers, Servers): A and B, two API origins, and P, the page's
// own origin, which also serves the page, so that a redirect chain may
// cross between them, start on the page's origin or come back to it. A
// case's header values are templates: "{origin}" is replaced by the
// request's Origin header, so "echo the origin" stays an echo after a
// redirect has turned the Origin into "null", in the browser and in the
// checker alike, and "{page}" by P's origin. Console lines are compared
// after Normalize has replaced the servers' origins with {A}, {B} and
// {PAGE}.
package difftest
