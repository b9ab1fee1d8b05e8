package demo

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/corskit/cors/check"
)

//go:embed static
var static embed.FS

// Page is what /calls.json serves: where the API is, the page's own origin,
// the client origin the API trusts (the page shows a banner linking to it
// when the two differ), and the calls to make.
type Page struct {
	API     string `json:"api"`
	Origin  string `json:"origin"`
	Trusted string `json:"trusted"`
	Calls   []Call `json:"calls"`
}

// Explained is what /explain serves for one call: the checker's Result for
// the call made with fetch() and with XMLHttpRequest, from the page's
// origin, against the live API, as Browser does it (the page says which
// browser it runs in: /explain?call=ID&browser=firefox). For a blocked
// call each carries the reason (named after Chromium's CorsError), the
// console lines that browser prints for that API, an explanation and the
// fix.
type Explained struct {
	Call    string        `json:"call"`
	Origin  string        `json:"origin"`
	Browser check.Browser `json:"browser"`
	Fetch   *check.Result `json:"fetch"`
	XHR     *check.Result `json:"xhr"`
}

// ExplainTimeout bounds the checker's work for one /explain request (both
// APIs, every preflight and actual request).
const ExplainTimeout = 5 * time.Second

// NewClient returns the client origin's handler: the demo page (/, app.js,
// app.css, all embedded), /calls.json, from which the page learns the API's
// URL, apiURL (e.g. "http://localhost:3000"), the origin the API trusts,
// trusted (the one NewAPI was given, e.g. "http://localhost:8080"), and the
// calls to make, and /explain?call=ID&browser=B, which runs the checker
// (check.Explain) on one call against the API, as browser B (chromium, the
// default, firefox or safari) does it, and serves an Explained. The page
// detects B from its user agent (see app.js, detectBrowser). The
// page's origin is taken from the request's Host, so it is the origin the
// browser actually uses: opened as http://127.0.0.1:8080 while the API
// trusts http://localhost:8080, the page says so, and so do the calls'
// expectations (see Calls).
//
// /explain probes the live API each time, so what the page shows is what
// the API answers now, not a recorded answer. The checker runs with an
// http.Client that has no cookie jar (nothing it receives is sent again, and
// nothing leaks from one call to the next; preflights never carry cookies
// anyway) and with SendActual set (see Call.CheckRequest): its requests
// reach the API, which logs them with by=corscheck.
func NewClient(apiURL, trusted string) http.Handler {
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
		writeJSON(w, http.StatusOK, Page{API: apiURL, Origin: origin, Trusted: trusted, Calls: Calls(apiURL, trusted, origin)})
	})
	mux.Handle("GET /explain", explainer{apiURL: apiURL, trusted: trusted, client: checkerClient()})
	registerResources(mux, http.FileServerFS(files), apiURL, checkerClient())
	registerLNA(mux, http.FileServerFS(files), apiURL, checkerClient()) // lna.go
	return noCache(mux)
}

// checkerClient returns the http.Client the checker uses: no cookie jar, no
// proxy (the API is on this machine), and the ExplainTimeout per request.
func checkerClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	return &http.Client{Transport: t, Timeout: ExplainTimeout}
}

type explainer struct {
	apiURL, trusted string
	client          *http.Client
}

func (e explainer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	origin := "http://" + r.Host
	id := r.URL.Query().Get("call")
	var call *Call
	for _, c := range Calls(e.apiURL, e.trusted, origin) {
		if c.ID == id {
			call = &c
			break
		}
	}
	if call == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no call " + strconv.Quote(id)})
		return
	}
	browser, err := check.ParseBrowser(r.URL.Query().Get("browser"))
	if err != nil || browser == check.AllBrowsers {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "browser=" + r.URL.Query().Get("browser") + ": write chromium, firefox or safari"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), ExplainTimeout)
	defer cancel()
	out := Explained{Call: call.ID, Origin: origin, Browser: browser}
	for _, api := range []check.Initiator{check.Fetch, check.XHR} {
		req := call.CheckRequest(origin, api)
		req.Browser = browser
		res, err := check.Explain(ctx, e.client, req)
		if err != nil {
			status := http.StatusBadGateway // the API did not answer
			var ie *check.InputError
			if errors.As(err, &ie) {
				status = http.StatusBadRequest // e.g. a Host that is no origin
			}
			writeJSON(w, status, map[string]string{"error": "corscheck (" + string(api) + "): " + err.Error()})
			return
		}
		if api == check.Fetch {
			out.Fetch = res
		} else {
			out.XHR = res
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// noCache keeps browsers from holding on to an old page after a rebuild.
func noCache(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		next.ServeHTTP(w, r)
	})
}
