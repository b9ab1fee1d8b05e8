package difftest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Field is one header line: name as sent (any case) and value (a
// template: "{origin}" is the request's Origin, "{page}" the origin of
// the page, P). A request header's value is a script's string: each
// character is one byte (a ByteString; "\u00e9" is the byte 0xE9).
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Answer is one response: status and header lines, in order (a name may
// repeat).
type Answer struct {
	Status int     `json:"status"`
	Header []Field `json:"header,omitempty"`
}

// Hop is one redirect of the actual request: the response at this hop
// (Answer, a 3xx) and where its Location points.
type Hop struct {
	Answer
	// To is the server of the next hop: "A", "B", or "P", the page's own
	// origin.
	To string `json:"to"`
	// Userinfo puts "u:p@" into the Location.
	Userinfo bool `json:"userinfo,omitempty"`
	// Location, when set, is the whole Location header instead (a data:
	// URL, another scheme, a relative reference): To and Userinfo are then
	// unused, and a Location that leads nowhere the servers answer ends
	// the chain.
	Location string `json:"location,omitempty"`
}

// Case is one cross-origin call and the server's answers to it.
type Case struct {
	ID string `json:"id"`
	// Family names the part of the generator that drew the case (see
	// Generate); it does not change what the case does.
	Family string `json:"family,omitempty"`
	// API is "fetch" or "xhr".
	API         string  `json:"api"`
	Method      string  `json:"method"`
	Header      []Field `json:"requestHeader,omitempty"`
	Body        string  `json:"body,omitempty"`
	Credentials bool    `json:"credentials,omitempty"`
	// Upload adds an XHR upload listener.
	Upload bool `json:"upload,omitempty"`
	// Preflight answers every preflight of the case, at any hop.
	Preflight Answer `json:"preflight"`
	// Hops are the redirects of the actual request, from server A; Final
	// answers the last hop.
	Hops  []Hop  `json:"hops,omitempty"`
	Final Answer `json:"final"`
	// Variants answer the last hop instead of Final when the request
	// matches one (see Variant); PreflightAfter, when set, answers the
	// preflights of every hop after the first instead of Preflight. With
	// them a verdict shows what a redirect did to the request: its
	// method, which headers it kept, whether it was preflighted again.
	Variants       []Variant `json:"variants,omitempty"`
	PreflightAfter *Answer   `json:"preflightAfterRedirect,omitempty"`
	// Start is the server of the first request: "A" (the default, another
	// origin than the page's) or "P", the page's own origin, so that a
	// redirect makes a same-origin request cross-origin.
	Start string `json:"start,omitempty"`
	// Mode is fetch()'s mode: "" (cors), "no-cors" or "same-origin".
	Mode string `json:"mode,omitempty"`
	// Keepalive and ReferrerPolicy are fetch()'s options of those names
	// ("" leaves the default).
	Keepalive      bool   `json:"keepalive,omitempty"`
	ReferrerPolicy string `json:"referrerPolicy,omitempty"`
	// Sandboxed runs the call from an <iframe sandbox="allow-scripts">
	// of the page: its origin is opaque, so the page's Origin is "null"
	// and even P is another origin.
	Sandboxed bool `json:"sandboxed,omitempty"`
}

// A Variant answers the last hop of a case instead of its Final when the
// request matches: its method is Method (when set), and it carries the
// header Header (when set; with Absent, it lacks it). The first match wins.
type Variant struct {
	Method string `json:"method,omitempty"`
	Header string `json:"header,omitempty"`
	Absent bool   `json:"absent,omitempty"`
	Answer Answer `json:"answer"`
}

func (v *Variant) matches(r *http.Request) bool {
	if v.Method != "" && r.Method != v.Method {
		return false
	}
	if v.Header != "" {
		_, present := r.Header[http.CanonicalHeaderKey(v.Header)]
		return present != v.Absent
	}
	return true
}

// Path is the path of hop i of c.
func (c *Case) Path(i int) string { return "/d/" + c.ID + "/" + strconv.Itoa(i) }

// Server returns the server ("A", "B" or "P") that serves hop i.
func (c *Case) Server(i int) string {
	if i == 0 {
		if c.Start == "" {
			return "A"
		}
		return c.Start
	}
	return c.Hops[i-1].To
}

// Origins are the base URLs of the two API servers and of the page's own
// server (P; empty when there is none).
type Origins struct{ A, B, P string }

func (o Origins) of(s string) string {
	switch s {
	case "B":
		return o.B
	case "P":
		return o.P
	}
	return o.A
}

// URL is the URL a page fetches for c.
func (c *Case) URL(o Origins) string { return o.of(c.Server(0)) + c.Path(0) }

// Handler serves cases: each request under /d/<id>/<hop> is answered as
// the case with that id says (lookup returns it). A preflight (OPTIONS with
// Access-Control-Request-Method) gets the case's Preflight answer; any
// other request gets the hop's redirect or, at the last hop, Final. Unknown
// paths get 404.
func Handler(lookup func(id string) (*Case, bool), o Origins) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/d/"), "/")
		if len(parts) != 2 {
			http.NotFound(w, r)
			return
		}
		c, ok := lookup(parts[0])
		hop, err := strconv.Atoi(parts[1])
		if !ok || err != nil || hop < 0 || hop > len(c.Hops) {
			http.NotFound(w, r)
			return
		}
		origin := r.Header.Get("Origin")
		var a Answer
		location := ""
		switch {
		case r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "":
			a = c.Preflight
			if hop > 0 && c.PreflightAfter != nil {
				a = *c.PreflightAfter
			}
			if a.Status >= 300 && a.Status < 400 {
				location = o.of(c.Server(hop)) + c.Path(hop) + "?after-preflight-redirect"
			}
		case hop < len(c.Hops):
			h := c.Hops[hop]
			a = h.Answer
			next := o.of(h.To) + c.Path(hop+1)
			if h.Location != "" {
				next = h.Location
			} else if h.Userinfo {
				u, _ := url.Parse(next)
				u.User = url.UserPassword("u", "p")
				next = u.String()
			}
			location = next
		default:
			a = c.Final
			for i := range c.Variants {
				if c.Variants[i].matches(r) {
					a = c.Variants[i].Answer
					break
				}
			}
		}
		hdr := w.Header()
		fill := strings.NewReplacer("{origin}", origin, "{page}", o.P)
		for _, f := range a.Header {
			// Set the name as written, not canonicalised: odd case is part
			// of the case.
			hdr[f.Name] = append(hdr[f.Name], fill.Replace(f.Value))
		}
		if location != "" {
			hdr["Location"] = []string{location}
		}
		hdr["Cache-Control"] = []string{"no-store"}
		w.WriteHeader(a.Status)
		if r.Method != http.MethodHead && a.Status != http.StatusNoContent && a.Status != http.StatusNotModified {
			fmt.Fprintf(w, "case %s hop %d", c.ID, hop)
		}
	})
}

