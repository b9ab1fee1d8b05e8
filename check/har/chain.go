package har

import (
	"net/url"
	"strings"

	"github.com/corskit/cors/internal/fetch"
)

// A chain is one request as the browser made it: the entry of each hop of
// its redirect chain, and the preflight recorded before each hop (nil where
// the HAR has none).
type chain struct {
	hops       []*Entry
	preflights []*Entry
}

// isPreflight reports whether e is a CORS preflight: OPTIONS with
// Access-Control-Request-Method (Fetch §4.8), or what Chrome's DevTools
// marks as one.
func isPreflight(e *Entry) bool {
	if e.ResourceType == "preflight" {
		return true
	}
	_, acrm := e.RequestHeader(fetch.HeaderRequestMethod)
	return e.Method == "OPTIONS" && acrm
}

// received reports whether the HAR has a response for e: a status (0 and
// -1 are the writers' "none") and its headers.
func received(e *Entry) bool { return e.Status > 0 }

// location returns where a redirect response of e sends the browser, or
// "" when e is not a redirect: the Location header resolved against e's URL,
// or the writer's redirectURL.
func location(e *Entry) string {
	if !fetch.IsRedirectStatus(e.Status) {
		return ""
	}
	loc, ok := e.ResponseHeader("Location")
	if !ok {
		loc = e.RedirectURL
	}
	if loc == "" {
		return ""
	}
	base, err := url.Parse(e.URL)
	if err != nil {
		return ""
	}
	next, err := base.Parse(loc)
	if err != nil {
		return ""
	}
	return normalURL(next.String())
}

// normalURL writes u as Go's URL parser serialises it, without a fragment,
// so that the URL a writer recorded and the one Explain asks for compare
// equal.
func normalURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	p.Fragment, p.RawFragment = "", ""
	return p.String()
}

// chains links the entries of a into redirect chains and pairs each hop
// with its preflight. Entries are in the order the writer wrote them
// (Chrome's DevTools and Playwright: when each request started; Firefox
// records a preflight after the request it precedes), so a hop's next hop
// is the first later entry for the redirect's location, and a preflight is
// the nearest unpaired one for the hop's URL and method. It returns the
// chains in the order of their first entries, and the preflights no
// recorded request claims.
func chains(a *Archive) ([]*chain, []*Entry) {
	n := len(a.Entries)
	next := make([]int, n)
	isHop := make([]bool, n) // reached by a redirect
	for i := range next {
		next[i] = -1
	}
	for i := range a.Entries {
		e := &a.Entries[i]
		if isPreflight(e) {
			continue
		}
		loc := location(e)
		if loc == "" {
			continue
		}
		for j := i + 1; j < n; j++ {
			f := &a.Entries[j]
			if !isHop[j] && !isPreflight(f) && normalURL(f.URL) == loc {
				next[i], isHop[j] = j, true
				break
			}
		}
	}
	paired := make([]bool, n)
	var out []*chain
	for i := range a.Entries {
		e := &a.Entries[i]
		if isHop[i] || isPreflight(e) {
			continue
		}
		c := &chain{}
		for j := i; j >= 0; j = next[j] {
			c.hops = append(c.hops, &a.Entries[j])
			c.preflights = append(c.preflights, pairPreflight(a, j, paired))
		}
		out = append(out, c)
	}
	var orphans []*Entry
	for i := range a.Entries {
		if e := &a.Entries[i]; isPreflight(e) && !paired[i] {
			orphans = append(orphans, e)
		}
	}
	return out, orphans
}

