package demo

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/corskit/cors/check"
)

// The outcomes of a resource load (see Resource), besides Blocked: the
// element did not load it.
const (
	// Loads: the element uses the response and the page may read it: the
	// font renders, the module runs, the canvas stays readable, WebGL
	// takes the texture.
	Loads Outcome = "loads"
	// Opaque: a no-cors load. The element shows or runs the response, but
	// the page cannot read it (the image taints a canvas, the script's
	// errors are muted, the stylesheet's rules cannot be read).
	Opaque Outcome = "opaque"
	// Tainted: an image drawn without crossorigin; reading it back
	// (getImageData, texImage2D) throws a SecurityError.
	Tainted Outcome = "tainted"
)

// How the page loads a resource (Resource.Load).
const (
	LoadImage  = "img"    // <img src>
	LoadScript = "script" // <script src>
	LoadStyle  = "style"  // <link rel=stylesheet>
	LoadFont   = "font"   // @font-face, then document.fonts.load
	LoadModule = "module" // <script type=module src>
	LoadImport = "import" // import(url)
	LoadCanvas = "canvas" // <img>, drawImage into a 2D canvas, getImageData
	LoadWebGL  = "webgl"  // <img>, texImage2D into a WebGL texture
)

// The routes of a resource's two cells.
const (
	RoutePlain = "plain" // PathAssetsPlain: no CORS policy
	RouteCORS  = "cors"  // PathAssetsCORS: AssetPolicy
)

// A Resource is one row of the page's second table: something the page loads
// from the API origin with an element or @font-face, as the article lists
// them — images, scripts, styles, Web Fonts, ES modules, canvas and WebGL
// images — once from a route without a CORS policy and once from a route
// with one.
type Resource struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	// Load is how the page loads it (LoadImage, LoadFont, …).
	Load string `json:"load"`
	// File is the asset (AssetImage, …); CrossOrigin the element's
	// crossorigin attribute.
	File        string            `json:"file"`
	CrossOrigin check.CrossOrigin `json:"crossOrigin,omitempty"`
	// Markup is what the page does, as the row shows it.
	Markup string `json:"markup"`
	// Shows says, in a sentence, what the row demonstrates.
	Shows string `json:"shows"`
	// Cells are the load without a policy (RoutePlain), then with one
	// (RouteCORS).
	Cells []ResourceCell `json:"cells"`
}

// A ResourceCell is one load of a Resource, from one route.
type ResourceCell struct {
	Route string `json:"route"` // RoutePlain or RouteCORS
	// URL is the asset's URL; the page adds "?run=N" to load it afresh.
	URL    string  `json:"url"`
	Expect Outcome `json:"expect"`
	// Why explains any outcome but Loads: what happened and the fix.
	Why *Explanation `json:"why,omitempty"`
}

// CheckRequest returns the check.Request that describes the load of url
// from a page on origin: the destination, crossorigin attribute and module
// flag of r's element.
func (r Resource) CheckRequest(url, origin string) check.Request {
	req := check.Request{URL: url, Origin: origin, CrossOrigin: r.CrossOrigin}
	switch r.Load {
	case LoadFont:
		req.Destination = check.DestinationFont
	case LoadModule, LoadImport:
		req.Destination, req.Module = check.DestinationScript, true
	case LoadScript:
		req.Destination = check.DestinationScript
	case LoadStyle:
		req.Destination = check.DestinationStyle
	default: // LoadImage, LoadCanvas, LoadWebGL
		req.Destination = check.DestinationImage
	}
	return req
}

// Predicted is the outcome the checker's verdict res means for r's load: a
// blocked load, an opaque one (which, read back from a canvas or WebGL, is a
// tainted one), or one the page may use.
func (r Resource) Predicted(res *check.Result) Outcome {
	switch {
	case !res.Allowed:
		return Blocked
	case res.Opaque && (r.Load == LoadCanvas || r.Load == LoadWebGL):
		return Tainted
	case res.Opaque:
		return Opaque
	}
	return Loads
}

// assetFix is the change on the server that gives an asset route a CORS
// policy, in Go.
const assetFix = `assets, _ := cors.New(cors.Config{AllowedOrigins: []string{"*"}})
mux.Handle("/assets/cors/", assets.Handler(files))`

