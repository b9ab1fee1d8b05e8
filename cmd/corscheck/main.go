// Command corscheck explains why a browser blocks (or allows) a cross-origin
// request, and audits a URL for CORS misconfigurations.
//
//	go install github.com/corskit/cors/cmd/corscheck@latest
//
//	corscheck explain URL --origin O [--method M] [-H 'Name: value']... [--credentials]
//	                      [--cookie C] [--data D | --data-file F] [--xhr] [--xhr-upload]
//	                      [--mode cors|no-cors|same-origin] [--keepalive] [--referrer-policy P]
//	                      [--browser chromium|firefox|safari|all] [--send-actual] [--json]
//	corscheck explain URL --origin O --destination font|script|image|style
//	                      [--crossorigin anonymous|use-credentials] [--module [--import]]
//	                      [--browser chromium|firefox|safari|all] [--json]
//	corscheck explain ws://…|wss://… --origin O [--cookie C] [--protocol P]... [--json]
//	corscheck audit URL|ws://…|wss://… [--trusted O]... [-H 'Name: value']... [--cookie C]
//	                    [--fail-on SEVERITY] [--deadline D] [--seed S] [--json]
//	corscheck har FILE [--browser chromium|firefox|safari] [--json]
//
// "corscheck explain --help" and "corscheck audit --help" list every flag
// with its default. Common flags: --timeout D (default 10s) bounds each
// request; --insecure skips TLS certificate verification (verification is
// on by default; use this only for a test server with a self-signed
// certificate). A usage error names the flag and says what to write.
//
// explain sends what the browser (--browser: chromium, the default,
// firefox, safari) would send — the preflight when one is needed, then the
// actual request (only GET, HEAD and OPTIONS unless --send-actual) — and
// prints the verdict, the stage, the reason (named after Chromium's
// CorsError), the exact console lines that browser prints, the fix on the
// server, curl commands, the readable response headers and the preflight
// cache time per browser. Redirects are followed as that browser follows
// them; a redirect it refuses (to data: or another scheme, past the 20th)
// is a blocked request with the browser's own console line. --browser all
// prints first where the three browsers differ (verdict, stage, preflight,
// requests, console lines), side by side, then each browser's verdict,
// lines and fix, then the requests (a request the three share is sent
// once), and exits 1 if any browser blocks. --json prints the same as one
// JSON object (see check.Result; with all, "browsers" holds each one's and
// "differences" what differs).
//
// --mode, --keepalive and --referrer-policy are fetch()'s options: mode
// no-cors gives an opaque response without a CORS check, mode same-origin
// refuses another origin, keepalive silences Firefox's console, and the
// referrer policy changes no browser's verdict (the differential corpus
// checks all three), only the Referer header, which corscheck does not
// send.
//
// --destination explains a URL the page loads as a font (@font-face), a
// script (--module for <script type=module>, with --import for import()),
// an image or a stylesheet instead: the request goes out as the browser
// sends it for that element (mode, credentials, Accept, Sec-Fetch-Dest), and
// a blocked one gets that browser's console lines for it ("Access to font at
// …"). Fonts and modules need CORS (Safari loads fonts and import() without
// it); an <img>, a classic <script> or a stylesheet only with --crossorigin
// anonymous|use-credentials, and without it explain reports a load that
// works but is opaque to the page: a canvas that draws the image is tainted
// (getImageData throws a SecurityError), WebGL refuses it.
//
// explain of a ws:// or wss:// URL opens the WebSocket handshake a page on
// --origin would (with --cookie and the --protocol subprotocols), and one
// from a made-up origin, and says whether the server accepts the page's
// socket and whether it checks Origin at all; browsers apply no CORS to
// WebSockets, so a server that accepts any origin is hijackable (exit 1).
//
// For every request, explain also says when Chromium's Local Network Access
// applies (a public page calling a private or loopback address): the
// permission the page needs, and the console line when it is denied or the
// page is not a secure context (then nothing is sent). The page's address
// space comes from its host (an IP address, a localhost name, DNS), or from
// --page-address-space when that cannot tell; --target-address-space is
// fetch()'s targetAddressSpace.
//
// audit probes attacker-chosen origins as simple requests (with and without
// credentials) and as preflights, and prints one finding per root cause,
// sorted by severity; --json prints one JSON object, a check.Report with its
// summary, also when there are no findings. The probe origins are derived
// from the URL (or --seed), so two runs print the same findings; --deadline
// (default 30s) bounds the whole audit, which also stops after the first
// timeout of a server that does not answer. A ws:// or wss:// URL, or an
// http(s) URL that answers a WebSocket handshake, is probed with handshakes
// from the same origins; an origin accepted with the --cookie session is a
// hijackable socket (critical when any origin is).
//
// har reads a HAR file (a DevTools "Export HAR", Playwright's recordHar;
// - for stdin) and explains each cross-origin request in it offline: page
// origin, preflight, redirects, verdict, the browser's console lines, why
// and the fix, grouped by root cause; where the file lacks what a verdict
// needs it says what, and prints the explain command that settles it live.
// It sends nothing. --json prints a har.Report.
//
// Exit status:
//
//	0  explain: allowed (or same-origin); audit: no finding at or above --fail-on;
//	   har: no cross-origin request blocked
//	1  explain: blocked (by CORS, by Local Network Access, or by a redirect the
//	   browser refuses); audit: a finding at or above --fail-on (default high);
//	   har: a cross-origin request blocked
//	2  usage error: bad flag, URL, origin, method or -H value; har: not a HAR file
//	3  network error: DNS, connection, TLS, timeout;
//	   audit: --deadline passed, or the server does not answer
package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/corskit/cors/check"
)

