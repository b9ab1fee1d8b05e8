package difftest

import (
	"strings"
)

// This file holds the generator's families other than "random": each
// draws the cases of one class of behaviour in which browsers are known
// to differ from each other or from a naive reading of the standard, so
// that the corpus holds enough of each to show the rule.

// allowing returns the headers of an answer that passes the CORS check
// for c: the echoed origin and, with credentials, Access-Control-Allow-Credentials.
func allowing(c *Case) []Field {
	h := []Field{{"Access-Control-Allow-Origin", "{origin}"}}
	if c.Credentials {
		h = append(h, Field{"Access-Control-Allow-Credentials", "true"})
	}
	return h
}

// allowAll is a preflight answer that allows c's method and every header
// it sends (and Content-Type, which a body adds).
func allowAll(c *Case) Answer {
	names := []string{"content-type"}
	for _, f := range c.Header {
		names = append(names, f.Name)
	}
	h := append(allowing(c), Field{"Access-Control-Allow-Methods", c.Method}, Field{"Access-Control-Allow-Headers", strings.Join(names, ", ")})
	return Answer{Status: 204, Header: h}
}

// unsafeMethod is a method that needs a preflight, in a case a script
// may write it.
func (g *gen) bodyFor(c *Case) {
	if m := strings.ToUpper(c.Method); m != "GET" && m != "HEAD" && g.chance(0.6) {
		c.Body = g.pick("x", `{"a":1}`, "a=b")
	}
}

