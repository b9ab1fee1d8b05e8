// Package difftest is corskit's differential harness against real
// browsers: a seeded generator of cross-origin cases (what a server answers,
// what a page asks) and a handler that answers exactly as a case says, so
// that the same case can run in Chromium (module e2e) and through
// check.Explain (package check), and the two verdicts, CorsError reasons
// and console lines be compared.
//
// A Case is data, not code: it round-trips through JSON, so a corpus of
// cases with the answers Chromium gave is committed
// (testdata/chromium156.json) and replayed without a browser, and
// re-recorded with "make record-differential".
//
// The handler serves every case under /d/<id>/<hop> on two origins, A and B
// (two loopback servers: a redirect chain may cross between them). A case's
// header values are templates: "{origin}" is replaced by the request's
// Origin header, so "echo the origin" stays an echo after a redirect has
// turned the Origin into "null", in the browser and in the checker alike.
// Console lines are compared after Normalize has replaced the servers'
// origins with {A}, {B} and {PAGE}.
package difftest
