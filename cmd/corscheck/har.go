package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/corskit/cors/check"
	"github.com/corskit/cors/check/har"
)

const harSynopsis = `corscheck har FILE [--browser chromium|firefox|safari] [--json]

Reads FILE, a HAR (HTTP Archive) written by a browser's DevTools ("Export
HAR", "Save All As HAR") or by Playwright's recordHar, - for stdin, and
explains every cross-origin request in it: its page origin, its preflight
and redirects, the verdict, the console line the browser printed, why, and
the fix. It judges the recorded exchanges with the rules of explain and
sends nothing. Where the HAR lacks what the verdict needs (writers leave
out preflights, blocked responses, cookies), it says so and prints the
corscheck explain command that settles it live. --browser judges with
another browser's rules than the one that recorded the file.

exit status: 0 no cross-origin request blocked, 1 one or more blocked,
             2 not a HAR file (what is wrong and where) or a usage error`

func harCommand(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("har", harSynopsis)
	jsonOut := fs.Bool("json", false, "print JSON instead of text (see har.Report)")
	browser := fs.String("browser", "", "judge with this `browser`'s rules: chromium, firefox or safari (default: the browser that recorded the file)")
	file, help, ok := parseOne(fs, args, stdout, stderr, "FILE", "corscheck har session.har")
	if help {
		return exitOK
	}
	if !ok {
		return exitUsage
	}
	var b check.Browser
	if *browser != "" {
		var err error
		b, err = check.ParseBrowser(*browser)
		if err != nil || b == check.AllBrowsers {
			fmt.Fprintf(stderr, "corscheck har: --browser %s: write chromium, firefox or safari\n", *browser)
			return exitUsage
		}
	}
	var a *har.Archive
	var err error
	if file == "-" {
		a, err = har.Read(os.Stdin)
	} else {
		a, err = har.ReadFile(file)
	}
	if err != nil {
		var fe *har.FormatError
		if errors.As(err, &fe) {
			fmt.Fprintf(stderr, "corscheck har: %s is not a HAR file corscheck can read: %v\n", file, fe)
		} else {
			fmt.Fprintf(stderr, "corscheck har: %v: give the path of a HAR file, or - for stdin\n", err)
		}
		return exitUsage
	}
	rep, err := har.Judge(context.Background(), a, har.Options{Browser: b})
	if err != nil {
		fmt.Fprintf(stderr, "corscheck har: %v\n", usageHint(err))
		return exitUsage
	}
	if *jsonOut {
		printJSON(stdout, rep)
	} else {
		printHAR(stdout, file, rep)
	}
	if rep.Summary.Blocked > 0 {
		return exitBlocked
	}
	return exitOK
}

// printHAR prints rep: a summary, then each group of requests with one
// line per request and its details under it.
func printHAR(w io.Writer, file string, rep *har.Report) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	wr := rep.Writer
	p("%s: written by %s %s", file, wr.Name, wr.Creator.Version)
	if wr.Browser.Name != "" && !strings.EqualFold(wr.Browser.Name, wr.Name) {
		p(" (%s %s)", wr.Browser.Name, wr.Browser.Version)
	}
	p(", judged as %s\n", rep.Browser.Name())
	s := rep.Summary
	p("%d entries, %d cross-origin requests: %d blocked, %d allowed", s.Entries, s.CrossOrigin, s.Blocked, s.Allowed)
	for _, x := range []struct {
		n    int
		what string
	}{{s.Opaque, "opaque (no-cors)"}, {s.Failed, "failed (not CORS)"}, {s.Unknown, "unknown"}, {s.Disagreements, "disagreeing with the recording"}, {s.Skipped, "not judged"}} {
		if x.n > 0 {
			p(", %d %s", x.n, x.what)
		}
	}
	p("\n")
	for _, n := range wr.Notes {
		p("note: %s\n", n)
	}
	for _, g := range rep.Groups {
		p("\n%s\n", groupTitle(g))
		for _, i := range g.Requests {
			printHARRequest(w, rep.Requests[i])
		}
	}
	if len(rep.Skipped) > 0 {
		p("\nNOT JUDGED (%d)\n", len(rep.Skipped))
		for _, sk := range rep.Skipped {
			p("  %s %s  (entry %d)\n    why:      %s\n", sk.Method, sk.URL, sk.Entry, sk.Why)
		}
	}
}

