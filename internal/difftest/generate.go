package difftest

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/corskit/cors/internal/engine"
)

// Generate returns n cases drawn from seed: the same seed always gives the
// same cases. Each case comes from one family (Case.Family):
//
//   - "random": on the server side, every Access-Control-* response header
//     present, absent, repeated, in odd case, padded and with invalid
//     tokens; 2xx, 3xx, 4xx and 5xx statuses; redirect chains across two
//     origins, with and without userinfo, with 301, 302, 303, 307 and 308.
//     On the page side: methods (safelisted, not, lower case), safelisted
//     and unsafe headers with values at the 128- and 1024-byte edges,
//     Chromium's extra safelisted headers
//     (engine.ChromiumExtraSafelistedNames), bodies, credentials, fetch and
//     XMLHttpRequest, and XHR upload listeners.
//   - "redirect": what a redirect does to the request (see redirect).
//   - "tainted": requests that start on the page's own origin, or come
//     back to it (see tainted).
//   - "header-value": request header values at the edges of the safelist
//     and of what Go's HTTP client sends (see headerValue).
//   - "method": methods in every case against every kind of
//     Access-Control-Allow-Methods (see method).
//   - "mode": fetch()'s mode, keepalive and referrerPolicy (see mode).
//   - "wpt": server answers that web-platform-tests' CORS tests
//     (fetch/api/cors/, xhr/access-control-*, cors/) exercise and the
//     other families do not draw (see wpt).
func Generate(seed uint64, n int) []Case {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	out := make([]Case, n)
	for i := range out {
		id := fmt.Sprintf("s%d-%d", seed, i)
		switch f := g.r.IntN(100); {
		case f < 26:
			out[i] = g.one(id)
		case f < 48:
			out[i] = g.redirect(id)
		case f < 64:
			out[i] = g.tainted(id)
		case f < 76:
			out[i] = g.headerValue(id)
		case f < 85:
			out[i] = g.method(id)
		case f < 92:
			out[i] = g.mode(id)
		default:
			out[i] = g.wpt(id)
		}
	}
	return out
}

type gen struct{ r *rand.Rand }

func (g *gen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }
func (g *gen) chance(p float64) bool    { return g.r.Float64() < p }
func (g *gen) status(xs ...int) int     { return xs[g.r.IntN(len(xs))] }

func (g *gen) one(id string) Case {
	c := Case{ID: id, Family: "random", API: g.pick("fetch", "fetch", "xhr")}
	c.Method = g.pick("GET", "GET", "GET", "POST", "POST", "HEAD", "PUT", "put", "DELETE", "PATCH", "patch", "OPTIONS")
	c.Credentials = g.chance(0.35)
	upper := strings.ToUpper(c.Method)
	if upper != "GET" && upper != "HEAD" && g.chance(0.5) {
		c.Body = g.pick("x", "hello", strings.Repeat("b", 300))
	}
	if c.API == "xhr" && g.chance(0.2) {
		c.Upload = true
	}
	c.Header = g.requestHeaders()
	c.Preflight = g.preflight(c)
	switch {
	case g.chance(0.08):
		g.authorizationUnderWildcard(&c)
	case g.chance(0.06):
		g.refusedHeaders(&c)
	}
	nhops := 0
	if g.chance(0.3) {
		nhops = 1 + g.r.IntN(3)
	}
	for i := 0; i < nhops; i++ {
		h := Hop{To: g.pick("A", "B", "B")}
		h.Status = []int{301, 302, 303, 307, 308}[g.r.IntN(5)]
		h.Userinfo = g.chance(0.2)
		h.Header = g.corsHeaders(c, false, false)
		c.Hops = append(c.Hops, h)
	}
	c.Final = Answer{Status: g.finalStatus(), Header: g.corsHeaders(c, false, true)}
	return c
}

var customNames = []string{"X-Requested-With", "X-Api-Key", "X-Custom", "X-Trace-Id", "Authorization", "X-B", "X-A", "X-Debug", "authorization", "X-CUSTOM"}

// refusedHeaders makes c send several unsafe headers, some that WebKit
// knows by name (Authorization, Content-Type) and some it does not, in a
// random order and case, to a preflight that allows none of them: each
// engine names another one first (Chromium in its hash table's order,
// Firefox the first in sorted order, WebKit the first it knows, then the
// first of the others).
func (g *gen) refusedHeaders(c *Case) {
	pool := []Field{
		{g.pick("Authorization", "authorization"), "Bearer t"},
		{g.pick("Content-Type", "content-type"), "application/json"},
		{g.pick("X-Trace-Id", "x-trace-id"), "1"},
		{g.pick("X-B", "x-b"), "1"},
		{g.pick("Zz-Last", "zz-last"), "1"},
	}
	g.r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	c.Header = pool[:2+g.r.IntN(3)]
	h := []Field{{"Access-Control-Allow-Origin", "{origin}"}, {"Access-Control-Allow-Methods", c.Method}, {"Access-Control-Allow-Headers", "x-unrelated"}}
	if c.Credentials {
		h = append(h, Field{"Access-Control-Allow-Credentials", "true"})
	}
	c.Preflight = Answer{Status: 204, Header: h}
}