// redirect draws what a redirect does to the request: a 301, 302 or 303
// that changes the method and drops the body and its headers; which
// headers survive a hop to another origin (Authorization); the preflight
// a redirected request needs at its new URL, with the origin now "null";
// user:password in the location; the redirect limit; a location that is
// not an HTTP(S) URL; a relative location; a 3xx that is not a redirect.
// Variants and PreflightAfter make the verdict show the outcome.
func (g *gen) redirect(id string) Case {
	c := Case{ID: id, Family: "redirect", API: g.pick("fetch", "fetch", "xhr")}
	c.Credentials = g.chance(0.3)
	switch g.r.IntN(9) {
	case 0, 1: // the method and the body after a 301, 302 or 303
		c.Method = g.pick("POST", "POST", "post", "PUT", "DELETE", "patch", "PATCH")
		g.bodyFor(&c)
		if ct := g.pick("", "text/plain", "application/json", "application/x-www-form-urlencoded"); ct != "" {
			c.Header = append(c.Header, Field{"Content-Type", ct})
		}
		if g.chance(0.3) {
			c.Header = append(c.Header, Field{g.pick("X-Custom", "Content-Language"), g.pick("1", "de")})
		}
		c.Preflight = allowAll(&c)
		c.Hops = []Hop{{Answer: Answer{Status: g.status(301, 302, 303, 307, 308), Header: allowing(&c)}, To: g.pick("A", "B")}}
		if g.chance(0.4) {
			// The next hop's preflight allows the method but no header.
			a := Answer{Status: 204, Header: append(allowing(&c), Field{"Access-Control-Allow-Methods", c.Method})}
			c.PreflightAfter = &a
		}
		c.Final = Answer{Status: 200, Header: allowing(&c)}
		switch g.r.IntN(4) {
		case 0:
			c.Variants = []Variant{{Method: "GET", Answer: Answer{Status: 200}}}
		case 1:
			c.Variants = []Variant{{Header: "Content-Type", Absent: true, Answer: Answer{Status: 200}}}
		case 2:
			c.Variants = []Variant{{Header: "X-Custom", Answer: Answer{Status: 200}}}
		}
	case 2: // which headers a hop to another origin keeps
		c.Method = g.pick("GET", "GET", "POST", "PUT")
		g.bodyFor(&c)
		c.Header = []Field{{g.pick("Authorization", "authorization"), "Bearer t"}}
		if g.chance(0.5) {
			c.Header = append(c.Header, Field{g.pick("X-Custom", "Content-Type"), g.pick("1", "application/json")})
		}
		c.Preflight = allowAll(&c)
		c.Hops = []Hop{{Answer: Answer{Status: g.status(302, 307, 308, 301), Header: allowing(&c)}, To: g.pick("A", "B", "B")}}
		if g.chance(0.5) {
			a := Answer{Status: 204, Header: append(allowing(&c), Field{"Access-Control-Allow-Methods", c.Method}, Field{"Access-Control-Allow-Headers", "x-custom, content-type"})}
			c.PreflightAfter = &a
		}
		c.Final = Answer{Status: 200, Header: allowing(&c)}
		switch {
		case g.chance(0.5):
			c.Variants = []Variant{{Header: "Authorization", Answer: Answer{Status: 200}}}
		case g.chance(0.4):
			c.Variants = []Variant{{Header: "Cookie", Answer: Answer{Status: 200}}}
		}
	case 3: // the preflight at the new URL
		c.Method = g.pick("PUT", "DELETE", "GET", "POST")
		g.bodyFor(&c)
		c.Header = []Field{{g.pick("X-Custom", "x-api-key"), "1"}}
		c.Preflight = allowAll(&c)
		c.Hops = []Hop{{Answer: Answer{Status: g.status(307, 308, 302, 301), Header: allowing(&c)}, To: g.pick("A", "B", "B")}}
		if g.chance(0.5) {
			c.Hops = append(c.Hops, Hop{Answer: Answer{Status: 307, Header: allowing(&c)}, To: g.pick("A", "B")})
		}
		after := allowAll(&c)
		switch g.r.IntN(6) {
		case 0:
			after.Header[0].Value = "*"
		case 1:
			after.Header = after.Header[1:]
		case 2:
			after.Header[0].Value = "{page}"
		case 3:
			after.Status = g.status(403, 302, 404)
		case 4:
			after.Header = after.Header[:len(after.Header)-1]
		}
		c.PreflightAfter = &after
		c.Final = Answer{Status: 200, Header: allowing(&c)}
		if g.chance(0.3) {
			c.Final.Header[0].Value = g.pick("*", "{page}", "null")
		}
	case 4: // user:password in the location
		c.Method = g.pick("GET", "POST", "PUT")
		g.bodyFor(&c)
		c.Preflight = allowAll(&c)
		n := 1 + g.r.IntN(2)
		for i := 0; i < n; i++ {
			c.Hops = append(c.Hops, Hop{Answer: Answer{Status: g.status(301, 302, 307), Header: allowing(&c)}, To: g.pick("A", "B", "P"), Userinfo: i == n-1 || g.chance(0.3)})
		}
		c.Final = Answer{Status: 200, Header: allowing(&c)}
		if c.Hops[n-1].To == "P" && g.chance(0.5) {
			c.Final.Header[0].Value = g.pick("*", "null", "{page}")
		}
	case 5: // the redirect limit: 20 are followed, the 21st fails
		c.Method = g.pick("GET", "GET", "POST")
		g.bodyFor(&c)
		n := 19 + g.r.IntN(4)
		to := g.pick("A", "B", "AB")
		for i := 0; i < n; i++ {
			t := to
			if t == "AB" {
				t = []string{"B", "A"}[i%2]
			}
			c.Hops = append(c.Hops, Hop{Answer: Answer{Status: g.status(301, 302, 307), Header: allowing(&c)}, To: t})
		}
		c.Final = Answer{Status: 200, Header: allowing(&c)}
	case 6: // a location that is not an HTTP(S) URL, or does not parse
		c.Method = g.pick("GET", "GET", "POST")
		g.bodyFor(&c)
		switch {
		case g.chance(0.2):
			c.Start = "P"
		case g.chance(0.3):
			c.Hops = append(c.Hops, Hop{Answer: Answer{Status: 302, Header: allowing(&c)}, To: "B"})
		}
		loc := g.pick("data:text/plain,hello", "data:,x", "about:blank", "foo://example/x", "javascript:void(0)",
			"ftp://127.0.0.1/x", "file:///etc/hosts", "blob:http://127.0.0.1/x", "ws://127.0.0.1/x", "mailto:a@example.com", "http://[::1")
		h := Hop{Answer: Answer{Status: g.status(301, 302, 303, 307, 308), Header: allowing(&c)}, Location: loc}
		if g.chance(0.3) {
			h.Header = nil
		}
		c.Hops = append(c.Hops, h)
		c.Final = Answer{Status: 200, Header: allowing(&c)}
	case 7: // a relative location, and a 3xx that is no redirect
		c.Method = g.pick("GET", "POST", "PUT")
		g.bodyFor(&c)
		c.Preflight = allowAll(&c)
		if g.chance(0.6) {
			c.Hops = []Hop{{Answer: Answer{Status: g.status(301, 302, 307), Header: allowing(&c)}, To: "A", Location: g.pick("/d/"+id+"/1", "1", "./1")}}
			c.Final = Answer{Status: 200, Header: allowing(&c)}
		} else {
			c.Final = Answer{Status: g.status(300, 304, 305, 306, 309, 399), Header: append(allowing(&c), Field{"Location", "/elsewhere"})}
		}
	default: // a chain whose hops answer the CORS check in every way
		c.Method = g.pick("GET", "POST", "PUT", "DELETE")
		g.bodyFor(&c)
		if g.chance(0.5) {
			c.Header = []Field{{"X-Custom", "1"}}
		}
		c.Preflight = allowAll(&c)
		n := 1 + g.r.IntN(3)
		for i := 0; i < n; i++ {
			h := Hop{Answer: Answer{Status: g.status(301, 302, 303, 307, 308)}, To: g.pick("A", "B")}
			h.Header = g.corsHeaders(c, false, false)
			c.Hops = append(c.Hops, h)
		}
		c.Final = Answer{Status: 200, Header: g.corsHeaders(c, false, true)}
	}
	return c
}

