package difftest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Field is one header line: name as sent (any case) and value (a
// template: "{origin}" is the request's Origin).
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
	// To is the server of the next hop, "A" or "B".
	To string `json:"to"`
	// Userinfo puts "u:p@" into the Location.
	Userinfo bool `json:"userinfo,omitempty"`
}

// Case is one cross-origin call and the server's answers to it.
type Case struct {
	ID string `json:"id"`
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
}

// Path is the path of hop i of c.
func (c *Case) Path(i int) string { return "/d/" + c.ID + "/" + strconv.Itoa(i) }

// Server returns the server ("A" or "B") that serves hop i.
func (c *Case) Server(i int) string {
	if i == 0 {
		return "A"
	}
	return c.Hops[i-1].To
}

// Origins are the base URLs of the two API servers.
type Origins struct{ A, B string }

func (o Origins) of(s string) string {
	if s == "B" {
		return o.B
	}
	return o.A
}

// URL is the URL a page fetches for c.
func (c *Case) URL(o Origins) string { return o.A + c.Path(0) }

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
			if a.Status >= 300 && a.Status < 400 {
				location = o.of(c.Server(hop)) + c.Path(hop) + "?after-preflight-redirect"
			}
		case hop < len(c.Hops):
			h := c.Hops[hop]
			a = h.Answer
			next := o.of(h.To) + c.Path(hop+1)
			if h.Userinfo {
				u, _ := url.Parse(next)
				u.User = url.UserPassword("u", "p")
				next = u.String()
			}
			location = next
		default:
			a = c.Final
		}
		hdr := w.Header()
		for _, f := range a.Header {
			// Set the name as written, not canonicalised: odd case is part
			// of the case.
			hdr[f.Name] = append(hdr[f.Name], strings.ReplaceAll(f.Value, "{origin}", origin))
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
	for _, p := range [][2]string{{withUserinfo(o.A), "{A:u:p}"}, {withUserinfo(o.B), "{B:u:p}"}, {o.A, "{A}"}, {o.B, "{B}"}, {page, "{PAGE}"}} {
		// An origin ends at one of these in a console line (a URL's path,
		// a quote, a list of values, a word, Firefox's closing quote);
		// matching the delimiter keeps :4001 from matching the start of
		// :40012.
		for _, d := range []string{"/", "'", ",", " ", "’"} {
			pairs = append(pairs, p[0]+d, p[1]+d)
		}
	}
	return strings.NewReplacer(pairs...).Replace(line)
}