// pairPreflight finds the preflight of the hop a.Entries[h]: an unpaired
// preflight for the same URL whose Access-Control-Request-Method is the
// hop's method and whose Origin is the hop's (when both are recorded), the
// nearest one in the file.
func pairPreflight(a *Archive, h int, paired []bool) *Entry {
	hop := &a.Entries[h]
	u := normalURL(hop.URL)
	origin, hasOrigin := hop.RequestHeader(fetch.HeaderOrigin)
	best := -1
	for j := range a.Entries {
		p := &a.Entries[j]
		if paired[j] || !isPreflight(p) || normalURL(p.URL) != u {
			continue
		}
		if m, _ := p.RequestHeader(fetch.HeaderRequestMethod); m != hop.Method {
			continue
		}
		// A redirect to another origin turns the request's Origin into
		// "null"; Firefox's and WebKit's preflight there carries the
		// page's (engine.Rules.PageOriginInRedirectPreflight).
		if o, ok := p.RequestHeader(fetch.HeaderOrigin); ok && hasOrigin && o != origin && origin != fetch.NullOrigin {
			continue
		}
		if best < 0 || abs(j-h) < abs(best-h) {
			best = j
		}
	}
	if best < 0 {
		return nil
	}
	paired[best] = true
	return &a.Entries[best]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// originOf returns the serialised origin of the absolute URL u, or "".
func originOf(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" || (p.Scheme != "http" && p.Scheme != "https") {
		return ""
	}
	return fetch.OriginOfURL(p).String()
}

// originHeader is where pageOrigin found an origin the browser wrote
// itself.
const originHeader = "the request's Origin header"

// pageOrigin returns the origin of the page that made c, and where it was
// read: the first hop's Origin header (what the browser itself sent, so
// exact); else the Referer's origin (a page can send none, or a sandboxed
// iframe's page URL whose origin is really "null"); else the initiator
// Chrome's DevTools records; else the URL of the document of the HAR page
// the entry belongs to.
func pageOrigin(c *chain, docs map[string]string) (origin, from string) {
	first := c.hops[0]
	if o, ok := first.RequestHeader(fetch.HeaderOrigin); ok && o != "" {
		return o, originHeader
	}
	if r, ok := first.RequestHeader("Referer"); ok {
		if o := originOf(r); o != "" {
			return o, "the request's Referer header"
		}
	}
	if o := originOf(first.InitiatorURL); o != "" {
		return o, "the initiator Chrome's DevTools recorded"
	}
	if o := originOf(docs[first.PageRef]); o != "" {
		return o, "the URL of its page in the HAR"
	}
	return "", ""
}

// documents maps each HAR page to its document's URL: the page's title
// where it is a URL (Chrome's DevTools, Firefox), else the first document
// request recorded for the page (Playwright titles a page with the
// document's <title>).
func documents(a *Archive) map[string]string {
	docs := map[string]string{}
	for _, p := range a.Pages {
		if originOf(p.Title) != "" {
			docs[p.ID] = p.Title
		}
	}
	for i := range a.Entries {
		e := &a.Entries[i]
		if _, ok := docs[e.PageRef]; ok || e.PageRef == "" {
			continue
		}
		if dest, _ := e.RequestHeader("Sec-Fetch-Dest"); dest == "document" || (dest == "" && e.ResourceType == "document") {
			docs[e.PageRef] = e.URL
		}
	}
	return docs
}

// crossOrigin returns the first hop of c on another origin than the page's
// (origin), nil when there is none.
func (c *chain) crossOrigin(origin string) *Entry {
	for _, e := range c.hops {
		if originOf(e.URL) != origin {
			return e
		}
	}
	return nil
}

// leaves reports whether c left the page's origin: a hop on another
// origin, or a last hop that redirects elsewhere — to another origin, to
// a URL that is not http(s) or does not parse — where the browser stopped
// it (a location with user:password, a scheme it does not follow).
func (c *chain) leaves(origin string) bool {
	if c.crossOrigin(origin) != nil {
		return true
	}
	last := c.hops[len(c.hops)-1]
	if !fetch.IsRedirectStatus(last.Status) {
		return false
	}
	loc, ok := last.ResponseHeader("Location")
	if !ok {
		loc = last.RedirectURL
	}
	if loc == "" {
		return false
	}
	base, err := url.Parse(last.URL)
	if err != nil {
		return false
	}
	next, err := base.Parse(loc)
	return err != nil || next.User != nil || originOf(next.String()) != origin
}

