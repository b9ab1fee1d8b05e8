package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/corskit/cors/check"
)

const explainSynopsis = `corscheck explain URL --origin ORIGIN [--method M] [-H 'Name: value']... [--credentials]
                         [--cookie C] [--data D | --data-file F] [--xhr] [--xhr-upload]
                         [--mode cors|no-cors|same-origin] [--keepalive] [--referrer-policy P]
                         [--browser chromium|firefox|safari|all] [--send-actual] [--json]
                         [--timeout D] [--insecure]
       corscheck explain URL --origin ORIGIN --destination font|script|image|style
                         [--crossorigin anonymous|use-credentials] [--module [--import]]
                         [--browser chromium|firefox|safari|all] [--cookie C] [--json]
       corscheck explain ws://…|wss://… --origin ORIGIN [--cookie C] [--protocol P]... [--json]
       (any of them: [--page-address-space public|local|loopback])

Does what the browser (--browser, default Chromium) does for fetch(URL,
{method, headers, credentials, body}) from a page on ORIGIN: sends the
preflight when one is needed, then the actual request (only GET, HEAD and
OPTIONS unless --send-actual), following redirects as the browser does,
and prints the verdict, the reason (named after Chromium's CorsError), the
browser's console lines and the fix. --browser all does it for Chromium,
Firefox and Safari at once, sending a request the three have in common once,
and shows first where they differ, side by side.

With --destination, URL is what the page loads as a font (@font-face), a
script (--module: <script type=module>, --import: import()), an image or a
stylesheet, as the browser loads it: fonts and modules need CORS (except
in Safari, which loads fonts and import() without it), the others only
with --crossorigin; without it they load, but opaque to the page (a tainted
canvas, no getImageData).

With a ws:// or wss:// URL, explain opens the WebSocket handshake the page
would (Origin, --cookie, --protocol), and a second one from a made-up origin,
and says whether the server accepts the page's socket and whether it checks
Origin at all: browsers apply no CORS to WebSockets, so a server that accepts
any origin is hijackable (exit 1).

Local Network Access: when a public page calls a local or loopback address,
Chromium asks the user first and refuses without sending when the page is not
a secure context; explain says so, with the console line of each outcome, for
the URL and for every URL a redirect leads to. The page's address space comes
from its host (IP, localhost name, DNS) or from --page-address-space.`

func explain(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("explain", explainSynopsis)
	var c common
	c.register(fs)
	origin := fs.String("origin", "", "the page's `origin`, e.g. https://app.example.com (required)")
	method := fs.String("method", "GET", "request `method`")
	creds := fs.Bool("credentials", false, "credentials: 'include' (XMLHttpRequest: withCredentials = true)")
	cookie := fs.String("cookie", "", "Cookie header the browser would attach, e.g. 'session=abc'; sent only with --credentials (with --destination: when the credentials mode is include), and never with the preflight")
	data := fs.String("data", "", "request `body` (sent with the actual request; without -H Content-Type it is text/plain;charset=UTF-8, as fetch() sends a string)")
	dataFile := fs.String("data-file", "", "read the request body from `file` (- for stdin)")
	xhr := fs.Bool("xhr", false, "the request is an XMLHttpRequest, not fetch()")
	upload := fs.Bool("xhr-upload", false, "an XMLHttpRequest with upload listeners: forces a preflight (in Chromium only when there is a body, --data; in Firefox and Safari always)")
	sendActual := fs.Bool("send-actual", false, "also send an actual request whose method is not GET, HEAD or OPTIONS")
	var dest destinationFlags
	dest.register(fs)
	var lna lnaFlags // websocket.go
	lna.register(fs)
	var ws wsFlags
	ws.register(fs)
	browser := fs.String("browser", "chromium", "the `browser` to explain as: chromium (also Chrome, Edge), firefox, safari (any WebKit browser) or all (each one, and where they differ, side by side)")
	mode := fs.String("mode", "", "fetch()'s `mode`: cors (the default), no-cors (an opaque response, no CORS check) or same-origin (refused for another origin)")
	keepalive := fs.Bool("keepalive", false, "fetch() with keepalive: true (a body up to 64 KiB; Firefox logs nothing when it is blocked)")
	referrerPolicy := fs.String("referrer-policy", "", "fetch()'s referrerPolicy (`policy`); it changes no browser's verdict (checked in all three), only the Referer header, which corscheck does not send")
	target, help, ok := parse(fs, args, stdout, stderr)
	if help {
		return exitOK
	}
	if !ok {
		return exitUsage
	}
	if check.IsWebSocketURL(target) { // websocket.go
		return explainWebSocket(&c, target, *origin, *cookie, ws, lna, stdout, stderr)
	}
	b, err := check.ParseBrowser(*browser)
	if err != nil {
		fmt.Fprintf(stderr, "corscheck explain: --browser %s: write chromium, firefox, safari or all\n", *browser)
		return exitUsage
	}
	body, err := readData(*data, *dataFile)
	if err != nil {
		fmt.Fprintf(stderr, "corscheck explain: %v\n", err)
		return exitUsage
	}
	if *cookie != "" && !*creds && dest.isFetch() {
		fmt.Fprintln(stderr, "corscheck explain: warning: --cookie is not sent without --credentials (a browser attaches cookies to a cross-origin request only with credentials: 'include')")
	}
	req := check.Request{
		URL: target, Origin: *origin, Method: *method, Header: c.headers.h, HeaderOrder: c.headers.order,
		Credentials: *creds, Cookie: *cookie, Body: body,
		ForcePreflight: *upload, SendActual: *sendActual, Browser: b,
		PageAddressSpace: lna.page, TargetAddressSpace: lna.target,
		Mode: check.Mode(strings.ToLower(strings.TrimSpace(*mode))), Keepalive: *keepalive, ReferrerPolicy: *referrerPolicy,
	}
	if *xhr || *upload {
		req.Initiator = check.XHR
	}
	dest.apply(&req)
	res, err := check.Explain(context.Background(), c.client(), req)
	if code := errorStatus(err); code != exitOK {
		fmt.Fprintf(stderr, "corscheck explain: %v\n", usageHint(err))
		return code
	}
	if !dest.isFetch() {
		warnCookie(stderr, req, res)
	}
	if c.json {
		printJSON(stdout, res)
	} else {
		printExplained(stdout, res)
	}
	if !allowedEverywhere(res) {
		return exitBlocked
	}
	return exitOK
}