// Resources returns the rows of the page's second table for the API at
// apiURL, in the order the page lists them.
func Resources(apiURL string) []Resource {
	apiURL = strings.TrimSuffix(apiURL, "/")
	opaque := func(what, effect string) *Explanation {
		return &Explanation{
			Reason: "Without a crossorigin attribute " + what + " is a no-cors request: the browser sends no Origin, checks no CORS header, and uses whatever comes back, from either route. The page cannot read it: " + effect,
			Fix:    "Nothing, to show or run it. To read it, add crossorigin=\"anonymous\" and serve it with a CORS policy: see the canvas rows.",
		}
	}
	blockedPlain := func(what, effect string) *Explanation {
		return &Explanation{
			Reason: PathAssetsPlain + " has no CORS policy, and " + what + " is always a CORS request: the server sent the file (see the terminal), but the browser refused it. " + effect,
			Fix:    "Serve it through a CORS policy, as " + PathAssetsCORS + " does: public assets may allow every origin.",
			Code:   assetFix,
		}
	}
	tainted := &Explanation{
		Reason: "Without crossorigin the <img> is a no-cors request, even from " + PathAssetsCORS + ", whose Access-Control-Allow-Origin: * the browser never asked for. The image draws, but it is opaque: reading it back throws a SecurityError.",
		Fix:    "Ask for CORS on the element, and serve the image with a CORS policy (the next row).",
		Code:   `img.crossOrigin = "anonymous"; // <img crossorigin="anonymous">`,
	}
	noImage := blockedPlain("an <img> with crossorigin=\"anonymous\"", "The image does not load at all: its error event fires, and there is nothing to draw.")
	rows := []Resource{
		{
			ID: "img", Label: "Image", Load: LoadImage, File: AssetImage,
			Markup: `<img src="…/image.png">`,
			Shows:  "The article's \"loading images always works\": no crossorigin, no CORS check.",
			Cells:  cells(Opaque, Opaque, opaque("an <img>", "it shows, but drawn into a canvas it taints it (next rows)."), nil),
		},
		{
			ID: "script", Label: "Classic script", Load: LoadScript, File: AssetScript,
			Markup: `<script src="…/classic.js">`,
			Shows:  "A classic script runs from any origin; the page sees its errors only as \"Script error.\".",
			Cells:  cells(Opaque, Opaque, opaque("a <script>", "it runs, but its errors reach window.onerror as \"Script error.\", without message or line."), nil),
		},
		{
			ID: "style", Label: "Stylesheet", Load: LoadStyle, File: AssetStyle,
			Markup: `<link rel="stylesheet" href="…/style.css">`,
			Shows:  "A stylesheet applies from any origin; its rules stay unreadable to the page.",
			Cells:  cells(Opaque, Opaque, opaque("a stylesheet", "it applies, but reading sheet.cssRules throws a SecurityError."), nil),
		},
		{
			ID: "font", Label: "Web Font", Load: LoadFont, File: AssetFont,
			Markup: `@font-face { font-family: …; src: url("…/webfont.woff2") }`,
			Shows:  "@font-face always fetches with CORS: without it the text falls back to the page's serif.",
			Cells:  cells(Blocked, Loads, blockedPlain("a font from @font-face", "The text falls back to the next font in font-family."), nil),
		},
		{
			ID: "module", Label: "ES module", Load: LoadModule, File: AssetModule,
			Markup: `<script type="module" src="…/module.js">`,
			Shows:  "Modules are always fetched with CORS.",
			Cells:  cells(Blocked, Loads, blockedPlain("an ES module", "The module does not run, nor would any module that imports it."), nil),
		},
		{
			ID: "import", Label: "Dynamic import()", Load: LoadImport, File: AssetModule,
			Markup: `await import("…/module.js")`,
			Shows:  "import() is a module load too: it rejects without CORS.",
			Cells:  cells(Blocked, Loads, blockedPlain("import()", "The promise rejects with \"TypeError: Failed to fetch dynamically imported module\"."), nil),
		},
		{
			ID: "canvas", Label: "Canvas, no crossorigin", Load: LoadCanvas, File: AssetImage,
			Markup: `<img src>, drawImage(img), getImageData()`,
			Shows:  "The image draws, but the canvas is tainted, even when the server sends CORS headers.",
			Cells:  cells(Tainted, Tainted, tainted, tainted),
		},
		{
			ID: "canvas-cors", Label: "Canvas, crossorigin", Load: LoadCanvas, File: AssetImage, CrossOrigin: check.CrossOriginAnonymous,
			Markup: `<img crossorigin="anonymous" src>, drawImage(img), getImageData()`,
			Shows:  "With crossorigin and a CORS answer the page reads the pixels; without the answer the image does not load.",
			Cells:  cells(Blocked, Loads, noImage, nil),
		},
		{
			ID: "webgl", Label: "WebGL texture, no crossorigin", Load: LoadWebGL, File: AssetImage,
			Markup: `<img src>, gl.texImage2D(…, img)`,
			Shows:  "WebGL refuses an opaque image as a texture, CORS headers or not.",
			Cells:  cells(Tainted, Tainted, tainted, tainted),
		},
		{
			ID: "webgl-cors", Label: "WebGL texture, crossorigin", Load: LoadWebGL, File: AssetImage, CrossOrigin: check.CrossOriginAnonymous,
			Markup: `<img crossorigin="anonymous" src>, gl.texImage2D(…, img)`,
			Shows:  "With crossorigin and a CORS answer WebGL takes the texture.",
			Cells:  cells(Blocked, Loads, noImage, nil),
		},
	}
	for i := range rows {
		r := &rows[i]
		r.Cells[0].URL = apiURL + PathAssetsPlain + r.File
		r.Cells[1].URL = apiURL + PathAssetsCORS + r.File
	}
	return rows
}

