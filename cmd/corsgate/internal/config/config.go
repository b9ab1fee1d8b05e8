// Package config reads and validates a corsgate configuration file.
//
// The file is one JSON object:
//
//	{
//	  "listen":   "127.0.0.1:8080",
//	  "upstream": "http://127.0.0.1:9000",
//	  "admin":    "127.0.0.1:9090",
//	  "mode":     "enforce",
//	  "timeouts": {"readHeader": "10s", "upstreamResponseHeader": "30s"},
//	  "routes": [
//	    {"path": "/api/", "policy": {"allowedOrigins": ["https://app.example.com"]}},
//	    {"path": "/",     "policy": {"allowedOrigins": ["*"]}}
//	  ]
//	}
//
// Each policy is a cors.Config in its JSON form, and is validated by
// cors.New itself, so the gateway accepts exactly the policies the library
// accepts. Parse reports every problem of a file at once, each with its
// location as a JSON path (routes[1].policy.allowedOrigins[0]) and, where
// the library or this package knows it, what to write instead: unknown or
// repeated keys, values of the wrong JSON type, and every rule below.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/corskit/cors"
	"github.com/corskit/cors/cmd/corsgate/internal/urlpath"
)

// Mode says what the gateway does with the policy.
type Mode string

const (
	// Enforce answers preflights at the gateway, removes every
	// Access-Control-* header the upstream sends and applies the policy's
	// answer instead.
	Enforce Mode = "enforce"
	// ReportOnly passes the upstream's answers through untouched and
	// reports every response where the policy would have answered
	// differently (Envoy's shadow mode).
	ReportOnly Mode = "report-only"
)

// Enforces reports whether the gateway applies the policy (enforce) rather
// than only reporting where it would (report-only).
func (m Mode) Enforces() bool { return m != ReportOnly }

// File is the configuration file as written: the shape of the JSON. Fields
// left out get the defaults that Config documents.
type File struct {
	Listen         string   `json:"listen"`
	Upstream       string   `json:"upstream"`
	Admin          string   `json:"admin,omitempty"`
	Mode           Mode     `json:"mode,omitempty"`
	PreserveHost   bool     `json:"preserveHost,omitempty"`
	TrustedProxies []string `json:"trustedProxies,omitempty"`
	MaxHeaderBytes int      `json:"maxHeaderBytes,omitempty"`
	// MaxBodyBytes bounds a request's body: a larger one is answered 413
	// with the route's CORS headers, before the upstream sees it when its
	// Content-Length says so. Default 1048576 (1 MiB, nginx's
	// client_max_body_size); 0 for no limit.
	MaxBodyBytes *int64 `json:"maxBodyBytes,omitempty"`
	// BufferRequests reads each request's whole body before the upstream
	// sees any of it (nginx's proxy_request_buffering, on by default
	// there): a slow client then holds the gateway, not one of the
	// upstream's workers. Bodies are held in memory, so it needs a
	// maxBodyBytes of at most 64 MiB.
	BufferRequests bool `json:"bufferRequests,omitempty"`
	// AmbiguousPaths says what to do with a path that has no single
	// reading (%2F, %5C, "\", ";" parameters, double encoding; see package
	// urlpath): "reject" (default) answers 400; "forward" passes them
	// untouched, for a backend that reads them as the gateway does.
	AmbiguousPaths string   `json:"ambiguousPaths,omitempty"`
	Timeouts       Timeouts `json:"timeouts"`
	Routes         []Route  `json:"routes"`
}