// Exit statuses.
const (
	exitOK      = 0
	exitBlocked = 1
	exitUsage   = 2
	exitNetwork = 3
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func errorStatus(err error) int {
	var ie *check.InputError
	var ne *check.NetworkError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ie):
		return exitUsage
	case errors.As(err, &ne):
		return exitNetwork
	}
	return exitNetwork
}

// printExplained prints res: one browser's verdict and its requests, or,
// for --browser all, each browser's verdict, console lines and fix, then
// the requests (Chromium's, and another browser's where they differ).
func printExplained(w io.Writer, res *check.Result) {
	if res.Browsers == nil {
		printVerdict(w, res)
		printDetails(w, res)
		return
	}
	printDifferences(w, res)
	for _, b := range check.Browsers() {
		r := res.Browsers[b]
		fmt.Fprintf(w, "== %s\n", b.Name())
		printVerdict(w, r)
		if b != check.Chromium && !sameExchanges(r.Exchanges, res.Exchanges) {
			printExchanges(w, r)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "== the requests (as Chromium sends them)\n")
	printDetails(w, res)
}

// printDifferences prints, for --browser all, what the browsers do
// differently with the request, side by side, or that they agree.
func printDifferences(w io.Writer, res *check.Result) {
	if len(res.Differences) == 0 {
		fmt.Fprintf(w, "== Chromium, Firefox and Safari agree on this request\n\n")
		return
	}
	fmt.Fprintf(w, "== where the browsers differ\n")
	for _, d := range res.Differences {
		fmt.Fprintf(w, "%s:\n", d.What)
		for _, b := range check.Browsers() {
			v := d.Values[b]
			if v == "" {
				v = "(none)"
			}
			// Requests and console lines are lists: one item a line.
			v = strings.NewReplacer(" → ", "\n            → ", " | ", "\n            ").Replace(v)
			fmt.Fprintf(w, "  %-9s %s\n", b.Name(), v)
		}
	}
	fmt.Fprintln(w)
}

// printVerdict prints the verdict, the reason, the console lines, the
// explanation and the fix.
func printVerdict(w io.Writer, r *check.Result) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("browser:   %s\n", r.Browser.Name())
	switch {
	case r.Stage == check.StageSameOrigin:
		p("verdict:   ALLOWED (same-origin: CORS does not apply)\n")
		return
	case r.Opaque:
		p("verdict:   LOADS, but opaque to the page: a no-cors load, with no CORS check\n")
	case r.Allowed && !r.ActualSent && r.Preflight:
		p("verdict:   ALLOWED so far: the preflight passes (actual request not sent)\n")
	case r.Allowed && !r.ActualSent:
		p("verdict:   UNKNOWN: no preflight is needed, and the actual request was not sent (add --send-actual)\n")
	case r.Allowed:
		p("verdict:   ALLOWED\n")
	default:
		p("verdict:   BLOCKED at the %s\n", r.Stage)
		reason := string(r.Reason)
		if r.FailedParameter != "" {
			reason += " (" + r.FailedParameter + ")"
		}
		if r.NetError != "" {
			reason = r.NetError + " (a network error, not a CORS one)"
		}
		if reason != "" {
			p("reason:    %s\n", reason)
		}
	}
	for _, l := range r.Console {
		p("console:   %s\n", l)
	}
	printRequestShape(w, r)
	if r.Explanation != "" {
		p("why:       %s\n", r.Explanation)
	}
	if r.Fix != "" {
		p("fix:       %s\n", r.Fix)
	}
	printLNA(w, r.LocalNetworkAccess, r.Stage == check.StageLocalNetworkAccess) // websocket.go
	if r.Preflight {
		p("preflight: needed: %s\n", strings.Join(r.PreflightWhy, "; "))
	} else {
		p("preflight: not needed (simple request)\n")
	}
}