// authorizationUnderWildcard makes c send Authorization (in some case),
// perhaps with another unsafe header, to a preflight that echoes the origin
// and allows the method and the headers with "*": the Fetch standard
// refuses Authorization there, the engines let it through, Firefox with a
// warning unless the answer names it too.
func (g *gen) authorizationUnderWildcard(c *Case) {
	c.Header = []Field{{g.pick("Authorization", "authorization", "AUTHORIZATION"), "Bearer t"}}
	if g.chance(0.5) {
		other := Field{g.pick("X-Custom", "x-api-key", "Content-Type"), "application/json"}
		if g.chance(0.5) {
			c.Header = append([]Field{other}, c.Header...)
		} else {
			c.Header = append(c.Header, other)
		}
	}
	h := []Field{{"Access-Control-Allow-Origin", "{origin}"}, {"Access-Control-Allow-Methods", "*, " + c.Method}}
	if c.Credentials {
		h = append(h, Field{"Access-Control-Allow-Credentials", "true"})
	}
	h = append(h, Field{"Access-Control-Allow-Headers", g.pick("*", "*", "*, Authorization", "*, x-custom", "Authorization")})
	c.Preflight = Answer{Status: 204, Header: h}
}

func (g *gen) requestHeaders() []Field {
	var h []Field
	k := g.r.IntN(4)
	if g.chance(0.08) {
		return g.totalEdge()
	}
	used := map[string]bool{}
	add := func(name, value string) {
		if used[strings.ToLower(name)] {
			return
		}
		used[strings.ToLower(name)] = true
		h = append(h, Field{name, value})
	}
	for i := 0; i < k; i++ {
		switch g.r.IntN(6) {
		case 0:
			add(g.pick(customNames...), g.pick("1", "XMLHttpRequest", "Bearer t"))
		case 1:
			add("Content-Type", g.pick("text/plain", "application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain; charset=utf-8", "text/html", "application/json; charset=utf-8"))
		case 2:
			add(g.pick("Accept", "Accept-Language", "Content-Language"), g.edgeValue())
		case 3:
			name := g.pick(engine.ChromiumExtraSafelistedNames...)
			add(name, g.extraValue(name))
		case 4:
			add("Range", g.pick("bytes=0-", "bytes=0-10", "bytes=-5", "bytes=0-1,3-4"))
		case 5:
			add(g.pick("accept", "x-custom", "content-type"), g.pick("text/plain", "1"))
		}
	}
	return h
}

// edgeValue is a value of 127, 128 or 129 bytes, or a short one with a
// byte that makes Accept or a language header unsafe.
func (g *gen) edgeValue() string {
	switch g.r.IntN(5) {
	case 0:
		return strings.Repeat("a", 127+g.r.IntN(3))
	case 1:
		return "en-US,en;q=0.9"
	case 2:
		return "text/html\"x"
	case 3:
		return "de(1)"
	}
	return "*/*"
}

func (g *gen) extraValue(name string) string {
	switch strings.ToLower(name) {
	case "dpr", "device-memory", "downlink":
		return g.pick("2.0", "2", "high", "2.", ".5", "1.25")
	case "width", "viewport-width", "rtt":
		return g.pick("100", "1.5", "x", "0")
	case "ect":
		return g.pick("4g", "3g", "slow-2g", "4G", "5g")
	case "save-data":
		return g.pick("on", "ON", "off")
	}
	return g.pick("x", strings.Repeat("i", 128), strings.Repeat("i", 129))
}

// totalEdge is a set of safelisted headers whose values add up to 1023,
// 1024 or 1025 bytes, Chromium's extra safelisted names among them.
func (g *gen) totalEdge() []Field {
	names := []string{"Accept", "Accept-Language", "Content-Language", "Intervention", "DPR", "Width", "Viewport-Width", "RTT"}
	fill := []string{"a", "b", "c", "i", "1", "2", "3", "4"}
	total := 1023 + g.r.IntN(3)
	var h []Field
	for i, n := range names {
		l := 128
		if i == len(names)-1 {
			l = total - 128*(len(names)-1)
		}
		h = append(h, Field{n, strings.Repeat(fill[i], l)})
	}
	return h
}