// tainted draws requests that start on the page's own origin (P) and are
// redirected to another, or that start on another and come back to P: the
// same-origin part needs no CORS, the rest does, with an origin that the
// hop from one origin to another may have made "null" (Fetch's tainted
// origin), against answers of "*", the echo, "null" and the page's
// origin, with and without credentials.
func (g *gen) tainted(id string) Case {
	c := Case{ID: id, Family: "tainted", API: g.pick("fetch", "fetch", "xhr")}
	c.Credentials = g.chance(0.4)
	c.Method = g.pick("GET", "GET", "POST", "PUT", "DELETE")
	g.bodyFor(&c)
	switch g.r.IntN(3) {
	case 0:
		c.Header = []Field{{g.pick("X-Custom", "Authorization", "Content-Type"), g.pick("1", "application/json")}}
	case 1:
		c.Header = []Field{{"Accept", "text/plain"}}
	}
	var chain []string
	switch g.r.IntN(8) {
	case 0, 1:
		chain = []string{"P", "A"}
	case 2:
		chain = []string{"P", "A", "B"}
	case 3:
		chain = []string{"P", "P", "A"}
	case 4:
		chain = []string{"A", "P"}
	case 5:
		chain = []string{"A", "P", "A"}
	case 6:
		chain = []string{"P", "A", "P"}
	default:
		chain = []string{"P"}
	}
	if chain[0] == "P" {
		c.Start = "P"
	}
	answer := func() []Field {
		v := g.pick("{origin}", "{origin}", "*", "null", "{page}")
		if g.chance(0.1) {
			return nil
		}
		h := []Field{{"Access-Control-Allow-Origin", v}}
		if c.Credentials && g.chance(0.85) {
			h = append(h, Field{"Access-Control-Allow-Credentials", "true"})
		}
		return h
	}
	for _, to := range chain[1:] {
		c.Hops = append(c.Hops, Hop{Answer: Answer{Status: g.status(301, 302, 303, 307, 308), Header: answer()}, To: to, Userinfo: g.chance(0.08)})
	}
	pre := allowAll(&c)
	switch g.r.IntN(4) {
	case 0:
		pre.Header[0].Value = g.pick("*", "null", "{page}")
	case 1:
		pre.Header = pre.Header[1:]
	}
	c.Preflight = pre
	c.Final = Answer{Status: g.status(200, 200, 204, 404), Header: answer()}
	switch g.r.IntN(4) {
	case 0:
		// Show whether the last request carried an Origin at all.
		c.Variants = []Variant{{Header: "Origin", Absent: true, Answer: Answer{Status: 200, Header: []Field{{"Access-Control-Allow-Origin", "*"}}}}}
	case 1:
		// Show whether it carried the page's cookie (PageCookie): the
		// credentials mode sends it to the page's origin, or everywhere.
		c.Variants = []Variant{{Header: "Cookie", Answer: Answer{Status: 200}}}
	}
	return c
}