// allowedEverywhere reports whether res allows the request in every
// browser it speaks for.
func allowedEverywhere(res *check.Result) bool {
	for _, r := range res.Browsers {
		if !r.Allowed {
			return false
		}
	}
	return res.Allowed
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// usageHint names the flag behind an InputError.
func usageHint(err error) error {
	ie, ok := err.(*check.InputError)
	if !ok {
		return err
	}
	flagOf := map[string]string{"url": "URL", "origin": "--origin", "method": "--method", "header": "-H", "body": "--data", "initiator": "--xhr", "trusted": "--trusted",
		"destination": "--destination", "crossorigin": "--crossorigin", "module": "--module", "credentials": "--credentials", "browser": "--browser",
		"pageAddressSpace": "--page-address-space", "targetAddressSpace": "--target-address-space", "protocol": "--protocol",
		"mode": "--mode", "keepalive": "--keepalive", "referrerPolicy": "--referrer-policy", "import": "--import"}
	if f, ok := flagOf[ie.Field]; ok {
		return fmt.Errorf("%s: %s", f, ie.Msg)
	}
	return err
}

const auditSynopsis = `corscheck audit URL|ws://…|wss://… [--trusted ORIGIN]... [-H 'Name: value']... [--cookie C]
                       [--fail-on SEVERITY] [--deadline D] [--seed S] [--json]
                       [--timeout D] [--insecure]

Sends attacker-chosen origins as simple requests (with and without
credentials) and as preflights, and reports every misconfiguration, grouped
by root cause and sorted by severity. The probe origins are derived from URL
(or --seed), so two runs print the same findings.

A ws:// or wss:// URL is probed with WebSocket handshakes from the same
origins, without and with --cookie; so is an http(s) URL that answers a
handshake with 101. Browsers apply no CORS to WebSockets: an origin the
server accepts can open the socket as the user. Give the session cookie with
--cookie: any origin accepted on a cookie-authenticated socket is critical.`

func audit(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("audit", auditSynopsis)
	var c common
	c.register(fs)
	var trusted listFlag
	fs.Var(&trusted, "trusted", "an `origin` the site means to trust (repeatable; https://*.example.com for all subdomains, http://localhost:* for all ports)")
	cookie := fs.String("cookie", "", "Cookie header sent with the credentialed probes (default a dummy cookie, corscheck=1)")
	failOn := fs.String("fail-on", "high", "exit 1 when a finding has this `severity` or higher: info, low, medium, high or critical")
	deadline := 30 * time.Second
	fs.Var(durationFlag{&deadline}, "deadline", "time limit for the whole audit (a `duration`); past it, or after the first timeouts of a server that does not answer, the audit stops with exit 3")
	seed := fs.String("seed", "", "`text` the attacker origins are derived from (default: the URL), to vary them between runs on purpose")
	target, help, ok := parse(fs, args, stdout, stderr)
	if help {
		return exitOK
	}
	if !ok {
		return exitUsage
	}
	for _, t := range trusted {
		if t == "*" {
			fmt.Fprintln(stderr, "corscheck audit: --trusted '*': the audit asks which origins the site means to trust, and * is every page on the web: name them (--trusted https://app.example.com, or --trusted 'https://*.example.com' for its subdomains), or leave --trusted out to audit a public API")
			return exitUsage
		}
	}
	threshold, err := check.ParseSeverity(*failOn)
	if err != nil {
		fmt.Fprintf(stderr, "corscheck audit: --fail-on %s: write info, low, medium, high or critical\n", *failOn)
		return exitUsage
	}
	opts := check.AuditOptions{Trusted: trusted, Header: c.headers.h, Seed: *seed}
	if *cookie != "" {
		opts.CredentialHeader = http.Header{"Cookie": {*cookie}}
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	rep, err := check.Audit(ctx, c.client(), target, opts)
	if code := errorStatus(err); code != exitOK {
		fmt.Fprintf(stderr, "corscheck audit: %v\n", usageHint(err))
		return code
	}
	if c.json {
		printJSON(stdout, rep)
	} else {
		printReport(stdout, rep)
	}
	if len(rep.AtLeast(threshold)) > 0 {
		return exitBlocked
	}
	return exitOK
}
