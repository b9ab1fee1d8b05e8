package cors_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/corskit/cors"
	"github.com/corskit/cors/internal/fetch"
	"github.com/corskit/cors/internal/origincorpus"
)

// suggestion is how a ConfigError's message offers a replacement.
var suggestion = regexp.MustCompile(`write "([^"]*)" instead`)

// TestOriginsAgreeWithBrowsers replays the origin corpus: strings a policy
// might contain, with what each browser engine's own URL parser made of
// them, recorded in the browser (e2e TestOriginCorpus, make
// record-origins). For every engine recorded:
//
//   - every string that New accepts as an exact origin is one the browser
//     serialises to itself, so a page on that origin sends exactly it;
//   - every replacement New's error suggests is in the corpus, is accepted
//     by New, and is serialised to itself too;
//   - where the browser reads a refused string as a URL with a tuple origin,
//     the suggestion is that very origin: the fix is what the browser
//     would send.
//
// For schemes the URL Standard does not know (app webviews, extensions),
// url.origin is "null", and the tuple an embedder gives such a page is its
// protocol and host; those are compared instead.
func TestOriginsAgreeWithBrowsers(t *testing.T) {
	c, err := origincorpus.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Entries) < 500 || c.Recorded["chromium"] == "" {
		t.Fatalf("the origin corpus has %d entries and engines %v: record it with make record-origins", len(c.Entries), c.Recorded)
	}
	byInput := map[string]origincorpus.Entry{}
	for _, e := range c.Entries {
		byInput[e.Input] = e
	}
	accepted, refused, suggested := 0, 0, 0
	for _, e := range c.Entries {
		_, err := cors.New(cors.Config{AllowedOrigins: []string{e.Input}})
		if err == nil {
			accepted++
			for engine, p := range e.Engines {
				if got := serialised(e.Input, p); got != e.Input {
					t.Errorf("New accepts %q, but %s serialises it as %q (%+v)", e.Input, engine, got, p)
				}
			}
			continue
		}
		refused++
		var fix string
		for _, ce := range cors.ConfigErrors(err) {
			if m := suggestion.FindStringSubmatch(ce.Message); m != nil {
				fix = m[1]
			}
		}
		if fix == "" {
			continue
		}
		suggested++
		fe, ok := byInput[fix]
		if !ok {
			t.Errorf("New(%q) suggests %q, which is not in the corpus: re-record it with make record-origins", e.Input, fix)
			continue
		}
		if _, err := cors.New(cors.Config{AllowedOrigins: []string{fix}}); err != nil {
			t.Errorf("New(%q) suggests %q, which New refuses: %v", e.Input, fix, err)
		}
		for engine, p := range fe.Engines {
			if got := serialised(fix, p); got != fix {
				t.Errorf("New(%q) suggests %q, but %s serialises that as %q", e.Input, fix, engine, got)
			}
		}
		for engine, p := range e.Engines {
			if p.Valid && p.Origin != "null" && p.Origin != fix {
				t.Errorf("New(%q) suggests %q, but %s reads it as the origin %q", e.Input, fix, engine, p.Origin)
			}
		}
	}
	t.Logf("%d strings (engines %v): %d accepted, %d refused, %d of them with a suggestion", len(c.Entries), c.Recorded, accepted, refused, suggested)
}

// serialised returns what a browser that parsed s as p sends as the origin
// of a page at s, or "" if it has none.
func serialised(s string, p origincorpus.Parse) string {
	switch {
	case !p.Valid:
		return ""
	case p.Origin != "null":
		return p.Origin
	case fetch.DefaultPort(strings.TrimSuffix(p.Protocol, ":")) != "" || p.Protocol == "file:":
		return "" // a special scheme whose origin is opaque
	}
	return p.Protocol + "//" + p.Host
}