// headerValue draws request headers whose values sit at the edges: control
// bytes that Fetch allows and Go's HTTP client refuses to send (a browser
// sends them; the CORS-unsafe request-header bytes make them need a
// preflight), bytes above 0x7F (a script's "é" is the byte 0xE9), empty
// and padded values, values that break a safelisted header's rule,
// repeated names that the browser combines.
func (g *gen) headerValue(id string) Case {
	c := Case{ID: id, Family: "header-value", API: g.pick("fetch", "fetch", "xhr")}
	c.Method = g.pick("GET", "GET", "POST")
	c.Credentials = g.chance(0.2)
	if c.Method == "POST" && g.chance(0.5) {
		c.Body = "x"
	}
	values := [][2]string{
		{"X-Custom", "\x01"}, {"X-Custom", "a\x7fb"}, {"X-Custom", "a\x1fb"}, {"X-Custom", "\x0bx"}, {"X-Custom", "caf\u00e9"},
		{"X-Custom", ""}, {"X-Custom", " padded\t"}, {"X-Custom", "a\tb"}, {"X-Custom", "\u00ff\u0080"},
		{"Accept", "\x01"}, {"Accept", "text/html\x7f"}, {"Accept", "caf\u00e9"}, {"Accept", ""}, {"Accept", "*/*\t"}, {"Accept", "a\x08"},
		{"Accept-Language", "\x01"}, {"Accept-Language", "en-US,de;q=0.9"}, {"Accept-Language", "caf\u00e9"}, {"Accept-Language", ""}, {"Accept-Language", "de*"},
		{"Content-Language", "\x1f"}, {"Content-Language", ""}, {"Content-Language", "de-DE"}, {"Content-Language", "de DE"}, {"Content-Language", "en=1"},
		{"Content-Type", "text/plain;charset=\x01"}, {"Content-Type", "text/plain; charset=caf\u00e9"}, {"Content-Type", ""}, {"Content-Type", "TEXT/PLAIN"},
		{"Content-Type", "text/plain, application/json"}, {"Content-Type", "multipart/form-data"}, {"Content-Type", "text/plain;"},
		{"Content-Type", "application/x-www-form-urlencoded;charset=UTF-8"}, {"Content-Type", "text/plain\x7f"}, {"Content-Type", "text /plain"},
		{"Range", "bytes=0-1"}, {"Range", "bytes=5-1"}, {"Range", "bytes=-1"}, {"Range", "bytes=0-\x01"}, {"Range", "bytes=0-18446744073709551616"},
		{"Range", "bytes=00-1"}, {"Range", "bytes= 0-1"}, {"Range", "BYTES=0-1"}, {"Range", "bytes=0-1 "},
		{"DPR", "\x01"}, {"Save-Data", "on\x7f"}, {"Viewport-Width", "10\u00e9"},
		{"Accept", strings.Repeat("\u00e9", 128)}, {"Accept", strings.Repeat("\u00e9", 129)},
	}
	n := 1 + g.r.IntN(2)
	for i := 0; i < n; i++ {
		v := values[g.r.IntN(len(values))]
		c.Header = append(c.Header, Field{v[0], v[1]})
	}
	if g.chance(0.15) {
		// A repeated name: the browser sends one line, the values joined
		// by ", ". (Not Content-Type with fetch(): Firefox judges the
		// values of fetch()'s Headers one by one, which corscheck does
		// not model; see check's package documentation.)
		name := g.pick("X-A", "Accept", "Content-Language")
		if c.API == "xhr" {
			name = g.pick("X-A", "Accept", "Content-Type", "Content-Language")
		}
		c.Header = append(c.Header, Field{name, g.pick("1", "text/plain", "de")}, Field{strings.ToLower(name), g.pick("2", "text/html", "en")})
	}
	c.Preflight = allowAll(&c)
	if g.chance(0.3) {
		c.Preflight = g.preflight(c)
	}
	c.Final = Answer{Status: 200, Header: allowing(&c)}
	return c
}