func (g *gen) finalStatus() int {
	return []int{200, 200, 200, 201, 204, 400, 401, 403, 404, 500, 503, 302}[g.r.IntN(12)]
}

func (g *gen) preflight(c Case) Answer {
	status := []int{200, 204, 204, 204, 201, 299, 301, 302, 307, 304, 400, 401, 403, 404, 405, 500}[g.r.IntN(16)]
	if g.chance(0.5) {
		status = 204
	}
	return Answer{Status: status, Header: g.corsHeaders(c, true, false)}
}

// corsHeaders draws the Access-Control-* lines of one response.
func (g *gen) corsHeaders(c Case, preflight, final bool) []Field {
	var h []Field
	name := func(canonical string) string {
		switch g.r.IntN(8) {
		case 0:
			return strings.ToLower(canonical)
		case 1:
			return strings.ToUpper(canonical)
		}
		return canonical
	}
	pad := func(v string) string {
		if g.chance(0.1) {
			return " " + v + "\t"
		}
		return v
	}
	// Access-Control-Allow-Origin: mostly the echo, so that later checks
	// are reached.
	switch g.r.IntN(22) {
	case 0:
	case 1:
		h = append(h, Field{name("Access-Control-Allow-Origin"), "*"})
	case 2:
		h = append(h, Field{name("Access-Control-Allow-Origin"), "null"})
	case 3:
		h = append(h, Field{name("Access-Control-Allow-Origin"), "http://example.com"})
	case 4:
		h = append(h, Field{name("Access-Control-Allow-Origin"), "{origin}/"})
	case 5:
		h = append(h, Field{"Access-Control-Allow-Origin", "{origin}"}, Field{"Access-Control-Allow-Origin", "{origin}"})
	case 6:
		h = append(h, Field{name("Access-Control-Allow-Origin"), g.pick("true", "*.example.com", "example.com", "{origin} http://example.com", "{origin}, http://example.com")})
	default:
		h = append(h, Field{name("Access-Control-Allow-Origin"), pad("{origin}")})
	}
	if c.Credentials || g.chance(0.2) {
		switch g.r.IntN(6) {
		case 0:
		case 1:
			h = append(h, Field{name("Access-Control-Allow-Credentials"), g.pick("True", "false", "1", "true, true")})
		case 2:
			h = append(h, Field{"Access-Control-Allow-Credentials", "true"}, Field{"Access-Control-Allow-Credentials", "true"})
		default:
			h = append(h, Field{name("Access-Control-Allow-Credentials"), pad("true")})
		}
	}
	if preflight {
		switch g.r.IntN(9) {
		case 0:
		case 1:
			h = append(h, Field{name("Access-Control-Allow-Methods"), "*"})
		case 2:
			h = append(h, Field{name("Access-Control-Allow-Methods"), g.pick("GET;PUT", "GET, \"PUT\"", "PUT DELETE")})
		case 3:
			h = append(h, Field{name("Access-Control-Allow-Methods"), strings.ToLower(c.Method)})
		case 4:
			h = append(h, Field{"Access-Control-Allow-Methods", "GET"}, Field{"Access-Control-Allow-Methods", c.Method})
		default:
			h = append(h, Field{name("Access-Control-Allow-Methods"), pad("GET, POST, " + c.Method + ",")})
		}
		var names []string
		for _, f := range c.Header {
			names = append(names, f.Name)
		}
		switch g.r.IntN(9) {
		case 0:
		case 1:
			h = append(h, Field{name("Access-Control-Allow-Headers"), "*"})
		case 2:
			h = append(h, Field{name("Access-Control-Allow-Headers"), g.pick("Content-Type: application/json", "x-a;x-b", "\"x-custom\"")})
		case 3:
			if len(names) > 1 {
				names = names[1:]
			}
			h = append(h, Field{name("Access-Control-Allow-Headers"), strings.Join(names, ", ")})
		case 4:
			h = append(h, Field{name("Access-Control-Allow-Headers"), "x-unrelated"})
		default:
			h = append(h, Field{name("Access-Control-Allow-Headers"), pad(strings.ToUpper(strings.Join(names, " ,")))})
		}
		if g.chance(0.3) {
			h = append(h, Field{name("Access-Control-Max-Age"), g.pick("600", "-1", "abc", "86400")})
		}
	}
	if final && g.chance(0.2) {
		h = append(h, Field{name("Access-Control-Expose-Headers"), g.pick("*", "X-Request-Id", "x y")})
	}
	return h
}
