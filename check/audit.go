package check

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/corskit/cors/internal/engine"
	"github.com/corskit/cors/internal/fetch"
	"github.com/corskit/cors/internal/origin"
)

// Severity ranks a finding by how exploitable it is.
type Severity int

// Severities, from least to most serious.
const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return fmt.Sprintf("Severity(%d)", int(s))
	}
	return severityNames[s]
}

// MarshalText writes the severity's name, so JSON shows "high", not 3.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a name written by MarshalText.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// ParseSeverity parses "info", "low", "medium", "high" or "critical" (any
// case).
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want info, low, medium, high or critical)", s)
}

// Class names the root cause of a finding: what the server's check gets
// wrong. Other scanners' names for the same class are in Finding.Aliases.
type Class string

// The finding classes.
const (
	ClassReflection     Class = "origin-reflection"   // any origin is echoed
	ClassNull           Class = "null-origin"         // Origin: null is trusted
	ClassStartsWith     Class = "starts-with"         // https://trusted.com.evil.net
	ClassEndsWith       Class = "ends-with"           // https://eviltrusted.com
	ClassContains       Class = "substring"           // https://rusted.com, https://trusted.co
	ClassUnescapedDot   Class = "unescaped-dot"       // https://wwwxtrusted.com
	ClassParser         Class = "parser-confusion"    // https://trusted.com_.evil.net
	ClassSubdomain      Class = "any-subdomain"       // https://anything.trusted.com
	ClassInsecureScheme Class = "http-origin-trusted" // http://trusted.com trusted by https
	ClassPort           Class = "other-port-trusted"  // https://trusted.com:8443
	ClassThirdParty     Class = "third-party-origin"  // developer sandboxes
	ClassWildcard       Class = "wildcard-origin"     // ACAO: *
	ClassWildcardCreds  Class = "wildcard-with-credentials"
	ClassMissingVary    Class = "missing-vary"
	ClassMultipleACAO   Class = "multiple-acao"
	ClassInvalidACAO    Class = "invalid-acao"
	// ClassTrustedRefused: an origin given in AuditOptions.Trusted is not
	// allowed by the server (its own pages are blocked).
	ClassTrustedRefused Class = "trusted-origin-refused"
)

// Category says whom a finding hurts.
type Category string

// The categories.
const (
	// Security: an attacker gains something (reads a response).
	Security Category = "security"
	// Functional: browsers refuse the answer, so legitimate pages break.
	Functional Category = "functional"
)

// ProbeKind is how a probe asks.
type ProbeKind string

// The kinds of probe.
const (
	// SimpleProbe is a GET with Origin, as a simple request.
	SimpleProbe ProbeKind = "simple"
	// PreflightProbe is an OPTIONS with Origin and
	// Access-Control-Request-Method.
	PreflightProbe ProbeKind = "preflight"
	// WebSocketProbe is a WebSocket opening handshake with Origin
	// (audit_ws.go).
	WebSocketProbe ProbeKind = "websocket"
)

var aliases = map[Class][]string{
	ClassReflection:     {"reflect_origin", "acao-reflection", "arbitrary origin trusted"},
	ClassNull:           {"trust_null", "acao-null"},
	ClassStartsWith:     {"post-domain wildcard", "prefix_match", "suffix-bypass"},
	ClassEndsWith:       {"pre-domain wildcard", "suffix_match"},
	ClassContains:       {"include_match"},
	ClassUnescapedDot:   {"regexp bypass"},
	ClassParser:         {"special characters", "unrecognized underscore"},
	ClassSubdomain:      {"trust_any_subdomain", "sub-domain"},
	ClassInsecureScheme: {"http origin allowed", "acao-http-origin-trust", "unencrypted origin trusted"},
	ClassPort:           {"port reflection"},
	ClassThirdParty:     {"third party allowed", "developer backdoor"},
	ClassWildcard:       {"wildcard value"},
}

// Probe is one request of an audit that showed a finding: the origin sent,
// the kind of request and whether a credentialed read was allowed.
type Probe struct {
	Origin      string    `json:"origin"`
	Kind        ProbeKind `json:"probe"`
	Credentials bool      `json:"credentials"`
	Status      int       `json:"status"`
}