// method draws methods in every case a script writes them (Fetch upper-
// cases only DELETE GET HEAD OPTIONS POST PUT) against
// Access-Control-Allow-Methods that lists them exactly, in another case,
// with "*", empty, padded or not at all, with and without credentials.
func (g *gen) method(id string) Case {
	c := Case{ID: id, Family: "method", API: g.pick("fetch", "fetch", "xhr")}
	c.Method = g.pick("GET", "get", "Get", "POST", "post", "HEAD", "head", "PUT", "put", "Put", "DELETE", "delete", "Delete",
		"PATCH", "patch", "Patch", "OPTIONS", "options", "CUSTOM", "custom", "Custom", "MKCOL", "PROPFIND", "QUERY", "M-SEARCH")
	c.Credentials = g.chance(0.3)
	g.bodyFor(&c)
	if g.chance(0.2) {
		c.Header = []Field{{"X-Custom", "1"}}
	}
	up, low := strings.ToUpper(c.Method), strings.ToLower(c.Method)
	acam := g.pick(c.Method, c.Method, up, low, "*", "*, "+c.Method, "GET, POST", "", " "+c.Method+" ", ","+c.Method+",", up+", "+low, "\""+c.Method+"\"", "-")
	h := allowing(&c)
	if acam != "-" {
		h = append(h, Field{"Access-Control-Allow-Methods", acam})
	}
	h = append(h, Field{"Access-Control-Allow-Headers", "x-custom, content-type"})
	c.Preflight = Answer{Status: 204, Header: h}
	c.Final = Answer{Status: 200, Header: allowing(&c)}
	if g.chance(0.2) {
		c.Hops = []Hop{{Answer: Answer{Status: g.status(301, 302, 303, 307), Header: allowing(&c)}, To: g.pick("A", "B")}}
	}
	return c
}

// mode draws fetch()'s mode ("no-cors": no Origin, no CORS check, an
// opaque response, headers beyond the no-CORS safelist dropped;
// "same-origin": refused for another origin, redirects included) and the
// options that do not change a CORS verdict: keepalive and referrerPolicy.
func (g *gen) mode(id string) Case {
	c := Case{ID: id, Family: "mode", API: "fetch"}
	c.Credentials = g.chance(0.3)
	c.Mode = g.pick("no-cors", "no-cors", "same-origin", "", "")
	c.Method = g.pick("GET", "POST", "HEAD")
	if c.Mode == "" {
		c.Method = g.pick("GET", "POST", "PUT")
		c.Keepalive = g.chance(0.6)
		if g.chance(0.6) {
			c.ReferrerPolicy = g.pick("no-referrer", "unsafe-url", "origin", "same-origin", "strict-origin", "no-referrer-when-downgrade", "origin-when-cross-origin")
		}
	}
	if c.Method == "POST" && g.chance(0.6) {
		c.Body = "x"
	}
	switch g.r.IntN(3) {
	case 0:
		c.Header = []Field{{"X-Custom", "1"}}
	case 1:
		c.Header = []Field{{g.pick("Content-Type", "Accept", "Range"), g.pick("text/plain", "application/json", "bytes=0-1")}}
	}
	if g.chance(0.3) {
		c.Start = "P"
	}
	c.Preflight = allowAll(&c)
	if g.chance(0.35) {
		c.Hops = []Hop{{Answer: Answer{Status: g.status(302, 307), Header: allowing(&c)}, To: g.pick("A", "B", "P")}}
		if c.Mode != "same-origin" && g.chance(0.2) {
			c.Hops[0].Location = "data:,x"
		}
	}
	c.Final = Answer{Status: g.status(200, 200, 404), Header: allowing(&c)}
	if g.chance(0.4) {
		c.Final.Header = nil
	}
	return c
}

