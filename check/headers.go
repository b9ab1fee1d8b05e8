package check

import (
	"net/http"
	"strings"

	"github.com/corskit/cors/internal/fetch"
)

// UserAgent is the User-Agent of the requests Explain and Audit send, unless
// the caller sets one. Servers can tell the checker's probes by it.
const UserAgent = "corscheck"

// setBrowserHeaders sets the headers a browser adds itself to every request
// of a CORS-mode fetch() call, preflights included: Origin, Sec-Fetch-Mode:
// cors, Sec-Fetch-Dest: empty (the destination of fetch() and
// XMLHttpRequest; an element's request replaces it, see sendActual), and
// Accept: */* when the script set no Accept (fetch()'s default, Fetch §4.1
// "main fetch" step 13; a preflight is always "Accept: */*", §4.8 step 2).
func setBrowserHeaders(h http.Header, origin string) {
	if h.Get("Accept") == "" {
		h.Set("Accept", fetch.DefaultAccept)
	}
	h.Set(fetch.HeaderOrigin, origin)
	h.Set(headerSecFetchMode, string(fetch.ModeCORS))
	h.Set(headerSecFetchDest, fetch.SecFetchDest(fetch.DestinationEmpty))
}

// CORSHeaders returns the response headers of h that bear on CORS, the ones
// corscheck shows and keeps as evidence: every name starting with
// "Access-Control-" (the protocol's, and misspellings such as
// Access-Control-Allow-Origins, which are worth seeing), Vary, and the names
// in extra (compared without case). The values are shared with h, not
// copied.
func CORSHeaders(h http.Header, extra ...string) http.Header {
	out := http.Header{}
	for k, v := range h {
		if isCORSHeader(k) || containsFold(extra, k) {
			out[k] = v
		}
	}
	return out
}

const accessControlPrefix = "Access-Control-"

func isCORSHeader(name string) bool {
	return strings.EqualFold(name, fetch.HeaderVary) ||
		len(name) >= len(accessControlPrefix) && strings.EqualFold(name[:len(accessControlPrefix)], accessControlPrefix)
}

func containsFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}