// Finding is one misconfiguration: one root cause, with every probe that
// showed it (Probes) and the response of the most telling one (Evidence).
type Finding struct {
	Target   string   `json:"target"`
	Class    Class    `json:"class"`
	Aliases  []string `json:"aliases,omitempty"`
	Severity Severity `json:"severity"`
	Category Category `json:"category"`
	// Probe is how the most telling probe asked; Credentials whether a
	// credentialed request is allowed (ACAO echoes the origin and ACAC is
	// true).
	Probe       ProbeKind `json:"probe"`
	Origin      string    `json:"origin"`
	Credentials bool      `json:"credentials"`
	Summary     string    `json:"summary"`
	Fix         string    `json:"fix,omitempty"`
	// Evidence is that probe's exchange, its Header keeping only the
	// response's CORS headers, Vary and Strict-Transport-Security.
	Evidence Exchange `json:"evidence"`
	// Probes lists every probe that showed this root cause, the one in
	// Evidence first.
	Probes []Probe `json:"probes,omitempty"`
}

// AuditOptions tunes Audit.
type AuditOptions struct {
	// Trusted are the origins the site means to trust. They are not
	// reported, and mutations of them are probed (a site that trusts
	// https://app.example.com is tested with https://app.example.com.evil…).
	// They are origin patterns as the middleware takes them (see
	// cors.Config.AllowedOrigins): "https://*.example.com" declares every
	// subdomain trusted, "http://localhost:*" every port, and "null" the
	// opaque origin.
	Trusted []string
	// Header is sent with every probe (e.g. an API key).
	Header http.Header
	// CredentialHeader is sent with the credentialed simple probes, the way
	// a browser attaches the victim's cookies; default "Cookie: corscheck=1".
	// Give real cookies or Authorization to test an authenticated endpoint.
	CredentialHeader http.Header
	// PreflightMethod is the Access-Control-Request-Method of the preflight
	// probes; default PUT. PreflightHeaders is their
	// Access-Control-Request-Headers; default "content-type".
	PreflightMethod  string
	PreflightHeaders string
	// Label is the made-up label in attacker origins
	// ("https://<label>.com"). By default it is 8 letters derived from Seed,
	// so that two audits of the same target send the same origins and print
	// the same findings, while the label still matches no name a site
	// genuinely trusts.
	Label string
	// Seed is what the default Label is derived from; "" means the target
	// URL. Change it to vary the probe origins on purpose.
	Seed string
}

// Report is Audit's result.
type Report struct {
	Target string `json:"target"`
	// Summary counts the findings; it is there even when there are none.
	Summary Summary `json:"summary"`
	// Findings are sorted by severity, highest first, then by class.
	Findings []Finding `json:"findings"`
	// Requests is how many requests were sent; Errors lists probes that
	// failed at the network level (they are skipped, not fatal).
	Requests int      `json:"requests"`
	Errors   []string `json:"errors,omitempty"`
}

// Summary counts a report's findings.
type Summary struct {
	Findings int `json:"findings"`
	// Max is the highest severity, absent when there are no findings.
	Max *Severity `json:"max,omitempty"`
	// BySeverity counts the findings of each severity ("high": 2, …).
	BySeverity map[string]int `json:"bySeverity"`
}

// Max returns the highest severity among the findings, and false when there
// are none.
func (r *Report) Max() (Severity, bool) {
	if len(r.Findings) == 0 {
		return 0, false
	}
	m := Info
	for _, f := range r.Findings {
		m = max(m, f.Severity)
	}
	return m, true
}

// AtLeast returns the findings of severity s or higher.
func (r *Report) AtLeast(s Severity) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Severity >= s {
			out = append(out, f)
		}
	}
	return out
}

type probe struct {
	class  Class
	origin string
	note   string // what the server's check gets wrong
	// credSev and plainSev are the severities when a credentialed read is
	// allowed, and when only a read without credentials is.
	credSev, plainSev Severity
}

