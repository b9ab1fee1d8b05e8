package demo

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/corskit/cors/check"
)

// The page's third section: Local Network Access, which Chromium (142 and
// later) applies before any CORS check. A page on the public internet that
// calls this machine or a private network needs the user's permission; the
// console says "blocked by CORS policy", yet no header fixes it. The demo's
// two origins are both on this machine (loopback), the same address space,
// so Chromium applies no LNA to the calls above, and a real public page
// cannot be had here. What a page on this machine does meet is the other LNA
// failure: fetch()'s targetAddressSpace declaring a space the target is not
// in. The section makes that call for real, and shows beside it what
// corscheck predicts for the same call from a public page (what Chromium
// started with --ip-address-space-overrides=HOST:PORT=public for the client
// origin's address shows, as e2e's TestLNA proves).

// LocalNetwork is what /lna.json serves: the call the section makes and
// what each browser must do with it.
type LocalNetwork struct {
	API    string `json:"api"`
	Origin string `json:"origin"`
	// URL is a route every origin may read (cors.AllowAll), so CORS
	// passes and only LNA can refuse the call.
	URL string `json:"url"`
	// TargetAddressSpace is what the script declares: "local", while the
	// API is on loopback.
	TargetAddressSpace string `json:"targetAddressSpace"`
	// Expect is the outcome per browser (chromium, firefox, safari):
	// Chromium refuses the call; Firefox and Safari ignore the option.
	Expect map[check.Browser]Outcome `json:"expect"`
	// Why explains Chromium's refusal in this demo.
	Why *Explanation `json:"why"`
}

// ExplainedLocalNetwork is what /explain-lna serves: corscheck's Result for
// the section's call as Browser makes it (Declared), and for a plain
// fetch() of the same URL from this page were it on the public internet
// (Public, Request.PageAddressSpace "public").
type ExplainedLocalNetwork struct {
	Browser  check.Browser `json:"browser"`
	Declared *check.Result `json:"declared"`
	Public   *check.Result `json:"public"`
}

// localNetwork returns the section's call for a page on origin.
func localNetwork(apiURL, origin string) LocalNetwork {
	return LocalNetwork{
		API: apiURL, Origin: origin, URL: apiURL + "/with-cors", TargetAddressSpace: "local",
		Expect: map[check.Browser]Outcome{check.Chromium: Blocked, check.Firefox: Pass, check.Safari: Pass},
		Why: &Explanation{
			Reason: "The script declared targetAddressSpace: \"local\" (a private network), but the API is on this machine, the loopback space. Chromium checks the declaration against the address it connected to and refuses before sending anything, although the route's CORS policy lets every origin read.",
			Fix:    "Declare the space the target is in, \"loopback\" here, or leave the option out: it exists for public pages that call a local device, to ask for the permission up front and to reach an http:// address from an https page.",
			Code:   `fetch(url, {targetAddressSpace: "loopback"})`,
		},
	}
}

// registerLNA serves lna.js, /lna.json and /explain-lna?browser=B.
func registerLNA(mux *http.ServeMux, files http.Handler, apiURL string, client *http.Client) {
	apiURL = strings.TrimSuffix(apiURL, "/")
	mux.Handle("GET /lna.js", files)
	mux.HandleFunc("GET /lna.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, localNetwork(apiURL, "http://"+r.Host))
	})
	mux.HandleFunc("GET /explain-lna", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		browser, err := check.ParseBrowser(r.URL.Query().Get("browser"))
		if err != nil || browser == check.AllBrowsers {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "browser=" + r.URL.Query().Get("browser") + ": write chromium, firefox or safari"})
			return
		}
		ln := localNetwork(apiURL, "http://"+r.Host)
		ctx, cancel := context.WithTimeout(r.Context(), ExplainTimeout)
		defer cancel()
		out := ExplainedLocalNetwork{Browser: browser}
		for _, req := range []check.Request{
			{URL: ln.URL, Origin: ln.Origin, TargetAddressSpace: ln.TargetAddressSpace, Browser: browser},
			{URL: ln.URL, Origin: ln.Origin, PageAddressSpace: "public", Browser: browser},
		} {
			res, err := check.Explain(ctx, client, req)
			if err != nil {
				status := http.StatusBadGateway
				var ie *check.InputError
				if errors.As(err, &ie) {
					status = http.StatusBadRequest
				}
				writeJSON(w, status, map[string]string{"error": "corscheck: " + err.Error()})
				return
			}
			if out.Declared == nil {
				out.Declared = res
			} else {
				out.Public = res
			}
		}
		writeJSON(w, http.StatusOK, out)
	})
}
