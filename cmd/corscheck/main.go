// Command corscheck explains why a browser blocks (or allows) a cross-origin
// request, and audits a URL for CORS misconfigurations.
//
//	corscheck explain URL --origin O [--method M] [-H 'Name: value']... [--credentials]
//	                      [--xhr] [--xhr-upload] [--send-actual] [--json]
//	corscheck audit URL [--trusted O]... [-H 'Name: value']... [--cookie C]
//	                    [--fail-on SEVERITY] [--json]
//
// Common flags: --timeout D (default 10s) bounds each request; --insecure
// skips TLS certificate verification (verification is on by default; use
// this only for a test server with a self-signed certificate).
//
// explain sends what Chromium would send — the preflight when one is needed,
// then the actual request (only GET, HEAD and OPTIONS unless --send-actual)
// — and prints the verdict, the stage, Chromium's CorsError name, the exact
// console line, the fix on the server, curl commands, the readable response
// headers and the preflight cache time per browser. --json prints the same as
// one JSON object (see check.Result).
//
// audit probes attacker-chosen origins as simple requests (with and without
// credentials) and as preflights and prints every finding; --json prints
// JSON Lines, one finding per line (see check.Finding).
//
// Exit status:
//
//	0  explain: allowed (or same-origin); audit: no finding at or above --fail-on
//	1  explain: blocked; audit: a finding at or above --fail-on (default high)
//	2  usage error: bad flag, URL, origin, method or -H value
//	3  network error: DNS, connection, TLS, timeout, too many redirects
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

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

const usage = `usage:
  corscheck explain URL --origin ORIGIN [--method M] [-H 'Name: value']... [--credentials]
                        [--xhr] [--xhr-upload] [--send-actual] [--json] [--timeout D] [--insecure]
  corscheck audit URL [--trusted ORIGIN]... [-H 'Name: value']... [--cookie 'a=b']
                      [--fail-on info|low|medium|high|critical] [--json] [--timeout D] [--insecure]

exit status: 0 allowed / audit clean, 1 blocked / findings at or above --fail-on,
             2 usage error, 3 network error
`

// run is main without the process: it parses args, writes to stdout and
// stderr, and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "explain":
		return explain(args[1:], stdout, stderr)
	case "audit":
		return audit(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "corscheck: unknown command %q\n%s", args[0], usage)
	return exitUsage
}

// headerFlag collects repeated -H 'Name: value' flags.
type headerFlag struct{ h http.Header }

func (f *headerFlag) String() string { return "" }

func (f *headerFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.ContainsAny(name, " \t") {
		return fmt.Errorf("want 'Name: value', got %q", s)
	}
	if f.h == nil {
		f.h = http.Header{}
	}
	f.h.Add(name, strings.TrimSpace(value))
	return nil
}

type listFlag []string

func (f *listFlag) String() string     { return strings.Join(*f, ",") }
func (f *listFlag) Set(s string) error { *f = append(*f, s); return nil }

// common holds the flags both commands take.
type common struct {
	timeout  time.Duration
	insecure bool
	json     bool
	headers  headerFlag
}

func (c *common) register(fs *flag.FlagSet) {
	fs.DurationVar(&c.timeout, "timeout", 10*time.Second, "time limit for each request")
	fs.BoolVar(&c.insecure, "insecure", false, "skip TLS certificate verification (test servers only)")
	fs.BoolVar(&c.json, "json", false, "machine-readable output")
	fs.Var(&c.headers, "H", "request header 'Name: value' (repeatable)")
}

func (c *common) client() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if c.insecure {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	return &http.Client{Transport: t, Timeout: c.timeout}
}

// parse parses flags that may come before or after the single positional
// URL (the flag package alone stops at the first non-flag).
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) (string, bool) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			fmt.Fprintf(stderr, "corscheck %s: %v\n", fs.Name(), err)
			return "", false
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "corscheck %s: want exactly one URL, got %d arguments\n", fs.Name(), len(pos))
		return "", false
	}
	return pos[0], true
}