// Audit probes target for CORS misconfigurations and returns every finding
// (it never stops at the first). Each probe origin is sent three ways: a
// simple GET without credentials, the same GET with opts.CredentialHeader
// (as a browser attaches cookies), and a preflight; an origin counts as
// trusted when Access-Control-Allow-Origin echoes it byte for byte, and a
// credentialed read as allowed when Access-Control-Allow-Credentials is
// "true" as well. The response headers are also checked for "*", "*" with
// credentials, several or invalid ACAO values, and a dynamic ACAO without
// Vary: Origin.
//
// Severity follows exploitability: a credentialed read from an origin any
// attacker can register is high (critical for blind reflection); from a
// subdomain, another port or plain http (needs an XSS, a takeover or a
// network attacker) medium; without credentials low or info.
//
// client sends the probes without following redirects (Audit works on a
// copy). The error is an *InputError for a bad target or option, or a
// *NetworkError when no probe at all got an answer.
func Audit(ctx context.Context, client *http.Client, target string, opts AuditOptions) (*Report, error) {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ws" && u.Scheme != "wss") || u.Hostname() == "" {
		return nil, &InputError{"url", fmt.Sprintf("%q is not an absolute http(s):// or ws(s):// URL", target)}
	}
	u.Fragment = ""
	tr, err := parseTrusted(opts.Trusted)
	if err != nil {
		return nil, err
	}
	if opts.Label == "" {
		seed := opts.Seed
		if seed == "" {
			seed = u.String()
		}
		opts.Label = derivedLabel(seed)
	}
	if opts.PreflightMethod == "" {
		opts.PreflightMethod = http.MethodPut
	}
	if opts.PreflightHeaders == "" {
		opts.PreflightHeaders = "content-type"
	}
	credsGiven := opts.CredentialHeader != nil // audit_ws.go: a cookie given means a cookie-authenticated socket
	if opts.CredentialHeader == nil {
		opts.CredentialHeader = http.Header{"Cookie": {"corscheck=1"}}
	}
	if client == nil {
		client = http.DefaultClient
	}
	a := &auditor{
		ctx: ctx, client: noRedirect(client, false), target: u, opts: opts,
		trusted: tr, report: &Report{Target: u.String(), Findings: []Finding{}},
	}
	// A ws(s):// target is probed with handshakes; an http(s) one that
	// also answers a handshake is audited as a WebSocket too (audit_ws.go).
	if a.webSocketTarget(credsGiven) {
		a.runWebSocket()
		a.group()
	} else {
		a.run()
		a.group()
		a.discoverWebSocket(credsGiven)
	}
	a.report.Summary = summarize(a.report.Findings)
	switch {
	case a.stopped != nil:
		return a.report, &NetworkError{Kind: "audit", URL: u.String(), Err: a.stopped}
	case a.answered == 0 && a.report.Requests > 0:
		return a.report, &NetworkError{Kind: "audit", URL: u.String(), Err: a.firstErr}
	}
	return a.report, nil
}

// failFastTimeouts is how many consecutive timeouts stop an audit (one
// does, when nothing has answered yet): a server that does not answer would
// otherwise cost every probe its full timeout.
const failFastTimeouts = 2

type auditor struct {
	ctx      context.Context
	client   *http.Client
	target   *url.URL
	opts     AuditOptions
	trusted  trust
	report   *Report
	answered int
	firstErr error
	// timeouts counts consecutive timed-out probes; stopped is set, and no
	// more probes are sent, once the context ends or failFastTimeouts of
	// them came in a row.
	timeouts int
	stopped  error

	ws *wsAudit // set for a WebSocket endpoint (audit_ws.go)

	acaoSeen  map[string]bool // ACAO values on simple responses ("" = absent)
	noVary    *Exchange       // a simple response without Vary: Origin
	funcFound map[string]bool // functional classes already reported, by class and kind
}

// trust is the parsed AuditOptions.Trusted.
type trust struct {
	patterns []origin.Pattern // all but "null", in the order given
	set      *origin.Set      // matches them as the middleware does
	null     bool             // "null" is trusted
	// exact are the trusted origins without a wildcard, "null" included, in
	// the order given.
	exact []string
}

