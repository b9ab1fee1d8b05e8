package cors_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing/fstest"

	"github.com/corskit/cors"
)

// Example_staticAssets serves fonts, ES modules and images for canvas to
// pages on any origin. A font from @font-face and a module are CORS requests
// (with Origin); an <img> without crossorigin is a no-cors request (without
// Origin). With "*", both get the same answer, with nothing to vary on, so
// a cache or CDN can keep one copy for everyone.
func Example_staticAssets() {
	files := fstest.MapFS{
		"fonts/brand.woff2": {Data: []byte("wOF2…")},
		"js/app.mjs":        {Data: []byte("export const x = 1;\n")},
		"img/logo.png":      {Data: []byte("\x89PNG…")},
	}
	assets, err := cors.New(cors.Config{AllowedOrigins: []string{"*"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/static/", assets.Handler(http.StripPrefix("/static/", http.FileServerFS(files))))

	get := func(path, origin string) {
		r := httptest.NewRequest(http.MethodGet, "https://api.example.com"+path, nil)
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Printf("%s: %d, Access-Control-Allow-Origin %q, Vary %q\n", path, w.Code,
			w.Header().Get("Access-Control-Allow-Origin"), w.Header().Get("Vary"))
	}
	// @font-face { src: url(https://api.example.com/static/fonts/brand.woff2) }
	// and <script type="module" src="…/js/app.mjs"> on https://app.example.com:
	get("/static/fonts/brand.woff2", "https://app.example.com")
	get("/static/js/app.mjs", "https://app.example.com")
	// <img src="…/img/logo.png"> without crossorigin, from any page: no
	// Origin, and the same answer.
	get("/static/img/logo.png", "")
	// Output:
	// /static/fonts/brand.woff2: 200, Access-Control-Allow-Origin "*", Vary ""
	// /static/js/app.mjs: 200, Access-Control-Allow-Origin "*", Vary ""
	// /static/img/logo.png: 200, Access-Control-Allow-Origin "*", Vary ""
}