func explain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	var c common
	c.register(fs)
	origin := fs.String("origin", "", "the page's origin, e.g. https://app.example.com (required)")
	method := fs.String("method", "GET", "request method")
	creds := fs.Bool("credentials", false, "credentials: 'include' (XHR: withCredentials)")
	xhr := fs.Bool("xhr", false, "the request is an XMLHttpRequest, not fetch()")
	upload := fs.Bool("xhr-upload", false, "an XMLHttpRequest with upload listeners, which forces a preflight")
	sendActual := fs.Bool("send-actual", false, "also send an actual request whose method is not GET, HEAD or OPTIONS")
	target, ok := parse(fs, args, stderr)
	if !ok {
		return exitUsage
	}
	if c.timeout <= 0 {
		fmt.Fprintln(stderr, "corscheck explain: --timeout must be positive")
		return exitUsage
	}
	req := check.Request{
		URL: target, Origin: *origin, Method: *method, Header: c.headers.h,
		Credentials: *creds, ForcePreflight: *upload, SendActual: *sendActual,
	}
	if *xhr || *upload {
		req.Initiator = check.XHR
	}
	res, err := check.Explain(context.Background(), c.client(), req)
	if code := errorStatus(err); code != exitOK {
		fmt.Fprintf(stderr, "corscheck explain: %v\n", err)
		return code
	}
	if c.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
	} else {
		printResult(stdout, res)
	}
	if !res.Allowed {
		return exitBlocked
	}
	return exitOK
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

func printResult(w io.Writer, r *check.Result) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	switch {
	case r.Stage == check.StageSameOrigin:
		p("verdict:   ALLOWED (same-origin: CORS does not apply)\n")
		return
	case r.Allowed && !r.ActualSent:
		p("verdict:   ALLOWED so far: the preflight passes (actual request not sent)\n")
	case r.Allowed:
		p("verdict:   ALLOWED\n")
	default:
		p("verdict:   BLOCKED at the %s\n", r.Stage)
		reason := string(r.Reason)
		if r.FailedParameter != "" {
			reason += " (" + r.FailedParameter + ")"
		}
		p("reason:    %s\n", reason)
		p("console:   %s\n", r.Message)
	}
	if r.Explanation != "" {
		p("why:       %s\n", r.Explanation)
	}
	if r.Fix != "" {
		p("fix:       %s\n", r.Fix)
	}
	if r.Preflight {
		p("preflight: needed: %s\n", strings.Join(r.PreflightWhy, "; "))
	} else {
		p("preflight: not needed (simple request)\n")
	}
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
	if r.ActualNote != "" {
		p("actual:    %s\n", r.ActualNote)
	}
	if r.Allowed && r.ActualSent {
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

func orNone(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, ", ")
}

func audit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	var c common
	c.register(fs)
	var trusted listFlag
	fs.Var(&trusted, "trusted", "an origin the site means to trust (repeatable; https://*.example.com for all subdomains, http://localhost:* for all ports)")
	cookie := fs.String("cookie", "", "Cookie header sent with the credentialed probes (default a dummy cookie)")
	failOn := fs.String("fail-on", "high", "exit 1 when a finding has this severity or higher")
	target, ok := parse(fs, args, stderr)
	if !ok {
		return exitUsage
	}
	threshold, err := check.ParseSeverity(*failOn)
	if err != nil {
		fmt.Fprintf(stderr, "corscheck audit: --fail-on: %v\n", err)
		return exitUsage
	}
	if c.timeout <= 0 {
		fmt.Fprintln(stderr, "corscheck audit: --timeout must be positive")
		return exitUsage
	}
	opts := check.AuditOptions{Trusted: trusted, Header: c.headers.h}
	if *cookie != "" {
		opts.CredentialHeader = http.Header{"Cookie": {*cookie}}
	}
	rep, err := check.Audit(context.Background(), c.client(), target, opts)
	if code := errorStatus(err); code != exitOK {
		fmt.Fprintf(stderr, "corscheck audit: %v\n", err)
		return code
	}
	if c.json {
		enc := json.NewEncoder(stdout)
		for _, f := range rep.Findings {
			_ = enc.Encode(f)
		}
	} else {
		printReport(stdout, rep)
	}
	if len(rep.AtLeast(threshold)) > 0 {
		return exitBlocked
	}
	return exitOK
}

func printReport(w io.Writer, r *check.Report) {
	fmt.Fprintf(w, "audit of %s: %d requests, %d findings\n", r.Target, r.Requests, len(r.Findings))
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
		if f.Fix != "" {
			fmt.Fprintf(w, "  fix: %s\n", f.Fix)
		}
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "error: %s\n", e)
	}
}