// parseTrusted parses AuditOptions.Trusted: "null", or origin patterns as
// the middleware parses them (origin.Parse).
func parseTrusted(list []string) (trust, error) {
	var tr trust
	for _, t := range list {
		if t == fetch.NullOrigin {
			tr.null = true
			tr.exact = append(tr.exact, t)
			continue
		}
		p, err := origin.Parse(t)
		if err != nil {
			return trust{}, &InputError{"trusted", fmt.Sprintf("%q: %v", t, err)}
		}
		tr.patterns = append(tr.patterns, p)
		if !p.Subdomains && p.Port != origin.AnyPort {
			tr.exact = append(tr.exact, p.String())
		}
	}
	tr.set = origin.NewSet(tr.patterns)
	return tr, nil
}

// contains reports whether the serialised origin o is trusted.
func (t *trust) contains(o string) bool {
	if o == fetch.NullOrigin {
		return t.null
	}
	return t.set.Contains(o)
}

func (a *auditor) run() {
	a.acaoSeen = map[string]bool{}
	a.funcFound = map[string]bool{}
	// Trusted origins are probed too, for the header checks (a dynamic ACAO
	// without Vary) and to report a policy that refuses them.
	a.eachOrigin(a.probe, func(t string) { a.probe(probe{class: "", origin: t}) })
	if a.stopped != nil {
		return
	}
	if len(a.acaoSeen) > 1 && a.noVary != nil {
		a.add(nil, Finding{
			Class: ClassMissingVary, Severity: Low, Category: Security, Probe: SimpleProbe,
			Origin:  a.noVary.RequestHeader.Get(fetch.HeaderOrigin),
			Summary: "Access-Control-Allow-Origin depends on the request's Origin, but the response has no Vary: Origin: a shared or browser cache can serve one origin's answer to another (cache poisoning, or legitimate pages broken).",
			Fix:     "Add Vary: Origin to every response whose CORS headers depend on Origin, allowed or not.",
		}, a.noVary)
	}
}

// eachOrigin calls attack for each attacker origin (probes) that is not
// trusted, then trusted for each exact trusted origin, each origin once and
// never the target's own.
func (a *auditor) eachOrigin(attack func(probe), trusted func(origin string)) {
	seen := map[string]bool{fetch.OriginOfURL(a.target).String(): true}
	for _, p := range a.probes() {
		if seen[p.origin] || a.trusted.contains(p.origin) {
			continue
		}
		seen[p.origin] = true
		attack(p)
	}
	for _, t := range a.trusted.exact {
		if seen[t] {
			continue
		}
		seen[t] = true
		trusted(t)
	}
}

// probes builds the attacker origins from the target's host and from each
// trusted origin (the "harvest and mutate" approach: the target's own name
// is often not what its policy trusts).
func (a *auditor) probes() []probe {
	l := a.opts.Label
	ps := []probe{
		{ClassReflection, "https://" + l + ".com", "any origin is reflected", Critical, Low},
		{ClassNull, fetch.NullOrigin, "the null origin is trusted; any page can send it from a sandboxed iframe", High, Low},
		{ClassThirdParty, "https://" + l + ".github.io", "a developer-hosting origin anyone can publish on is trusted", High, Low},
		{ClassThirdParty, "https://s.codepen.io", "a developer sandbox anyone can run code on is trusted", High, Low},
	}
	// A wildcard pattern is mutated from its parent domain, and with the
	// default port when it allows any.
	bases := []fetch.Origin{fetch.OriginOfURL(a.target)}
	for _, t := range a.trusted.patterns {
		b := fetch.Origin{Scheme: t.Scheme, Host: t.Host, Port: t.Port}
		if b.Port == origin.AnyPort {
			b.Port = ""
		}
		bases = append(bases, b)
	}
	for _, b := range bases {
		host := b.Host
		if strings.HasPrefix(host, "[") || net.ParseIP(host) != nil || !strings.Contains(host, ".") {
			continue // mutations of an IP address or a single label prove nothing
		}
		scheme := b.Scheme
		port := ""
		if b.Port != "" {
			port = ":" + b.Port
		}
		reg, err := publicsuffix.EffectiveTLDPlusOne(host)
		if err != nil {
			reg = host
		}
		o := func(h string) string { return scheme + "://" + h + port }
		ps = append(ps,
			probe{ClassStartsWith, o(host + "." + l + ".com"), "the check is unanchored at the end: it accepts origins that start with " + o(host) + " (a regular expression without $, or a starts-with test)", High, Low},
			probe{ClassStartsWith, o(host + l + ".com"), "the check is unanchored at the end: it accepts origins that start with " + o(host) + ", even without a dot boundary (a regular expression without $, or a starts-with test)", High, Low},
			probe{ClassEndsWith, o(l + reg), "the check is unanchored at the start: it accepts origins that end with " + reg + " without a dot boundary (a regular expression without ^, or an ends-with test)", High, Low},
			probe{ClassContains, o(reg[1:]), "the check accepts a substring of " + reg, High, Low},
			probe{ClassContains, o(host[:len(host)-1]), "the check accepts a prefix of " + host, High, Low},
			probe{ClassParser, o(host + "_." + l + ".com"), "the check parses " + host + "_ as " + host + " (Chrome and Firefox accept _ in host names)", High, Low},
			probe{ClassSubdomain, o(l + "." + reg), "every subdomain of " + reg + " is trusted: an XSS or a subdomain takeover anywhere under it is enough", Medium, Info},
			probe{ClassPort, scheme + "://" + host + ":8443", "another port of " + host + " is trusted; any service there can read responses", Medium, Info},
		)
		if i := strings.IndexByte(host, '.'); i >= 0 && strings.Count(host, ".") >= 2 {
			mut := host[:i] + "x" + host[i+1:]
			ps = append(ps, probe{ClassUnescapedDot, o(mut), "a regular expression with an unescaped '.' accepts " + mut, High, Low})
		}
		if scheme == "https" {
			ps = append(ps, probe{ClassInsecureScheme, "http://" + host + port, "an https site trusts its http:// origin: a network attacker who injects script into the http page can read the https responses", Medium, Info})
		}
	}
	return ps
}

