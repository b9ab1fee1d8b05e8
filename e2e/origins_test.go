package e2e

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"github.com/corskit/cors/internal/fetch"
	"github.com/corskit/cors/internal/origin"
	"github.com/corskit/cors/internal/origincorpus"
)

// TestOriginCorpus runs every string of the origin corpus (package
// origincorpus) through Chromium's own URL parser, new URL(s), and compares
// the result with the committed recording, so that a browser that changes
// how it serialises origins fails here rather than silently in the root
// package's replay. With CORSKIT_RECORD=origins (make record-origins) it
// writes the recording instead, adding every replacement corskit suggests
// for a refused pattern, so that the replay can check those too.
func TestOriginCorpus(t *testing.T) {
	ctx := browser(t)
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
		for _, e := range c.Entries {
			inputs = append(inputs, e.Input)
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
	v, err := chromedp.CallBrowser(ctx, cdpbrowser.GetVersion, cdp.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	version := v.Product

	if record {
		writeOriginCorpus(t, "chromium", version, inputs, parses)
		return
	}
	c, _ := origincorpus.Load()
	t.Logf("%d strings; recorded with %s, now %s", len(inputs), c.Recorded["chromium"], version)
	for i, e := range c.Entries {
		if want, ok := e.Engines["chromium"]; !ok || parses[i] != want {
			t.Errorf("new URL(%q): Chromium now says %+v, the recording %+v (re-record with make record-origins if the browser changed)", e.Input, parses[i], want)
		}
	}
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

// writeOriginCorpus stores engine's answers in the committed corpus,
// keeping what other engines recorded for the same inputs.
func writeOriginCorpus(t *testing.T, engine, version string, inputs []string, parses []origincorpus.Parse) {
	old, err := origincorpus.Load()
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
	b, err := json.MarshalIndent(c, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", origincorpus.File)
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d strings with %s into %s", len(inputs), version, path)
}
