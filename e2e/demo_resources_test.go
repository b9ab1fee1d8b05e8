package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/corskit/cors/internal/demo"
)

// demoCell is what the page shows for one load of the second table.
type demoCell struct {
	Outcome string  // "loads", "opaque", "tainted", "blocked" or "error"
	Checker string  // corscheck against the browser: "agrees", "disagrees" or "error"
	URL     string  // the URL loaded
	Detail  string  // what the page saw
	Console string  // corscheck's Chromium console line, for a blocked load
	Here    string  // the demo's own account ("Here: …")
	Font    string  // the font row: the face's status
	Spread  float64 // the font row: width of 8 M minus width of 8 i, in px
}

// TestDemoResources loads the corsdemo page in Chromium, presses "Run all
// loads" under "Beyond fetch" and checks every load, from the route without
// a CORS policy and from the one with: the outcome the table promises (an
// image, a classic script and a stylesheet load but stay opaque; a Web Font,
// a module and import() are blocked without CORS and load with it; an image
// read back from a canvas or WebGL is tainted without crossorigin, CORS
// headers or not, and with crossorigin is readable with CORS and does not
// load without); that corscheck, which the page asks about every load,
// agrees; that the console line the page shows for a blocked load is, word
// for word, the line Chromium printed for that URL, and that Chromium printed
// none for the others; that the font's text visibly changes; and that the API
// received every load, blocked or not.
func TestDemoResources(t *testing.T) {
	ctx := browser(t)
	api, apiURL, clientURL := startDemo(t, "127.0.0.1:0", "localhost", "127.0.0.1:0", "localhost")
	resources := demo.Resources(apiURL)

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	openPage(t, ctx, clientURL+"/")
	if err := chromedp.Do(ctx,
		chromedp.WaitReady(chromedp.CSS(`body[data-resources-ready="true"]`)),
		chromedp.Click(chromedp.ID("run-resources")),
		chromedp.WaitReady(chromedp.CSS(`body[data-resources-done="true"]:not([data-resources-running])`)),
	); err != nil {
		t.Fatalf("Run all loads: %v", err)
	}
	var cells map[string]map[string]demoCell
	if err := evalJSON(ctx, `
// spread is how much wider eight M are than eight i in a font: 0 in a
// monospaced one (the web font), a lot in the serif fallback.
const spread = (family) => {
  const w = (text) => {
    const s = document.createElement("span");
    s.style.cssText = "position:absolute;visibility:hidden;font-size:24px;white-space:pre";
    s.style.fontFamily = family;
    s.textContent = text;
    document.body.append(s);
    const width = s.getBoundingClientRect().width;
    s.remove();
    return width;
  };
  return w("MMMMMMMM") - w("iiiiiiii");
};
const out = {};
for (const row of document.querySelectorAll("tr[data-resource]")) {
  out[row.dataset.resource] = {};
  for (const td of row.querySelectorAll("td[data-route]")) {
    const sp = td.querySelector(".specimen");
    out[row.dataset.resource][td.dataset.route] = {
      Outcome: td.dataset.outcome, Checker: td.dataset.checker, URL: td.dataset.url,
      Detail: td.querySelector("[data-detail]")?.textContent || "",
      Console: td.querySelector("pre[data-console]")?.textContent || "",
      Here: td.querySelector("p.reason")?.textContent || "",
      Font: sp?.dataset.font || "", Spread: sp ? spread(sp.style.fontFamily) : 0,
    };
  }
}
return out;`, &cells); err != nil {
		t.Fatal(err)
	}
	lines, err := waitCORSErrors(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != len(resources) {
		t.Fatalf("the page lists %d resources, want %d", len(cells), len(resources))
	}

	// Written by hand from the rows' purpose, not taken from demo.Resources:
	// what a person must see in each cell.
	wantDetail := map[string]map[string]string{
		"img":         {"plain": "SecurityError", "cors": "SecurityError"},
		"script":      {"plain": "Script error.", "cors": "Script error."},
		"style":       {"plain": "SecurityError", "cors": "SecurityError"},
		"font":        {"plain": "fell back", "cors": "web font"},
		"module":      {"plain": "error event", "cors": "the module ran"},
		"import":      {"plain": "Failed to fetch dynamically imported module", "cors": "the module ran"},
		"canvas":      {"plain": "getImageData threw SecurityError", "cors": "getImageData threw SecurityError"},
		"canvas-cors": {"plain": "error event", "cors": "getImageData read rgba(37, 99, 235, 255)"},
		"webgl":       {"plain": "texImage2D threw SecurityError", "cors": "texImage2D threw SecurityError"},
		"webgl-cors":  {"plain": "error event", "cors": "the texture reads rgba(37, 99, 235, 255)"},
	}
	for _, r := range resources {
		for _, c := range r.Cells {
			t.Run(r.ID+"/"+c.Route, func(t *testing.T) {
				got, ok := cells[r.ID][c.Route]
				if !ok {
					t.Fatal("not on the page")
				}
				if got.Outcome != string(c.Expect) {
					t.Errorf("outcome %q (%s), want %q", got.Outcome, got.Detail, c.Expect)
				}
				if got.Checker != "agrees" {
					t.Errorf("corscheck %q with the browser, want \"agrees\"", got.Checker)
				}
				if want := wantDetail[r.ID][c.Route]; !strings.Contains(got.Detail, want) {
					t.Errorf("the page saw %q, want it to say %q", got.Detail, want)
				}
				if !strings.HasPrefix(got.URL, c.URL+"?run=") {
					t.Errorf("loaded %q, want %s?run=N", got.URL, c.URL)
				}
				var mine []string
				for _, l := range lines {
					if l.URL == got.URL {
						mine = append(mine, l.Text)
					}
				}
				if c.Expect == demo.Blocked {
					if len(mine) != 1 || mine[0] != got.Console {
						t.Errorf("Chromium printed %q for %s; corscheck, on the page, says %q", mine, got.URL, got.Console)
					}
					if got.Here == "" {
						t.Error("no account of the blocked load (Here: …)")
					}
				} else if len(mine) > 0 || got.Console != "" {
					t.Errorf("a load that was not blocked: Chromium printed %q, the page shows %q", mine, got.Console)
				}
				// The server answered every load, blocked or not: CORS
				// decides what the page may use, not what the server does.
				n := 0
				for _, q := range api.requests(strings.TrimPrefix(c.URL, apiURL)) {
					if q.Header.Get("User-Agent") != "corscheck" {
						n++
					}
				}
				if n == 0 {
					t.Errorf("the API received no request from the browser for %s", c.URL)
				}
			})
		}
	}

	// The font row: the text is visibly in another font with CORS.
	plain, withCORS := cells["font"]["plain"], cells["font"]["cors"]
	if plain.Font != "error" || withCORS.Font != "loaded" {
		t.Errorf("font faces: %q without CORS, %q with; want error and loaded", plain.Font, withCORS.Font)
	}
	// In the monospaced web font "MMMMMMMM" and "iiiiiiii" are as wide; in
	// the serif fallback the Ms are far wider.
	if withCORS.Spread != 0 || plain.Spread < 50 {
		t.Errorf("eight M are %.0f px wider than eight i in the fallback and %.0f px in the web font; want a wide gap, then none", plain.Spread, withCORS.Spread)
	}

	// A screenshot of the table, in the test's directory and, if
	// CORSDEMO_RESOURCES_SCREENSHOT is set, there.
	if err := evalJSON(ctx, `document.activeElement && document.activeElement.blur(); document.querySelector("#resources").scrollIntoView();`, nil); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.ID("resources")))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	paths := []string{filepath.Join(t.TempDir(), "resources.png")}
	if p := os.Getenv("CORSDEMO_RESOURCES_SCREENSHOT"); p != "" {
		paths = append(paths, p)
	}
	for _, p := range paths {
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshot: %s (%d KB)", paths[len(paths)-1], len(png)/1024)
}