// Timeouts bound every phase of a request. A duration is written as Go
// writes one: "10s", "1m30s", "250ms"; "0s" means no limit where that is
// allowed.
type Timeouts struct {
	// ReadHeader bounds reading a request's headers (http.Server's
	// ReadHeaderTimeout): a client that trickles them (slowloris) is cut off.
	// Default 10s; must be above zero.
	ReadHeader *Duration `json:"readHeader,omitempty"`
	// Idle bounds how long a keep-alive connection waits for its next
	// request. Default 120s.
	Idle *Duration `json:"idle,omitempty"`
	//
	// The four below are idle timeouts, as nginx's are: each bounds the
	// time between two reads or two writes in one direction, never a whole
	// transfer, so a large download moving slowly is not cut, and a peer
	// that stops is. "0s" means no limit.
	//
	// ClientBody bounds the wait for the next bytes of a request's body
	// (nginx's client_body_timeout). Exceeding it answers 408 and closes
	// the connection. Default 60s.
	ClientBody *Duration `json:"clientBody,omitempty"`
	// ClientSend bounds each write of the response to a client that does
	// not read (nginx's send_timeout). Default 60s.
	ClientSend *Duration `json:"clientSend,omitempty"`
	// UpstreamRead bounds the wait for the upstream's next bytes, response
	// headers and body alike, counted from the last byte sent to it or read
	// from it (nginx's proxy_read_timeout): an upstream that sends its
	// headers and stalls is cut after it. Default 60s.
	UpstreamRead *Duration `json:"upstreamRead,omitempty"`
	// UpstreamSend bounds each write of a request to an upstream that does
	// not read (nginx's proxy_send_timeout). Default 60s.
	UpstreamSend *Duration `json:"upstreamSend,omitempty"`
	// UpstreamConnect bounds connecting to the upstream. Default 5s; must be
	// above zero. Exceeding it answers 504.
	UpstreamConnect *Duration `json:"upstreamConnect,omitempty"`
	// UpstreamResponseHeader bounds the wait for the upstream's response
	// headers once the request is sent. Default 30s; 0s for none. Exceeding
	// it answers 504.
	UpstreamResponseHeader *Duration `json:"upstreamResponseHeader,omitempty"`
	// Shutdown bounds the wait for requests in flight after SIGTERM.
	// Default 30s; must be above zero.
	Shutdown *Duration `json:"shutdown,omitempty"`
	// Drain is how long corsgate keeps serving after SIGTERM with /readyz
	// already answering 503, so that a load balancer stops sending to it
	// before its listener closes. Default 5s with an admin listener (the
	// one that serves /readyz), 0s without one.
	Drain *Duration `json:"drain,omitempty"`
}

// Route puts a policy on every path under Path.
type Route struct {
	// Path is a path prefix: "/api/" covers /api/ and everything below it,
	// and /api itself unless another route's Path is "/api" (most backends
	// serve /api from the /api/ handler, and nginx redirects /api to /api/
	// in such a location); "/api" covers /api itself and everything below
	// /api/, never /apiary. The longest matching Path wins; "/" is the
	// default route.
	Path string `json:"path"`
	// Debug turns on the library's debug mode for this route
	// (Middleware.SetDebug): a preflight refused for its method or a header
	// is answered so that the browser's console names it. For development.
	Debug bool `json:"debug,omitempty"`
	// Upgrades lists the protocols a request on this route may switch to
	// (the Upgrade header's tokens, such as "websocket"). Default
	// ["websocket"]; [] allows none. An upgrade to a protocol not listed is
	// not forwarded: the request goes upstream without its Upgrade header.
	Upgrades []string    `json:"upgrades"`
	Policy   cors.Config `json:"policy"`
}

// Duration is a time.Duration written as a string ("10s").
type Duration time.Duration

// UnmarshalJSON reads a duration string such as "10s" or "1m30s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf(`want a duration string such as "10s", got %s`, b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf(`%q is not a duration: write a number with a unit, such as "10s", "1m30s" or "250ms"`, s)
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration as a string ("10s").
func (d Duration) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(time.Duration(d).String())), nil
}

