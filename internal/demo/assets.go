package demo

import (
	"bytes"
	"embed"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"path"
	"sync"

	"github.com/corskit/cors"
)

// The API's static assets: what the page loads with elements and @font-face
// rather than with fetch(), once without a CORS policy and once with one.
const (
	// PathAssetsPlain serves the assets without a CORS policy.
	PathAssetsPlain = "/assets/plain/"
	// PathAssetsCORS serves the same assets through AssetPolicy.
	PathAssetsCORS = "/assets/cors/"
)

// The asset files, by the name that ends their URL.
const (
	AssetFont   = "webfont.woff2" // DejaVu Sans Mono Bold, printable ASCII (assets/LICENSE-webfont.txt)
	AssetModule = "module.js"     // an ES module
	AssetScript = "classic.js"    // a classic script
	AssetStyle  = "style.css"     // a stylesheet
	AssetImage  = "image.png"     // a 16×16 image, ImageColor at the top left
)

//go:embed assets/webfont.woff2 assets/module.js assets/classic.js assets/style.css
var assetFiles embed.FS

// ImageColor is the colour of the top-left pixel of AssetImage: what a page
// reads back with getImageData when the image is not opaque to it.
var ImageColor = color.RGBA{R: 37, G: 99, B: 235, A: 255}

// imagePNG draws AssetImage once: ImageColor above the diagonal, green
// below it.
var imagePNG = sync.OnceValue(func() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	green := color.RGBA{R: 17, G: 115, B: 58, A: 255}
	for y := range 16 {
		for x := range 16 {
			c := ImageColor
			if y > x {
				c = green
			}
			img.SetRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // unreachable: an in-memory RGBA image always encodes
	}
	return b.Bytes()
})

var assetTypes = map[string]string{
	AssetFont:   "font/woff2",
	AssetModule: "text/javascript; charset=utf-8",
	AssetScript: "text/javascript; charset=utf-8",
	AssetStyle:  "text/css; charset=utf-8",
	AssetImage:  "image/png",
}

// Assets returns the handler that serves the asset named by the last element
// of the request's path, so that it can sit under any prefix, with its
// Content-Type and Cache-Control: no-store (each run of the page loads it
// afresh, and the terminal logs every load). GET and HEAD only.
func Assets() http.Handler {
	return methods{http.MethodGet: func(w http.ResponseWriter, r *http.Request) {
		name := path.Base(r.URL.Path)
		ct, ok := assetTypes[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		body := imagePNG()
		if name != AssetImage {
			var err error
			if body, err = assetFiles.ReadFile("assets/" + name); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError) // unreachable: the files are embedded
				return
			}
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(body)
	}}
}

// AssetPolicy returns the CORS policy of PathAssetsCORS, the one the
// package documentation of cors recommends for public static assets: any
// origin, no credentials (fonts, modules and images with
// crossorigin="anonymous" are requested without them), and no more methods
// than GET, HEAD and POST, which need no listing. A fixed "*" also needs no
// Vary: Origin, so one cached copy serves every page.
func AssetPolicy() *cors.Middleware {
	m, err := cors.New(cors.Config{AllowedOrigins: []string{"*"}})
	if err != nil {
		panic(err) // unreachable: the policy is valid
	}
	return m
}

// registerAssets adds the asset routes to the API's mux.
func registerAssets(mux *http.ServeMux) {
	mux.Handle(PathAssetsPlain, Assets())
	mux.Handle(PathAssetsCORS, AssetPolicy().Handler(Assets()))
}