// probe sends the three requests for p and records findings.
func (a *auditor) probe(p probe) {
	plain := a.send(http.MethodGet, p.origin, nil, false)
	cred := a.send(http.MethodGet, p.origin, nil, true)
	pre := a.send(http.MethodOptions, p.origin, http.Header{
		fetch.HeaderRequestMethod:  {a.opts.PreflightMethod},
		fetch.HeaderRequestHeaders: {a.opts.PreflightHeaders},
	}, false)

	for _, ex := range []*Exchange{plain, cred} {
		if ex == nil {
			continue
		}
		acao, ok := fetch.CombinedValue(ex.Header, fetch.HeaderAllowOrigin)
		if !ok {
			acao = ""
		}
		a.acaoSeen[acao] = true
		if a.noVary == nil && !varies(ex.Header) {
			a.noVary = ex
		}
	}
	for _, ex := range []*Exchange{plain, cred, pre} {
		if ex != nil {
			a.headerChecks(ex)
		}
	}
	if p.class == "" {
		a.trustedRefused(p.origin, plain, pre)
		return
	}
	// Simple request: trusted without credentials (plain), and with them.
	plainOK, _ := allows(plain, p.origin)
	credOK, credCreds := allows(cred, p.origin)
	switch {
	case credCreds:
		a.addProbe(p, SimpleProbe, true, cred)
	case plainOK:
		a.addProbe(p, SimpleProbe, false, plain)
	case credOK:
		a.addProbe(p, SimpleProbe, false, cred)
	}
	// A preflight counts when the browser would pass it whole, for the
	// probe's method and headers, as Explain judges it: an answer that
	// trusts the origin but not the header proves nothing about what a
	// page there can do.
	echoed, _ := allows(pre, p.origin)
	preOK, preCreds := a.preflightPasses(pre, p.origin, false), a.preflightPasses(pre, p.origin, true)
	if echoed && (preOK || preCreds) {
		a.addProbe(p, PreflightProbe, preCreds, pre)
	}
}