// Config is a validated configuration, with every default filled in.
type Config struct {
	Listen string
	// Upstream is the backend's base URL; a path in it is prepended to
	// every request's path.
	Upstream *url.URL
	// Admin is the admin listener's address, "" for none.
	Admin string
	Mode  Mode
	// PreserveHost sends the client's Host header to the upstream instead
	// of the upstream URL's host (nginx's "proxy_set_header Host $host").
	PreserveHost bool
	// TrustedProxies are the peers whose X-Forwarded-For, -Proto and -Host
	// headers are believed (see the gateway's documentation).
	TrustedProxies []netip.Prefix
	// MaxHeaderBytes bounds a request's header block; default 64 KiB.
	MaxHeaderBytes int
	// MaxBodyBytes bounds a request's body; 0 for no limit.
	MaxBodyBytes   int64
	BufferRequests bool
	// Paths is what the gateway does with ambiguous paths.
	Paths urlpath.Mode
	// Timeouts, resolved: a zero value means no limit (or, for Drain, no
	// delay).
	ReadHeaderTimeout, IdleTimeout                        time.Duration
	ClientBodyTimeout, ClientSendTimeout                  time.Duration
	UpstreamConnectTimeout, UpstreamResponseHeaderTimeout time.Duration
	UpstreamReadTimeout, UpstreamSendTimeout              time.Duration
	ShutdownTimeout, DrainTimeout                         time.Duration
	// Routes in the order written. Their policies have passed cors.New.
	Routes []Route

	// File is the file as parsed, with the defaults filled in; the admin
	// listener shows it.
	File File
	// SHA256 is the hex digest of the bytes parsed, so operators can tell
	// which version of the file is in force.
	SHA256 string
}

// Defaults.
const (
	DefaultMaxHeaderBytes = 64 << 10
	DefaultMaxBodyBytes   = 1 << 20
	// MaxBufferedBodyBytes bounds maxBodyBytes with bufferRequests.
	MaxBufferedBodyBytes  = 64 << 20
	defaultReadHeader     = 10 * time.Second
	defaultIdle           = 120 * time.Second
	defaultClientBody     = 60 * time.Second
	defaultClientSend     = 60 * time.Second
	defaultConnect        = 5 * time.Second
	defaultResponseHeader = 30 * time.Second
	defaultUpstreamRead   = 60 * time.Second
	defaultUpstreamSend   = 60 * time.Second
	defaultShutdown       = 30 * time.Second
	defaultDrain          = 5 * time.Second
)

// DefaultUpgrades are the protocols a route allows when it names none.
var DefaultUpgrades = []string{"websocket"}

// A Problem is one thing wrong with a file.
type Problem struct {
	// Location is a JSON path such as routes[1].policy.allowedOrigins[0],
	// or "line L, column C" for a syntax error.
	Location string
	// Message says what is wrong and, where known, what to write instead.
	Message string
}

func (p Problem) String() string { return p.Location + ": " + p.Message }