// Normalize replaces the concrete origins in a console line with {A}, {B}
// and {PAGE}, so that lines recorded on other ports compare equal.
func Normalize(line string, o Origins, page string) string {
	var pairs []string
	// A redirect's location with user:password (WebKit prints it) is
	// http://u:p@host:port: it becomes {A:u:p} and {B:u:p}.
	withUserinfo := func(origin string) string { return strings.Replace(origin, "://", "://u:p@", 1) }
	pairsOf := [][2]string{{withUserinfo(o.A), "{A:u:p}"}, {withUserinfo(o.B), "{B:u:p}"}, {o.A, "{A}"}, {o.B, "{B}"}, {page, "{PAGE}"}}
	if o.P != "" && o.P != page {
		pairsOf = append(pairsOf, [2]string{o.P, "{PAGE}"})
	}
	if page != "" {
		pairsOf = append([][2]string{{withUserinfo(page), "{PAGE:u:p}"}}, pairsOf...)
	}
	for _, p := range pairsOf {
		// An origin ends at one of these in a console line (a URL's path,
		// a quote, a list of values, a word, Firefox's closing quote, the
		// end of a sentence);
		// matching the delimiter keeps :4001 from matching the start of
		// :40012.
		for _, d := range []string{"/", "'", ",", " ", "’", "."} {
			pairs = append(pairs, p[0]+d, p[1]+d)
		}
	}
	return strings.NewReplacer(pairs...).Replace(line)
}