// wpt draws the server answers of web-platform-tests' CORS tests that the
// other families do not: Access-Control-Allow-Origin with white space,
// case and list variants, Access-Control-Allow-Credentials spelled every
// way, Access-Control-Allow-Methods and -Headers lists with empty
// elements and leading commas, every preflight status, a preflight
// without credentials headers for a credentialed request, "*" lists with
// credentials, and header names in another case than the script's.
func (g *gen) wpt(id string) Case {
	c := Case{ID: id, Family: "wpt", API: g.pick("fetch", "xhr")}
	c.Method = "GET"
	switch g.r.IntN(9) {
	case 7, 8: // a page with an opaque origin (xhr/access-control-sandboxed-iframe-*)
		c.Sandboxed = true
		c.Credentials = g.chance(0.3)
		c.Method = g.pick("GET", "GET", "POST", "PUT")
		g.bodyFor(&c)
		if g.chance(0.4) {
			c.Header = []Field{{"X-Custom", "1"}}
		}
		c.Start = g.pick("A", "A", "P")
		acao := g.pick("null", "{origin}", "*", "{page}", "-")
		c.Preflight = allowAll(&c)
		c.Final = Answer{Status: 200}
		if acao != "-" {
			c.Final.Header = []Field{{"Access-Control-Allow-Origin", acao}}
			if c.Credentials && g.chance(0.8) {
				c.Final.Header = append(c.Final.Header, Field{"Access-Control-Allow-Credentials", "true"})
			}
		}
		if g.chance(0.3) {
			c.Preflight.Header[0].Value = g.pick("*", "{page}")
		}
		if g.chance(0.25) {
			c.Hops = []Hop{{Answer: Answer{Status: g.status(302, 307), Header: allowing(&c)}, To: g.pick("A", "B", "P")}}
		}
	case 0: // Access-Control-Allow-Origin values (cors/origin.htm)
		c.Credentials = g.chance(0.4)
		c.Final = Answer{Status: 200, Header: []Field{{"Access-Control-Allow-Origin", g.pick(" *", "* ", "*,", "*, *", "{origin} ", " {origin}", "\t{origin}",
			"{origin}/", "{origin}*", "", "{page}", "{origin},", "'{origin}'", "\"{origin}\"", "{origin} {origin}")}}}
		if c.Credentials {
			c.Final.Header = append(c.Final.Header, Field{"Access-Control-Allow-Credentials", "true"})
		}
		if g.chance(0.2) {
			c.Final.Header = append(c.Final.Header, Field{"Access-Control-Allow-Origin", g.pick("*", "{origin}")})
		}
	case 1: // Access-Control-Allow-Credentials (cors/credentials-flag.htm)
		c.Credentials = true
		c.Final = Answer{Status: 200, Header: []Field{{"Access-Control-Allow-Origin", "{origin}"}, {"Access-Control-Allow-Credentials", g.pick("TRUE", "True", "true ", " true", "", "true, true", "false", "1", "\"true\"", "true;")}}}
		if g.chance(0.2) {
			c.Method = "PUT"
			c.Preflight = allowAll(&c)
			c.Preflight.Header[1] = c.Final.Header[1]
			c.Final.Header[1].Value = "true"
		}
	case 2: // list syntax (xhr/access-control-allow-lists-starting-with-comma)
		c.Method = g.pick("PUT", "DELETE", "PATCH")
		c.Credentials = g.chance(0.3)
		c.Header = []Field{{g.pick("X-Print", "x-print"), "1"}, {g.pick("Y-Lol", "y-lol"), "1"}}
		m, hs := c.Method, "x-print, y-lol"
		switch g.r.IntN(2) {
		case 0:
			m = g.pick(","+m, m+",", m+",,GET", " , "+m, m+" ,", "\t"+m, m+";", m+", ,", "")
		default:
			hs = g.pick(",y-lol,x-print", "x-print,,y-lol", " , x-print, y-lol", "x-print, y-lol,", "", "x-print y-lol", "x-print,\ty-lol", "x-print;y-lol")
		}
		c.Preflight = Answer{Status: 204, Header: append(allowing(&c), Field{"Access-Control-Allow-Methods", m}, Field{"Access-Control-Allow-Headers", hs})}
		c.Final = Answer{Status: 200, Header: allowing(&c)}
	case 3: // every preflight status (cors-preflight-status.any.js)
		c.Method = g.pick("PUT", "GET")
		c.Header = []Field{{"X-Custom", "1"}}
		c.Preflight = allowAll(&c)
		c.Preflight.Status = g.status(200, 201, 202, 203, 204, 205, 206, 226, 299, 300, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 405, 500, 501, 502, 503)
		c.Final = Answer{Status: 200, Header: allowing(&c)}
	case 4: // a credentialed preflight answered without credentials headers (access-control-preflight-credential-*)
		c.Credentials = true
		c.Method = g.pick("PUT", "DELETE")
		c.Preflight = allowAll(&c)
		switch g.r.IntN(3) {
		case 0:
			c.Preflight.Header = slicesDelete(c.Preflight.Header, "Access-Control-Allow-Credentials")
		case 1:
			c.Preflight.Header[0].Value = "*"
		}
		c.Final = Answer{Status: 200, Header: allowing(&c)}
	case 5: // "*" lists with and without credentials (cors-preflight-star.any.js)
		c.Credentials = g.chance(0.5)
		c.Method = g.pick("PUT", "DELETE", "GET", "NEW")
		if g.chance(0.7) {
			c.Header = []Field{{"X-Custom", "1"}}
		}
		c.Preflight = Answer{Status: 204, Header: append(allowing(&c), Field{"Access-Control-Allow-Methods", g.pick("*", "*, "+c.Method, c.Method)}, Field{"Access-Control-Allow-Headers", g.pick("*", "*, x-custom", "x-custom")})}
		c.Final = Answer{Status: 200, Header: allowing(&c)}
		if g.chance(0.3) {
			c.Final.Header[0].Value = "*"
		}
	default: // header names in another case than the script's (access-control-preflight-request-header-lowercase)
		c.Method = g.pick("GET", "POST")
		c.Header = []Field{{g.pick("X-Custom", "x-custom", "X-CUSTOM"), "1"}, {g.pick("X-Other", "x-other"), "2"}}
		c.Preflight = Answer{Status: 204, Header: append(allowing(&c), Field{"Access-Control-Allow-Headers", g.pick("X-CUSTOM, X-OTHER", "x-custom,x-other", "X-Custom", "x-other, X-Custom")})}
		c.Final = Answer{Status: g.status(200, 500), Header: allowing(&c)}
	}
	return c
}

// slicesDelete returns h without the fields named name.
func slicesDelete(h []Field, name string) []Field {
	var out []Field
	for _, f := range h {
		if !strings.EqualFold(f.Name, name) {
			out = append(out, f)
		}
	}
	return out
}