// preflightPasses reports whether Chromium passes the preflight answer ex
// (nil when the probe failed) for a request from origin with the probe's
// method and headers, with or without credentials.
func (a *auditor) preflightPasses(ex *Exchange, origin string, creds bool) bool {
	if ex == nil {
		return false
	}
	var names []string
	for _, n := range strings.Split(a.opts.PreflightHeaders, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	p := &prepared{rules: &engine.Chromium}
	return judgePreflight(p, ex, origin, fetch.NormalizeMethod(a.opts.PreflightMethod), names, creds).err == ""
}

func (a *auditor) addProbe(p probe, kind ProbeKind, creds bool, ex *Exchange) {
	sev := p.plainSev
	if creds {
		sev = p.credSev
	}
	summary := fmt.Sprintf("%s: Origin %s is allowed", p.note, p.origin)
	if creds {
		summary += " with credentials (Access-Control-Allow-Credentials: true): a page on that origin can read responses with the victim's cookies"
	} else {
		summary += " without credentials: a page on that origin can read what an anonymous visitor (or one on the victim's network) can read"
	}
	if p.class == ClassInsecureScheme && ex.Header.Get("Strict-Transport-Security") != "" {
		summary += "; the target sends Strict-Transport-Security, which narrows (but does not close) the window"
	}
	a.add(&p, Finding{
		Class: p.class, Severity: sev, Category: Security, Probe: kind,
		Origin: p.origin, Credentials: creds, Summary: summary,
		Fix: "Compare the Origin header with an exact allow-list of serialised origins (or anchored patterns such as https://*.example.com implemented label by label); never echo it unchecked, never trust null.",
	}, ex)
}

// headerChecks reports functional problems and "*" once per class and probe
// kind.
func (a *auditor) headerChecks(ex *Exchange) {
	kind := SimpleProbe
	if ex.Method == http.MethodOptions {
		kind = PreflightProbe
	}
	acao, ok := fetch.CombinedValue(ex.Header, fetch.HeaderAllowOrigin)
	if !ok {
		return
	}
	origin := ex.RequestHeader.Get(fetch.HeaderOrigin)
	once := func(class Class, f Finding) {
		if key := string(class) + "/" + string(kind); !a.funcFound[key] {
			a.funcFound[key] = true
			f.Class, f.Probe, f.Origin = class, kind, origin
			a.add(nil, f, ex)
		}
	}
	switch {
	case len(ex.Header.Values(fetch.HeaderAllowOrigin)) > 1 || strings.ContainsAny(acao, " ,"):
		once(ClassMultipleACAO, Finding{Severity: Medium, Category: Functional,
			Summary: fmt.Sprintf("Access-Control-Allow-Origin has several values (%q); every browser refuses the response (MultipleAllowOriginValues). Usually both the application and a proxy add it.", acao),
			Fix:     "Let exactly one layer set Access-Control-Allow-Origin."})
	case acao == fetch.Wildcard:
		if _, creds := allowsCredentials(ex.Header); creds {
			once(ClassWildcardCreds, Finding{Severity: Medium, Category: Functional,
				Summary: "Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true. Not exploitable — browsers never let any page read a credentialed response to it — but broken: every credentialed fetch() or XMLHttpRequest (cookies, HTTP auth), from the site's own pages too, fails with WildcardOriginNotAllowed. Only requests without credentials can read it.",
				Fix:     "If pages need credentialed reads, answer each trusted origin with Access-Control-Allow-Origin: <that origin>, Access-Control-Allow-Credentials: true and Vary: Origin, checked against an exact allow-list (never echo Origin unchecked: that makes the broken config exploitable). If no page needs credentials, drop Access-Control-Allow-Credentials."})
		} else {
			once(ClassWildcard, Finding{Severity: Info, Category: Security,
				Summary: "Access-Control-Allow-Origin: * lets any site read this resource without credentials; fine for public data, a leak for intranet or IP-restricted resources.",
				Fix:     "Keep * only for public resources."})
		}
	case acao != fetch.NullOrigin && acao != origin:
		if _, err := fetch.ParseOrigin(acao); err != nil {
			once(ClassInvalidACAO, Finding{Severity: Low, Category: Functional,
				Summary: fmt.Sprintf("Access-Control-Allow-Origin %q can never equal an Origin a browser sends (%v).", acao, err),
				Fix:     "Send the serialised origin exactly: scheme://host[:port], no path, no trailing slash."})
		}
	}
}

func (a *auditor) add(p *probe, f Finding, ex *Exchange) {
	f.Target = a.report.Target
	f.Aliases = aliases[f.Class]
	f.Evidence = evidence(ex)
	a.report.Findings = append(a.report.Findings, f)
}

func (a *auditor) send(method, origin string, extra http.Header, creds bool) *Exchange {
	if a.stopped != nil {
		return nil
	}
	if err := a.ctx.Err(); err != nil {
		a.stopped = fmt.Errorf("audit stopped before it finished (%w): raise --deadline, or check that the server answers", err)
		return nil
	}
	h := http.Header{}
	for k, v := range a.opts.Header {
		h[http.CanonicalHeaderKey(k)] = slices.Clone(v)
	}
	if creds {
		for k, v := range a.opts.CredentialHeader {
			h[http.CanonicalHeaderKey(k)] = slices.Clone(v)
		}
	}
	for k, v := range extra {
		h[k] = v
	}
	h.Del("Accept") // the probes always send fetch()'s default, whatever opts.Header says
	setBrowserHeaders(h, origin)
	a.report.Requests++
	ex, err := roundTrip(a.ctx, a.client, "audit", method, a.target, h)
	if err != nil {
		a.failed(method, origin, err)
		return nil
	}
	a.timeouts = 0
	a.answered++
	return ex
}

// failed records a probe that got no answer, and stops the audit once the
// context has ended or failFastTimeouts probes in a row timed out.
func (a *auditor) failed(what, origin string, err error) {
	// The NetworkError Audit returns names the audited URL: the error of a
	// request to that URL goes in as its cause alone, so that the request
	// is not named twice.
	cause := err
	var ne *NetworkError
	if errors.As(err, &ne) && ne.URL == a.target.String() {
		cause = ne.Err
		var ue *url.Error
		if errors.As(cause, &ue) {
			cause = ue.Err
		}
	}
	if a.firstErr == nil {
		a.firstErr = cause
	}
	a.report.Errors = append(a.report.Errors, fmt.Sprintf("%s with Origin %s: %v", what, origin, err))
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || isTimeout(err) {
		a.timeouts++
		if a.ctx.Err() != nil {
			a.stopped = fmt.Errorf("audit stopped before it finished (%w): raise --deadline, or check that the server answers", a.ctx.Err())
		} else if a.timeouts >= failFastTimeouts || a.answered == 0 {
			a.stopped = fmt.Errorf("stopped after %d request(s) in a row timed out (%w): the server does not answer", a.timeouts, cause)
		}
	}
}

// allows runs the browser's CORS check on ex (nil when the probe failed) for
// a credentialed request from origin. echoed reports whether
// Access-Control-Allow-Origin names origin itself (so "*" does not count),
// which lets that origin read the response without credentials; creds
// whether Access-Control-Allow-Credentials is "true" as well, which lets it
// read with them.
func allows(ex *Exchange, origin string) (echoed, creds bool) {
	if ex == nil {
		return false, false
	}
	switch e, _ := corsCheck(&engine.Chromium, ex.Header, origin, true); e {
	case "":
		return true, true
	case InvalidAllowCredentials:
		return true, false
	}
	return false, false
}

func varies(h http.Header) bool {
	for _, v := range h.Values(fetch.HeaderVary) {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			if strings.EqualFold(f, "origin") || f == "*" {
				return true
			}
		}
	}
	return false
}

