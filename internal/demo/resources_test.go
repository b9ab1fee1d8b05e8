package demo_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/corskit/cors/check"
	"github.com/corskit/cors/internal/demo"
)

// TestAssets: the API serves every asset from both routes, with its type and
// no-store; only the policy route adds CORS headers, and a fixed "*" needs no
// Vary.
func TestAssets(t *testing.T) {
	api, err := demo.NewAPI("http://localhost:8080", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	defer srv.Close()
	// Written by hand: the type each file needs for the browser to use it
	// (a module must be JavaScript, a font's type is not checked).
	types := map[string]string{
		demo.AssetFont:   "font/woff2",
		demo.AssetModule: "text/javascript; charset=utf-8",
		demo.AssetScript: "text/javascript; charset=utf-8",
		demo.AssetStyle:  "text/css; charset=utf-8",
		demo.AssetImage:  "image/png",
	}
	// The first bytes of each file, as its format requires.
	magic := map[string]string{demo.AssetFont: "wOF2", demo.AssetImage: "\x89PNG", demo.AssetModule: "// An ES module", demo.AssetScript: "// A classic script", demo.AssetStyle: "/* A stylesheet"}
	for name, ct := range types {
		for _, route := range []string{demo.PathAssetsPlain, demo.PathAssetsCORS} {
			t.Run(route+name, func(t *testing.T) {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+route+name+"?run=1", nil)
				req.Header.Set("Origin", "http://localhost:8080")
				res, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				body, _ := io.ReadAll(res.Body)
				if res.StatusCode != 200 || res.Header.Get("Content-Type") != ct || res.Header.Get("Cache-Control") != "no-store" {
					t.Errorf("%d, Content-Type %q, Cache-Control %q; want 200, %q, no-store", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"), ct)
				}
				if !bytes.HasPrefix(body, []byte(magic[name])) {
					t.Errorf("body starts %q, want %q", body[:min(len(body), 16)], magic[name])
				}
				var want http.Header
				if route == demo.PathAssetsCORS {
					want = http.Header{"Access-Control-Allow-Origin": {"*"}}
				}
				if got := check.CORSHeaders(res.Header); !headersEqual(got, want) {
					t.Errorf("CORS headers %v, want %v", got, want)
				}
			})
		}
	}
	for _, path := range []string{demo.PathAssetsPlain + "nope.js", demo.PathAssetsCORS + "main.go", demo.PathAssetsPlain} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, res.StatusCode)
		}
	}
	// The image's top-left pixel is the colour the page reads back.
	res, err := http.Get(srv.URL + demo.PathAssetsPlain + demo.AssetImage)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	img, err := png.Decode(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if r, g, b, a := img.At(0, 0).RGBA(); r>>8 != 37 || g>>8 != 99 || b>>8 != 235 || a>>8 != 255 {
		t.Errorf("top-left pixel %d %d %d %d, want 37 99 235 255", r>>8, g>>8, b>>8, a>>8)
	}
}

func headersEqual(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, "\n") != strings.Join(b[k], "\n") {
			return false
		}
	}
	return true
}

// resourceWants is what the checker must predict for each load, written by
// hand from the two routes' policies and the elements' modes.
var resourceWants = map[string][2]demo.Outcome{
	"img":         {demo.Opaque, demo.Opaque},
	"script":      {demo.Opaque, demo.Opaque},
	"style":       {demo.Opaque, demo.Opaque},
	"font":        {demo.Blocked, demo.Loads},
	"module":      {demo.Blocked, demo.Loads},
	"import":      {demo.Blocked, demo.Loads},
	"canvas":      {demo.Tainted, demo.Tainted},
	"canvas-cors": {demo.Blocked, demo.Loads},
	"webgl":       {demo.Tainted, demo.Tainted},
	"webgl-cors":  {demo.Blocked, demo.Loads},
}

// TestExplainResource: for every cell of the second table, the checker, run
// by the client origin's /explain-resource against the live API, predicts
// the outcome the table promises, with Chromium's console line for the
// blocked ones.
func TestExplainResource(t *testing.T) {
	apiURL, clientURL, _ := startExplainDemo(t)
	resources := demo.Resources(apiURL)
	if len(resources) != len(resourceWants) {
		t.Errorf("%d resources, %d expectations", len(resources), len(resourceWants))
	}
	for _, r := range resources {
		want, ok := resourceWants[r.ID]
		if !ok {
			t.Errorf("no expectation for %q", r.ID)
			continue
		}
		for i, c := range r.Cells {
			t.Run(r.ID+"/"+c.Route, func(t *testing.T) {
				if c.Expect != want[i] {
					t.Fatalf("the table says %s, resourceWants %s", c.Expect, want[i])
				}
				if (c.Why == nil) != (c.Expect == demo.Loads) {
					t.Errorf("outcome %s with explanation %v: every outcome but loads needs one", c.Expect, c.Why)
				}
				res, err := http.Get(clientURL + "/explain-resource?id=" + r.ID + "&route=" + c.Route + "&run=42")
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" {
					t.Fatalf("status %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
				}
				var got demo.ExplainedResource
				if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
					t.Fatal(err)
				}
				if got.Outcome != want[i] || got.URL != c.URL+"?run=42" {
					t.Errorf("predicted %s for %s, want %s for %s?run=42", got.Outcome, got.URL, want[i], c.URL)
				}
				msg := ""
				if want[i] == demo.Blocked {
					kind := map[string]string{demo.LoadFont: "font", demo.LoadModule: "script", demo.LoadImport: "script", demo.LoadCanvas: "image", demo.LoadWebGL: "image"}[r.Load]
					msg = "Access to " + kind + " at '" + c.URL + "?run=42' from origin '" + clientURL + "' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."
				}
				if got.Result.Message != msg {
					t.Errorf("console line %q, want %q", got.Result.Message, msg)
				}
			})
		}
	}
	// What the endpoint refuses: it is no open proxy.
	for _, q := range []string{"id=font&route=plain", "id=font&route=plain&run=1x", "id=font&route=elsewhere&run=1", "id=nope&route=plain&run=1", "id=font&route=plain&run=" + strings.Repeat("1", 40)} {
		res, err := http.Get(clientURL + "/explain-resource?" + q)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("/explain-resource?%s: %d, want 404", q, res.StatusCode)
		}
	}
}

// TestResourcesPage: the client origin serves the second table's script,
// style and data, and the page names them.
func TestResourcesPage(t *testing.T) {
	const api = "http://localhost:3000"
	srv := httptest.NewServer(demo.NewClient(api, "http://localhost:8080"))
	defer srv.Close()
	for path, want := range map[string]string{
		"/":               `id="run-resources"`,
		"/resources.js":   "explain-resource",
		"/resources.css":  ".specimen",
		"/resources.json": `"url":"` + api + demo.PathAssetsPlain + demo.AssetFont + `"`,
	} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, body lacks %q", path, res.StatusCode, want)
		}
		if strings.Contains(string(body), "https://") {
			t.Errorf("%s refers to an external URL", path)
		}
	}
}