// printDetails prints the requests and responses, what the page can read,
// the preflight cache times, the warnings and the curl commands.
func printDetails(w io.Writer, r *check.Result) {
	if r.Stage == check.StageSameOrigin {
		return
	}
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	printExchanges(w, r)
	if r.ActualNote != "" {
		p("actual:    %s\n", r.ActualNote)
	}
	if r.Allowed && r.ActualSent && r.Destination == check.DestinationFetch {
		p("readable:  %s\n", orNone(r.Readable))
	}
	if r.Cache != nil {
		p("cache:     preflight cached %ds in Chromium, %ds in Firefox, %ds in Safari\n", r.Cache.Chromium, r.Cache.Firefox, r.Cache.Safari)
	}
	for _, warn := range r.Warnings {
		p("warning:   %s\n", warn)
	}
	if len(r.Curl) > 0 {
		p("reproduce:\n")
		for _, c := range r.Curl {
			p("  %s\n", c)
		}
	}
}

func printExchanges(w io.Writer, r *check.Result) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	for _, ex := range r.Exchanges {
		p("  > %s %s (%s)\n", ex.Method, ex.URL, ex.Kind)
		for _, k := range slices.Sorted(maps.Keys(ex.RequestHeader)) {
			if k == "User-Agent" {
				continue
			}
			p("  >   %s: %s\n", k, strings.Join(ex.RequestHeader[k], ", "))
		}
		p("  < %d %s\n", ex.Status, http.StatusText(ex.Status))
		shown := check.CORSHeaders(ex.Header, "Location")
		for _, k := range slices.Sorted(maps.Keys(shown)) {
			for _, v := range shown[k] {
				p("  <   %s: %s\n", k, v)
			}
		}
	}
}

// sameExchanges reports whether a and b are the same requests.
func sameExchanges(a, b []check.Exchange) bool {
	return slices.EqualFunc(a, b, func(x, y check.Exchange) bool {
		return x.Kind == y.Kind && x.Method == y.Method && x.URL == y.URL && x.Body == y.Body &&
			maps.EqualFunc(x.RequestHeader, y.RequestHeader, slices.Equal)
	})
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, ", ")
}

func printReport(w io.Writer, r *check.Report) {
	fmt.Fprintf(w, "audit of %s: %d requests, %d findings", r.Target, r.Requests, len(r.Findings))
	if len(r.Findings) > 0 {
		var parts []string
		for s := check.Critical; s >= check.Info; s-- {
			if n := r.Summary.BySeverity[s.String()]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, s))
			}
		}
		fmt.Fprintf(w, " (%s)", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w)
	for _, f := range r.Findings {
		creds := "without credentials"
		if f.Credentials {
			creds = "WITH credentials"
		}
		fmt.Fprintf(w, "\n%-8s %s [%s, %s, %s]\n", strings.ToUpper(f.Severity.String()), f.Class, f.Category, f.Probe, creds)
		fmt.Fprintf(w, "  origin:   %s\n", f.Origin)
		fmt.Fprintf(w, "  evidence: %s %s -> %d", f.Evidence.Method, f.Evidence.URL, f.Evidence.Status)
		for _, k := range slices.Sorted(maps.Keys(f.Evidence.Header)) {
			fmt.Fprintf(w, "; %s: %s", k, strings.Join(f.Evidence.Header[k], ", "))
		}
		fmt.Fprintf(w, "\n  %s\n", f.Summary)
		if len(f.Probes) > 1 {
			fmt.Fprintf(w, "  probes:\n")
			for _, p := range f.Probes {
				c := ""
				if p.Credentials {
					c = ", with credentials"
				}
				fmt.Fprintf(w, "    %s (%s%s) -> %d\n", p.Origin, p.Kind, c, p.Status)
			}
		}
		if f.Fix != "" {
			fmt.Fprintf(w, "  fix: %s\n", f.Fix)
		}
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "error: %s\n", e)
	}
}