func evidence(ex *Exchange) Exchange {
	h := CORSHeaders(ex.Header, "Strict-Transport-Security")
	ev := *ex
	ev.Header = h
	return ev
}

// derivedLabel returns 8 letters derived from seed: the same seed always
// gives the same probe origins, and the label is as unlikely as a random one
// to be a name the site genuinely trusts.
func derivedLabel(seed string) string {
	sum := sha256.Sum256([]byte("corscheck audit label\x00" + seed))
	b := make([]byte, 8)
	for i := range b {
		b[i] = 'a' + sum[i]%26
	}
	return string(b)
}

// trustedRefused reports a trusted origin whose calls the browser refuses:
// the server's answer to its simple request without credentials fails the
// CORS check, exactly as Explain judges that request (so "*" with
// Access-Control-Allow-Credentials: true allows it: only its credentialed
// calls fail, which the wildcard-with-credentials finding reports). A
// refused preflight proves less: the policy may refuse the probe's method or
// header, not the origin.
func (a *auditor) trustedRefused(origin string, plain, _ *Exchange) {
	if plain == nil {
		return
	}
	e, _ := corsCheck(&engine.Chromium, plain.Header, origin, false)
	if e == "" {
		return
	}
	acao, present := fetch.CombinedValue(plain.Header, fetch.HeaderAllowOrigin)
	what := "no Access-Control-Allow-Origin"
	if present {
		what = fmt.Sprintf("Access-Control-Allow-Origin %q", acao)
	}
	a.add(nil, Finding{
		Class: ClassTrustedRefused, Severity: Medium, Category: Functional, Probe: SimpleProbe, Origin: origin,
		Summary: fmt.Sprintf("Origin %s is in --trusted, but the server answers its request with %s (status %d): browsers block that page's calls (%s), with or without credentials.", origin, what, plain.Status, e),
		Fix:     fmt.Sprintf("Add %s to the server's allowed origins, exactly as browsers send it (scheme://host[:port], no path, no trailing slash), and answer preflights (OPTIONS) before authentication and routing.", origin),
	}, plain)
}

