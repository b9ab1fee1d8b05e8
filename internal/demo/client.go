package demo

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var static embed.FS

// Page is what /calls.json serves: where the API is, the page's own origin,
// and the calls to make.
type Page struct {
	API    string `json:"api"`
	Origin string `json:"origin"`
	Calls  []Call `json:"calls"`
}

// NewClient returns the client origin's handler: the demo page (/, app.js,
// app.css, all embedded) and /calls.json, from which the page learns the
// API's URL, apiURL (e.g. "http://localhost:3000"), and the calls to make.
// The page's origin in the explanations is taken from the request's Host,
// so it is the origin the browser actually uses.
func NewClient(apiURL string) http.Handler {
	apiURL = strings.TrimSuffix(apiURL, "/")
	files, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // unreachable: the directory is embedded
	}
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", http.FileServerFS(files))
	mux.Handle("GET /app.js", http.FileServerFS(files))
	mux.Handle("GET /app.css", http.FileServerFS(files))
	mux.HandleFunc("GET /calls.json", func(w http.ResponseWriter, r *http.Request) {
		origin := "http://" + r.Host
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, Page{API: apiURL, Origin: origin, Calls: Calls(apiURL, origin)})
	})
	return noCache(mux)
}

// noCache keeps browsers from holding on to an old page after a rebuild.
func noCache(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		next.ServeHTTP(w, r)
	})
}