// cells returns a resource's two cells: without a policy, then with one.
func cells(plain, withCORS Outcome, whyPlain, whyCORS *Explanation) []ResourceCell {
	if withCORS == Opaque && whyCORS == nil {
		whyCORS = whyPlain
	}
	return []ResourceCell{
		{Route: RoutePlain, Expect: plain, Why: whyPlain},
		{Route: RouteCORS, Expect: withCORS, Why: whyCORS},
	}
}

// ResourcesPage is what /resources.json serves.
type ResourcesPage struct {
	API       string     `json:"api"`
	Origin    string     `json:"origin"`
	Resources []Resource `json:"resources"`
}

// ExplainedResource is what /explain-resource serves for one cell: the
// checker's verdict on the same load, from the page's origin, against the
// live API, and the outcome it means.
type ExplainedResource struct {
	Resource string        `json:"resource"`
	Route    string        `json:"route"`
	URL      string        `json:"url"`
	Outcome  Outcome       `json:"outcome"`
	Result   *check.Result `json:"result"`
}

// registerResources adds the page's second table to the client origin's mux:
// its script and style, /resources.json, and /explain-resource?id=ID&route=
// plain|cors&run=N, which runs the checker on the load of that cell's URL
// with "?run=N", as the page loaded it.
func registerResources(mux *http.ServeMux, files http.Handler, apiURL string, client *http.Client) {
	apiURL = strings.TrimSuffix(apiURL, "/")
	mux.Handle("GET /resources.js", files)
	mux.Handle("GET /resources.css", files)
	mux.HandleFunc("GET /resources.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, ResourcesPage{API: apiURL, Origin: "http://" + r.Host, Resources: Resources(apiURL)})
	})
	mux.HandleFunc("GET /explain-resource", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		q := r.URL.Query()
		id, route, run := q.Get("id"), q.Get("route"), q.Get("run")
		var res *Resource
		for _, c := range Resources(apiURL) {
			if c.ID == id {
				res = &c
				break
			}
		}
		cell := -1
		if res != nil {
			for i, c := range res.Cells {
				if c.Route == route {
					cell = i
				}
			}
		}
		if cell < 0 || run == "" || len(run) > 32 || strings.Trim(run, "0123456789") != "" {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no resource " + strconv.Quote(id) + " with route " + strconv.Quote(route) + " and a numeric run"})
			return
		}
		url := res.Cells[cell].URL + "?run=" + run
		origin := "http://" + r.Host
		ctx, cancel := context.WithTimeout(r.Context(), ExplainTimeout)
		defer cancel()
		result, err := check.Explain(ctx, client, res.CheckRequest(url, origin))
		if err != nil {
			status := http.StatusBadGateway
			var ie *check.InputError
			if errors.As(err, &ie) {
				status = http.StatusBadRequest
			}
			writeJSON(w, status, map[string]string{"error": "corscheck: " + err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, ExplainedResource{Resource: id, Route: route, URL: url, Outcome: res.Predicted(result), Result: result})
	})
}