func groupTitle(g har.Group) string {
	n := len(g.Requests)
	count := fmt.Sprintf("%d request", n)
	if n != 1 {
		count += "s"
	}
	switch {
	case g.Verdict == har.Blocked && g.Reason != "":
		return fmt.Sprintf("BLOCKED %s at %s (%s)", g.Reason, g.Origin, count)
	case g.Verdict == har.Blocked:
		return fmt.Sprintf("BLOCKED, and the HAR does not show why (%s)", count)
	case g.Verdict == har.Opaque:
		return fmt.Sprintf("LOADED, opaque to the page: no-cors loads, no CORS check (%s)", count)
	case g.Verdict == har.Failed:
		return fmt.Sprintf("FAILED, not because of CORS (%s)", count)
	case g.Verdict == har.Unknown:
		return fmt.Sprintf("UNKNOWN: the HAR shows neither a response nor a failure (%s)", count)
	}
	return fmt.Sprintf("ALLOWED (%s)", count)
}

func printHARRequest(w io.Writer, q *har.Request) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	verdict := strings.ToUpper(string(q.Verdict))
	reason := string(q.Reason)
	if q.Verdict == har.Blocked && reason == "" {
		reason = "(why is not in the HAR)"
	}
	p("  %s %s  %s\n", q.Method, q.URL, strings.TrimSpace(verdict+" "+reason))
	kind := q.Kind
	if !q.Assumed.InitiatorKnown && q.Assumed.Initiator != "" {
		kind += " (assumed; the HAR does not say which API)"
	}
	if q.Assumed.ModuleUnknown {
		kind += " (assumed; the HAR does not say whether it is a module)"
	}
	p("    request:  entries %s; %s from a page on %s (read from %s)\n", entryList(q), kind, q.PageOrigin, q.OriginFrom)
	for _, l := range q.Console {
		p("    console:  %s\n", l)
	}
	if q.Explanation != "" && q.Verdict != har.Allowed {
		p("    why:      %s\n", q.Explanation)
	}
	if q.Fix != "" {
		p("    fix:      %s\n", q.Fix)
	}
	rec := fmt.Sprintf("status %d", q.Recorded.Status)
	if q.Recorded.Failure != "" {
		rec += ", " + q.Recorded.Failure
	}
	p("    recorded: %s (%s)\n", rec, q.Recorded.Outcome)
	for _, m := range q.Missing {
		p("    missing:  %s\n", m)
	}
	for _, in := range q.Inferred {
		p("    inferred: %s\n", in)
	}
	if q.LocalNetworkAccess != "" {
		p("    lna:      %s\n", q.LocalNetworkAccess)
	}
	for _, a := range q.Alternatives {
		alt := strings.ToUpper(string(a.Verdict))
		if a.Reason != "" {
			alt += " " + string(a.Reason)
		}
		p("    depends:  %s: %s\n", a.If, alt)
		for _, l := range a.Console {
			p("              console: %s\n", l)
		}
	}
	if q.Disagreement != "" {
		p("    DISAGREES: %s\n", q.Disagreement)
	}
	for _, wn := range q.Warnings {
		p("    warning:  %s\n", wn)
	}
	if q.Settle && q.Explain != "" {
		p("    settle:   %s\n", q.Explain)
		if m := q.Method; m != "GET" && m != "HEAD" && m != "OPTIONS" {
			p("              (add --send-actual to send the %s itself, not only its preflight)\n", m)
		}
	}
}

func entryList(q *har.Request) string {
	var parts []string
	for _, e := range q.Entries {
		parts = append(parts, fmt.Sprintf("#%d", e))
	}
	s := strings.Join(parts, " → ")
	if len(q.Preflights) > 0 {
		var ps []string
		for _, e := range q.Preflights {
			ps = append(ps, fmt.Sprintf("#%d", e))
		}
		s += " (preflight " + strings.Join(ps, ", ") + ")"
	}
	if s == "" {
		s = "(none)"
	}
	return s
}
