package e2e

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	cors "github.com/corskit/cors"
	"github.com/corskit/cors/check"
)

// harFamily is a row the HAR recording makes beside the conformance rows:
// the two families check/har learned to judge after the first recordings
// — a request that starts on the page's own origin and a redirect sends
// to another (its Origin "null" after a further hop to a third), and loads
// of elements and fonts in CORS mode (TestDestinations' rows).
type harFamily struct {
	name string
	// load is "fetch", or the element: "image", "font", "module"; co its
	// crossorigin attribute.
	load string
	co   check.CrossOrigin
	url  string // the first URL
	// blocked is written by hand: the page cannot use what it asked for.
	blocked bool
	// ports are the row's own servers', which name its console lines.
	ports []string
}

func (f harFamily) spec() map[string]any {
	return map[string]any{"load": f.load, "url": f.url, "co": string(f.co)}
}

// harFamilies starts the servers of the families' rows for a page on
// page, and returns the rows. Each row has servers of its own, so that its
// URLs are its own (no cache answers for another row) and its console
// lines are told apart by port.
func harFamilies(t *testing.T, page string) []harFamily {
	var rows []harFamily
	serve := func(h http.Handler) *httptest.Server {
		s := httptest.NewServer(h)
		t.Cleanup(s.Close)
		return s
	}
	policy := func(c cors.Config) *cors.Middleware {
		m, err := cors.New(c)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok"))
	})
	// away redirects to ?u=, behind the policy c.
	away := func(c cors.Config) *httptest.Server {
		return serve(policy(c).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Query().Get("u"), http.StatusFound)
		})))
	}
	// hop is the page's own /hop route (harRunner), to u.
	hop := func(u string) string { return page + "/hop?to=" + url.QueryEscape(u) }
	allowPage := cors.Config{AllowedOrigins: []string{page}}
	for _, c := range []struct {
		name    string
		target  *cors.Config // nil: no CORS policy
		via     *cors.Config // a server of another origin that redirects to the target
		blocked bool
	}{
		{"same-origin start, redirected to an API that allows the page", &allowPage, nil, false},
		{"same-origin start, redirected to an API without CORS", nil, nil, true},
		{"same-origin start, redirected twice: Origin null, allowed by *", &cors.Config{AllowedOrigins: []string{"*"}}, &allowPage, false},
		{"same-origin start, redirected twice: Origin null, not the page's origin", &allowPage, &allowPage, true},
	} {
		var h http.Handler = ok
		if c.target != nil {
			h = policy(*c.target).Handler(ok)
		}
		target := serve(h)
		f := harFamily{name: c.name, load: "fetch", url: hop(target.URL + "/a"), blocked: c.blocked, ports: []string{portOf(target.URL)}}
		if c.via != nil {
			via := away(*c.via)
			f.url = hop(via.URL + "/to?u=" + url.QueryEscape(target.URL+"/a"))
			f.ports = append(f.ports, portOf(via.URL))
		}
		rows = append(rows, f)
	}
	for _, c := range destCases() {
		if !slices.Contains([]string{
			"image-anon-star", "image-anon-plain", "image-creds-star", "image-creds",
			"font-star", "font-plain", "font-hop",
			"module-star", "module-plain", "module-creds-star", "module-creds",
		}, c.name) {
			continue
		}
		api := serve(destHandler(t, page))
		rows = append(rows, harFamily{name: "element: " + c.name, load: c.load, co: c.co,
			url: api.URL + "/" + c.route + "/" + c.name + "/" + c.file, blocked: c.want == "blocked", ports: []string{portOf(api.URL)}})
	}
	return rows
}

// harLoadJS loads an element or a font for the runner page (harRunnerJS):
// corsLoad(spec) resolves to what the page saw, as corsE2E.run does.
const harLoadJS = `
const corsLoad = (s) => new Promise((resolve) => {
  const done = (ok, error) => resolve({ok, status: 0, error: error || ''});
  if (s.load === 'font') {
    const family = 'har-' + Math.random().toString(36).slice(2);
    const st = document.createElement('style');
    st.textContent = '@font-face { font-family: "' + family + '"; src: url("' + s.url + '"); }';
    document.head.append(st);
    document.fonts.load('16px "' + family + '"').catch(() => {}).then(() => {
      const face = [...document.fonts].find((f) => f.family.replace(/"/g, '') === family);
      done(face?.status === 'loaded', face?.status || 'no face');
    });
    return;
  }
  const e = s.load === 'image' ? new Image() : document.createElement('script');
  if (s.load === 'module') e.type = 'module';
  if (s.co) e.crossOrigin = s.co;
  e.onload = () => done(true);
  e.onerror = () => done(false, s.load + ' error');
  e.src = s.url;
  if (s.load !== 'image') document.head.append(e);
});
`