// firstPreflight returns the first preflight recorded for a hop of c, nil
// when there is none: a request that starts on the page's own origin is
// preflighted, if at all, at a later hop.
func (c *chain) firstPreflight() *Entry {
	for _, p := range c.preflights {
		if p != nil {
			return p
		}
	}
	return nil
}

// kind is how the page made a request, as far as the HAR tells.
type kind struct {
	// mode is the request's mode: "cors", "no-cors", "navigate",
	// "websocket", or "" when the HAR does not tell.
	mode string
	// dest is Sec-Fetch-Dest (or what _resourceType implies): "empty"
	// for fetch() and XMLHttpRequest, "font", "image", …
	dest string
	// api is "fetch" or "xhr" where _resourceType says so.
	api string
	// guessed: mode is "no-cors" only because a GET went without Origin,
	// which tells nothing on the page's own origin (a same-origin GET
	// carries none in any mode).
	guessed bool
}

// under completes k, read from a hop to another origin, with what the
// request's first hop, on the page's own origin, tells: the destination
// and API are the request's own, but a same-origin hop sends no Origin,
// so its mode is told by the hop that left (a CORS request carries Origin
// there, a no-cors one does not).
func (k kind) under(first kind) kind {
	if first.dest != "" {
		k.dest = first.dest
	}
	if first.api != "" {
		k.api = first.api
	}
	if first.mode != "" && !first.guessed {
		k.mode, k.guessed = first.mode, false
	}
	return k
}

// kindOf reads the mode and destination of e from Sec-Fetch-Mode and
// Sec-Fetch-Dest, which Chromium and Firefox send (and record, except
// Playwright for a request Chromium blocked), else from _resourceType.
func kindOf(e *Entry) kind {
	var k kind
	k.mode, _ = e.RequestHeader("Sec-Fetch-Mode")
	k.dest, _ = e.RequestHeader("Sec-Fetch-Dest")
	switch e.ResourceType {
	case "fetch":
		k.api = "fetch"
	case "xhr":
		k.api = "xhr"
	}
	if up, _ := e.RequestHeader("Upgrade"); strings.EqualFold(up, "websocket") || e.ResourceType == "websocket" {
		k.mode = "websocket"
	}
	if k.dest == "" {
		switch e.ResourceType {
		case "fetch", "xhr", "eventsource":
			k.dest = "empty"
		case "font":
			k.dest = "font"
		case "image":
			k.dest = "image"
		case "script":
			k.dest = "script"
		case "stylesheet":
			k.dest = "style"
		case "document":
			k.dest = "document"
		}
	}
	if k.mode == "" {
		_, origin := e.RequestHeader(fetch.HeaderOrigin)
		switch {
		case k.dest == "document" || k.dest == "iframe" || k.dest == "frame":
			k.mode = "navigate"
		case k.dest == "empty" || k.dest == "font" || origin:
			// Fonts are always CORS requests, and so, to another
			// origin, are fetch() and XMLHttpRequest (but for a fetch()
			// with mode 'no-cors', which a writer that records its
			// failure also records Sec-Fetch-Mode of). A browser sends
			// no Sec-Fetch-* to an origin that is not potentially
			// trustworthy (Firefox to http://api.test): Origin on a
			// subresource request then tells a CORS request.
			k.mode = "cors"
		}
	}
	if k.mode == "" && received(e) && (e.Method == "GET" || e.Method == "HEAD") {
		if _, origin := e.RequestHeader(fetch.HeaderOrigin); !origin {
			// A CORS request always carries Origin (Fetch §4.1 main
			// fetch, "append a request Origin header"), and a writer
			// that recorded the response recorded the headers sent:
			// without one, the GET was a no-cors load (to another
			// origin than the page's: see guessed).
			k.mode, k.guessed = "no-cors", true
		}
	}
	if k.dest == "" && k.mode == "cors" {
		k.dest = "empty"
	}
	return k
}