// group folds the findings into one per root cause: every probe that showed
// the same class becomes one finding (its Probes), whether it was a simple
// request or a preflight, and when the server
// reflects any origin, or accepts every origin that ends (starts) with the
// trusted name, the probes that pass for that reason are folded into it
// instead of being reported as causes of their own. An unescaped-dot probe
// ("wwwxexample.com") that also ends with the trusted name proves nothing
// about dots when ends-with probes pass: the check is unanchored, not
// dot-blind. The findings are then sorted by severity.
func (a *auditor) group() {
	byClass := map[string]*Finding{}
	var order []string
	for _, f := range a.report.Findings {
		key := string(f.Class)
		pr := Probe{Origin: f.Origin, Kind: f.Probe, Credentials: f.Credentials, Status: f.Evidence.Status}
		if g, ok := byClass[key]; ok {
			g.Probes = append(g.Probes, pr)
			if f.Severity > g.Severity {
				probes := g.Probes
				*g = f
				g.Probes = probes
			}
			continue
		}
		f.Probes = []Probe{pr}
		byClass[key] = &f
		order = append(order, key)
	}
	fold := func(into Class, classes ...Class) {
		g, ok := byClass[string(into)]
		if !ok {
			return
		}
		for _, c := range classes {
			if f, ok := byClass[string(c)]; ok && c != into {
				g.Probes = append(g.Probes, f.Probes...)
				g.Severity = max(g.Severity, f.Severity)
				delete(byClass, string(c))
			}
		}
	}
	securityClasses := []Class{ClassNull, ClassStartsWith, ClassEndsWith, ClassContains, ClassUnescapedDot, ClassParser, ClassSubdomain, ClassInsecureScheme, ClassPort, ClassThirdParty}
	fold(ClassReflection, securityClasses...)
	// Origins ending with the trusted name pass: the dot mutation, the
	// subdomain and the http:// twin end with it too. Origins starting
	// with it pass: so do the underscore and the other-port probes.
	fold(ClassEndsWith, ClassUnescapedDot, ClassSubdomain, ClassInsecureScheme)
	fold(ClassStartsWith, ClassParser, ClassPort)
	var out []Finding
	for _, k := range order {
		if f, ok := byClass[k]; ok {
			if len(f.Probes) > 1 {
				f.Summary += fmt.Sprintf(" (%d probes showed it; see probes.)", len(f.Probes))
			}
			out = append(out, *f)
		}
	}
	sortFindings(out)
	if out == nil {
		out = []Finding{}
	}
	a.report.Findings = out
}

// sortFindings sorts by severity, highest first, then by class.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(x, y Finding) int {
		if c := cmp.Compare(y.Severity, x.Severity); c != 0 {
			return c
		}
		return cmp.Compare(x.Class, y.Class)
	})
}

func summarize(fs []Finding) Summary {
	s := Summary{Findings: len(fs), BySeverity: map[string]int{}}
	for _, f := range fs {
		s.BySeverity[f.Severity.String()]++
		if s.Max == nil || f.Severity > *s.Max {
			sev := f.Severity
			s.Max = &sev
		}
	}
	return s
}