// An Error lists every problem of a file.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Load reads and parses the file at name. A file that cannot be read is an
// ordinary error; one with problems is an *Error.
func Load(name string) (*Config, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// Parse validates data and returns the configuration, or an *Error with
// every problem found.
func Parse(data []byte) (*Config, error) {
	var f File
	d := decoder{}
	d.document(data, &f)
	if len(d.problems) > 0 && d.fatal {
		return nil, &Error{Problems: d.problems}
	}
	v := validator{problems: d.problems, badPolicy: d.badPolicy, decoded: d.bad}
	c := v.check(&f)
	if len(v.problems) > 0 {
		sortProblems(v.problems)
		return nil, &Error{Problems: v.problems}
	}
	sum := sha256.Sum256(data)
	c.SHA256 = hex.EncodeToString(sum[:])
	return c, nil
}

type validator struct {
	problems  []Problem
	badPolicy map[int]bool    // routes whose policy did not decode
	decoded   map[string]bool // locations whose decoding problem is reported already
}

func (v *validator) add(loc, format string, args ...any) {
	if v.decoded[loc] {
		return // the value did not decode; saying it is missing or wrong again would be noise
	}
	v.problems = append(v.problems, Problem{Location: loc, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) check(f *File) *Config {
	c := &Config{PreserveHost: f.PreserveHost}

	// Listeners.
	switch {
	case f.Listen == "":
		v.add("listen", `missing: write the address to serve on, such as "127.0.0.1:8080" or ":8080"`)
	default:
		v.address("listen", f.Listen)
	}
	c.Listen = f.Listen
	if f.Admin != "" {
		v.address("admin", f.Admin)
		if f.Admin == f.Listen && !strings.HasSuffix(f.Admin, ":0") {
			v.add("admin", `%q is also "listen": give the admin listener its own port, such as "127.0.0.1:9090"`, f.Admin)
		}
	}
	c.Admin = f.Admin

	// Upstream.
	c.Upstream = v.upstream(f.Upstream)

	// Mode.
	switch f.Mode {
	case "":
		f.Mode = Enforce
	case Enforce, ReportOnly:
	default:
		v.add("mode", `%q is not a mode: write "enforce" (the gateway answers CORS) or "report-only" (the upstream answers, differences are reported)`, f.Mode)
	}
	c.Mode = f.Mode

	// Proxies and limits.
	for i, s := range f.TrustedProxies {
		loc := fmt.Sprintf("trustedProxies[%d]", i)
		if p, err := netip.ParsePrefix(s); err == nil {
			c.TrustedProxies = append(c.TrustedProxies, p.Masked())
		} else if a, err := netip.ParseAddr(s); err == nil {
			c.TrustedProxies = append(c.TrustedProxies, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		} else {
			v.add(loc, `%q is neither an IP address nor a CIDR prefix: write, for example, "10.0.0.0/8" or "192.0.2.7"`, s)
		}
	}
	switch {
	case f.MaxHeaderBytes == 0:
		f.MaxHeaderBytes = DefaultMaxHeaderBytes
	case f.MaxHeaderBytes < 4096:
		v.add("maxHeaderBytes", "%d is too small for ordinary browsers' headers (cookies alone reach 4 KiB): write at least 4096, or leave it out for %d", f.MaxHeaderBytes, DefaultMaxHeaderBytes)
	}
	c.MaxHeaderBytes = f.MaxHeaderBytes
	switch {
	case f.MaxBodyBytes == nil:
		n := int64(DefaultMaxBodyBytes)
		f.MaxBodyBytes = &n
	case *f.MaxBodyBytes < 0:
		v.add("maxBodyBytes", "%d is negative: write a size in bytes such as 10485760 (10 MiB), or 0 for no limit", *f.MaxBodyBytes)
	}
	c.MaxBodyBytes = *f.MaxBodyBytes
	c.BufferRequests = f.BufferRequests
	if f.BufferRequests && (c.MaxBodyBytes == 0 || c.MaxBodyBytes > MaxBufferedBodyBytes) {
		v.add("bufferRequests", "buffered bodies are held in memory, so maxBodyBytes must be between 1 and %d (64 MiB), not %d: lower maxBodyBytes, or set bufferRequests to false to stream bodies", MaxBufferedBodyBytes, c.MaxBodyBytes)
	}
	switch f.AmbiguousPaths {
	case "":
		f.AmbiguousPaths = "reject"
	case "reject":
	case "forward":
		c.Paths = urlpath.Forward
	default:
		v.add("ambiguousPaths", `%q: write "reject" (answer 400 to paths with %%2F, %%5C, "\", ";" parameters or double encoding) or "forward" (pass them untouched, for a backend that reads them as the gateway does)`, f.AmbiguousPaths)
	}

	// Timeouts.
	t := &f.Timeouts
	c.ReadHeaderTimeout = v.timeout("timeouts.readHeader", &t.ReadHeader, defaultReadHeader, false)
	c.IdleTimeout = v.timeout("timeouts.idle", &t.Idle, defaultIdle, false)
	c.ClientBodyTimeout = v.timeout("timeouts.clientBody", &t.ClientBody, defaultClientBody, true)
	c.ClientSendTimeout = v.timeout("timeouts.clientSend", &t.ClientSend, defaultClientSend, true)
	c.UpstreamConnectTimeout = v.timeout("timeouts.upstreamConnect", &t.UpstreamConnect, defaultConnect, false)
	c.UpstreamResponseHeaderTimeout = v.timeout("timeouts.upstreamResponseHeader", &t.UpstreamResponseHeader, defaultResponseHeader, true)
	c.UpstreamReadTimeout = v.timeout("timeouts.upstreamRead", &t.UpstreamRead, defaultUpstreamRead, true)
	c.UpstreamSendTimeout = v.timeout("timeouts.upstreamSend", &t.UpstreamSend, defaultUpstreamSend, true)
	c.ShutdownTimeout = v.timeout("timeouts.shutdown", &t.Shutdown, defaultShutdown, false)
	drain := time.Duration(0)
	if f.Admin != "" {
		drain = defaultDrain
	}
	c.DrainTimeout = v.timeout("timeouts.drain", &t.Drain, drain, true)

	// Routes.
	if len(f.Routes) == 0 {
		v.add("routes", `no route: add at least {"path": "/", "policy": {"allowedOrigins": ["https://app.example.com"]}}`)
	}
	seen := map[string]int{}
	for i := range f.Routes {
		r := &f.Routes[i]
		loc := fmt.Sprintf("routes[%d]", i)
		v.routePath(loc+".path", r.Path)
		if j, ok := seen[r.Path]; ok && r.Path != "" {
			v.add(loc+".path", "%q is also the path of routes[%d]: merge the two routes, or remove one", r.Path, j)
		} else {
			seen[r.Path] = i
		}
		if r.Upgrades == nil {
			r.Upgrades = DefaultUpgrades
		}
		for j, u := range r.Upgrades {
			v.upgrade(fmt.Sprintf("%s.upgrades[%d]", loc, j), u)
		}
		if v.badPolicy[i] {
			continue // its decoding problems are reported; cors.New would only add noise
		}
		if _, err := cors.New(r.Policy); err != nil {
			v.policy(loc+".policy", err)
		}
	}
	c.Routes = f.Routes
	c.File = *f
	return c
}

// upgrade checks a protocol name that a route lets requests upgrade to.
func (v *validator) upgrade(loc, u string) {
	name, _, _ := strings.Cut(u, "/")
	switch {
	case strings.EqualFold(name, "h2c"):
		v.add(loc, `"h2c" would tunnel HTTP/2 requests past the gateway, each unjudged by the route's policy (h2c smuggling): remove it`)
	case !isToken(u):
		v.add(loc, "%q is not a protocol name: write an Upgrade token such as \"websocket\"", u)
	}
}

// isToken reports whether s is an RFC 9110 token, with an optional
// "/version" (RFC 9110 §7.8's protocol).
func isToken(s string) bool {
	name, version, hasVersion := strings.Cut(s, "/")
	tok := func(t string) bool {
		if t == "" {
			return false
		}
		for i := 0; i < len(t); i++ {
			c := t[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
				return false
			}
		}
		return true
	}
	return tok(name) && (!hasVersion || tok(version))
}

// address checks a listen address: host:port, with a numeric port.
func (v *validator) address(loc, s string) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		v.add(loc, `%q is not host:port: write, for example, "127.0.0.1:8080", "[::1]:8080" or ":8080" (all interfaces)`, s)
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		v.add(loc, "%q: the port must be a number from 0 to 65535", s)
	}
	if strings.ContainsAny(host, "/ ") {
		v.add(loc, "%q: the host must be an IP address or a name", s)
	}
}

func (v *validator) upstream(s string) *url.URL {
	const loc = "upstream"
	if s == "" {
		v.add(loc, `missing: write the backend's base URL, such as "http://127.0.0.1:9000"`)
		return nil
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		v.add(loc, `%q is not a URL: write, for example, "http://127.0.0.1:9000"`, s)
		return nil
	case u.Scheme != "http" && u.Scheme != "https":
		v.add(loc, `%q: the scheme must be http or https, as in "http://127.0.0.1:9000"`, s)
	case u.Host == "":
		v.add(loc, `%q has no host: write, for example, "http://127.0.0.1:9000"`, s)
	case u.User != nil:
		v.add(loc, `%q carries credentials: remove the "user@" part (corsgate sends the client's Authorization as it is)`, s)
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		v.add(loc, "%q: a query or fragment cannot be combined with request paths: remove it", s)
	}
	return u
}

// timeout resolves *p: its default when absent; zero means no limit, which
// only some timeouts allow.
func (v *validator) timeout(loc string, p **Duration, def time.Duration, zeroOK bool) time.Duration {
	if *p == nil {
		d := Duration(def)
		*p = &d
		return def
	}
	d := time.Duration(**p)
	switch {
	case d < 0:
		v.add(loc, "%v is negative: write a positive duration such as %q", d, def.String())
	case d == 0 && !zeroOK:
		v.add(loc, "0s would mean no limit, which this timeout does not allow: write a positive duration such as %q, or leave it out", def.String())
	}
	return d
}

// routePath checks a route's path prefix.
func (v *validator) routePath(loc, p string) {
	switch {
	case p == "":
		v.add(loc, `missing: write a path prefix such as "/api/", or "/" for the default route`)
	case !strings.HasPrefix(p, "/"):
		v.add(loc, "%q must start with a slash: write %q", p, "/"+p)
	case strings.ContainsAny(p, "?#"):
		v.add(loc, "%q: a route matches paths only, not queries or fragments: remove what follows %q", p, p[:strings.IndexAny(p, "?#")])
	case cleanPrefix(p) != p:
		v.add(loc, "%q is not in its clean form (no empty, \".\" or \"..\" segments), which is the form requests are matched in: write %q", p, cleanPrefix(p))
	}
}

// cleanPrefix is path.Clean keeping a trailing slash.
func cleanPrefix(p string) string {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// policy turns the library's *cors.ConfigError values into problems located
// in the file: each error names its field's JSON key and, for one entry of
// a list, the entry's index as written, and says what to write instead
// with the other fields named by their JSON keys.
func (v *validator) policy(loc string, err error) {
	ces := cors.ConfigErrors(err)
	if len(ces) == 0 {
		v.add(loc, "%v", err)
		return
	}
	for _, ce := range ces {
		l := loc + "." + ce.Key
		if ce.Key == "" {
			l = loc + "." + ce.Field // a field a file cannot set (AllowOriginFunc)
		}
		if ce.Index >= 0 {
			l += "[" + strconv.Itoa(ce.Index) + "]"
		}
		msg := ce.JSONMessage()
		if ce.Value != "" {
			msg = strconv.Quote(ce.Value) + ": " + msg
		}
		v.add(l, "%s", msg)
	}
}

// RestartRequired lists the fields of next that differ from c and that a
// running corsgate cannot change: its listeners and its server's limits. A
// reload that changes any of them is refused whole, so that the
// configuration in force is always exactly one file.
func RestartRequired(c, next *Config) []Problem {
	var out []Problem
	diff := func(loc string, a, b any) {
		if a != b {
			out = append(out, Problem{Location: loc, Message: fmt.Sprintf("changed from %v to %v, which needs a restart (a running server cannot move a listener or change its limits): restart corsgate, or put the old value back to reload the rest", show(a), show(b))})
		}
	}
	diff("listen", c.Listen, next.Listen)
	diff("admin", c.Admin, next.Admin)
	diff("maxHeaderBytes", c.MaxHeaderBytes, next.MaxHeaderBytes)
	diff("timeouts.readHeader", c.ReadHeaderTimeout, next.ReadHeaderTimeout)
	diff("timeouts.idle", c.IdleTimeout, next.IdleTimeout)
	return out
}

// Warnings lists what in c is valid but probably a mistake; -check prints
// them and corsgate logs them when it starts.
func (c *Config) Warnings() []Problem {
	var out []Problem
	if c.Admin != "" && !isLoopback(c.Admin) {
		out = append(out, Problem{Location: "admin", Message: fmt.Sprintf("%q is not a loopback address: /config shows every policy and /metrics the traffic to anyone who reaches it; write \"127.0.0.1:%s\", or make sure a firewall keeps it private", c.Admin, port(c.Admin))})
	}
	return out
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

func port(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

func show(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

// sortProblems puts the problems of routes after the others, by route, so
// that a route's decoding and policy problems come together; otherwise the
// order they were found in stays.
func sortProblems(ps []Problem) {
	route := func(loc string) int {
		rest, ok := strings.CutPrefix(loc, "routes[")
		if !ok {
			return -1
		}
		n, _ := strconv.Atoi(rest[:max(strings.IndexByte(rest, ']'), 0)])
		return n
	}
	slices.SortStableFunc(ps, func(a, b Problem) int { return route(a.Location) - route(b.Location) })
}
