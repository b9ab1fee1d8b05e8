package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"github.com/corskit/cors/internal/fetch"
	"github.com/corskit/cors/internal/origin"
	"github.com/corskit/cors/internal/origincorpus"
)

// TestOriginCorpus runs every string of the origin corpus (package
// origincorpus) through each engine's own URL parser, new URL(s), and
// compares the result with the committed recording, so that a browser that
// changes how it serialises origins fails here rather than silently in the
// root package's replay. With CORSKIT_RECORD=origins (make record-origins)
// it writes the recording instead, adding every replacement corskit
// suggests for a refused pattern, so that the replay can check those too.
func TestOriginCorpus(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engineName) {
		ctx := openTab(t, e)
		page := newPageServer(t)
		openPage(t, ctx, page.URL)

		record := os.Getenv("CORSKIT_RECORD") == "origins"
		var inputs []string
		if record {
			inputs = withSuggestions(origincorpus.Inputs())
		} else {
			c, err := origincorpus.Load()
			if err != nil {
				t.Fatal(err)
			}
			for _, en := range c.Entries {
				inputs = append(inputs, en.Input)
			}
			if len(inputs) == 0 {
				t.Fatal("the origin corpus is empty: record it with make record-origins")
			}
		}
		js, err := json.Marshal(inputs)
		if err != nil {
			t.Fatal(err)
		}
		var parses []origincorpus.Parse
		if err := evalJSON(ctx, "const inputs = "+string(js)+";\n"+origincorpus.Script, &parses); err != nil {
			t.Fatal(err)
		}
		if len(parses) != len(inputs) {
			t.Fatalf("%d answers for %d inputs", len(parses), len(inputs))
		}
		version := engineVersion(t, ctx, e)

		if record {
			writeOriginCorpus(t, string(e), version, inputs, parses)
			return
		}
		c, _ := origincorpus.Load()
		t.Logf("%d strings; recorded with %s, now %s", len(inputs), c.Recorded[string(e)], version)
		for i, en := range c.Entries {
			if want, ok := en.Engines[string(e)]; !ok || parses[i] != want {
				t.Errorf("new URL(%q): %s now says %+v, the recording %+v (re-record with make record-origins if the browser changed)", en.Input, e, parses[i], want)
			}
		}
	})
}

// engineVersion names the engine of the tab ctx and its version, for the
// recording: Chromium's product string from DevTools, otherwise the
// browser's token in its user agent.
func engineVersion(t *testing.T, ctx context.Context, e engineName) string {
	if e == chromium {
		v, err := chromedp.CallBrowser(ctx, cdpbrowser.GetVersion, cdp.Empty{})
		if err != nil {
			t.Fatal(err)
		}
		return v.Product
	}
	var ua string
	if err := evalJSON(ctx, "return navigator.userAgent", &ua); err != nil {
		t.Fatal(err)
	}
	token := map[engineName]string{firefox: `Firefox/[0-9.]+`, webkit: `AppleWebKit/[0-9.]+`}[e]
	return regexp.MustCompile(token).FindString(ua)
}

// withSuggestions returns inputs followed by every replacement that
// corskit's pattern parser suggests for one of them, and for those in turn.
func withSuggestions(inputs []string) []string {
	seen := map[string]bool{}
	for _, s := range inputs {
		seen[s] = true
	}
	for i := 0; i < len(inputs); i++ {
		_, err := origin.Parse(inputs[i])
		var oe *fetch.OriginError
		if errors.As(err, &oe) && oe.Instead != "" && !seen[oe.Instead] {
			seen[oe.Instead] = true
			inputs = append(inputs, oe.Instead)
		}
	}
	return inputs
}

// writeOriginCorpus stores engine's answers in the corpus file, keeping
// what other engines recorded for the same inputs (read from the file, not
// the embedded copy, so that recording several engines in one run keeps
// them all).
func writeOriginCorpus(t *testing.T, engine, version string, inputs []string, parses []origincorpus.Parse) {
	path := filepath.Join("..", origincorpus.File)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	old, err := origincorpus.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	prev := map[string]map[string]origincorpus.Parse{}
	for _, e := range old.Entries {
		prev[e.Input] = e.Engines
	}
	c := origincorpus.Corpus{Recorded: old.Recorded}
	if c.Recorded == nil {
		c.Recorded = map[string]string{}
	}
	c.Recorded[engine] = version
	for i, in := range inputs {
		engines := map[string]origincorpus.Parse{}
		for k, v := range prev[in] {
			engines[k] = v
		}
		engines[engine] = parses[i]
		c.Entries = append(c.Entries, origincorpus.Entry{Input: in, Engines: engines})
	}
	out, err := json.MarshalIndent(c, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d strings with %s into %s", len(inputs), version, path)
}
