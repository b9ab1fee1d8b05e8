// Package checktest holds misbehaving CORS servers, one per Chromium failure
// class, with the request that triggers the failure and the CorsError
// Chromium reports. The check package's tests run check.Explain against them;
// the real-browser suite (module e2e) runs the same requests in Chromium and
// compares the console lines with check.Explain's.
package checktest

import (
	"net/http"

	"github.com/corskit/cors/check"
)

// Case is one failure class.
type Case struct {
	// Name is a short identifier, usable as a subtest name and a URL path.
	Name string
	// Handler misbehaves for every path: it is meant to be served on its own
	// origin (or mounted under "/"+Name+"/").
	Handler http.Handler
	// Method, Header, Credentials and Initiator describe the script's call:
	// fetch(url, {method: Method, headers: Header, credentials: Credentials
	// ? "include" : "same-origin"}) or the XMLHttpRequest equivalent.
	Method      string
	Header      http.Header
	Credentials bool
	Initiator   check.Initiator
	// Want is the CorsError Chromium reports; Hint its failedParameter as
	// it appears in the console line. The literal "{origin}" in Hint stands
	// for the page's origin.
	Want check.CorsError
	Hint string
}

// OriginPlaceholder in a Case's Hint stands for the page's origin.
const OriginPlaceholder = "{origin}"

// Cases returns a fresh set of cases (handlers hold no shared state).
func Cases() []Case {
	echo := func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "" {
			w.Header().Set("Access-Control-Allow-Origin", o)
		}
	}
	isPreflight := func(r *http.Request) bool {
		return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	}
	h := func(f func(w http.ResponseWriter, r *http.Request)) http.Handler { return http.HandlerFunc(f) }
	return []Case{
		{
			Name:    "missing-acao",
			Handler: h(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) }),
			Want:    check.MissingAllowOriginHeader,
		},
		{
			Name: "wildcard-with-credentials",
			Handler: h(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Access-Control-Allow-Origin", "*")
				w.Header().Set("Access-Control-Allow-Credentials", "true")
			}),
			Credentials: true,
			Want:        check.WildcardOriginNotAllowed,
		},
		{
			Name: "multiple-acao",
			Handler: h(func(w http.ResponseWriter, r *http.Request) {
				o := r.Header.Get("Origin")
				w.Header().Add("Access-Control-Allow-Origin", o)
				w.Header().Add("Access-Control-Allow-Origin", o) // app and proxy both add it
			}),
			Want: check.MultipleAllowOriginValues,
			Hint: OriginPlaceholder + ", " + OriginPlaceholder,
		},
		{
			Name: "invalid-acao",
			Handler: h(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Access-Control-Allow-Origin", "true")
			}),
			Want: check.InvalidAllowOriginValue,
			Hint: "true",
		},
		{
			Name: "acao-mismatch",
			Handler: h(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin")+"/") // trailing slash
			}),
			Want: check.AllowOriginMismatch,
			Hint: OriginPlaceholder + "/",
		},
		{
			Name: "bad-acac",
			Handler: h(func(w http.ResponseWriter, r *http.Request) {
				echo(w, r)
				w.Header().Set("Access-Control-Allow-Credentials", "True")
			}),
			Credentials: true,
			Want:        check.InvalidAllowCredentials,
			Hint:        "True",
		},
		{
			Name: "preflight-missing-acao",
			Handler: h(func(w http.ResponseWriter, r *http.Request) {
				if isPreflight(r) {
					w.WriteHeader(http.StatusUnauthorized) // auth before CORS
					return
				}
				echo(w, r)
			}),
			Method: http.MethodPut,
			Want:   check.PreflightMissingAllowOriginHeader,
		},
		{
			Name: "preflight-bad-acac",
			Handler: h(func(w http.ResponseWriter, r *http.Request) {
				echo(w, r)
				w.Header().Set("Access-Control-Allow-Methods", "PUT")
				if !isPreflight(r) {
					w.Header().Set("Access-Control-Allow-Credentials", "true")
				}
			}),
			Method:      http.MethodPut,
			Credentials: true,
			Want:        check.PreflightInvalidAllowCredentials,
		},
		{
			Name: "preflight-non-2xx",
			Handler: h(func(w http.ResponseWriter, r *http.Request) {
				echo(w, r)
				if isPreflight(r) {
					w.WriteHeader(http.StatusNotFound)
				}
			}),
			Method: http.MethodDelete,
			Want:   check.PreflightInvalidStatus,
		},
		{
			Name: "preflight-redirect",
			Handler: h(func(w http.ResponseWriter, r *http.Request) {
				echo(w, r)
				if r.URL.Query().Get("final") == "" {
					http.Redirect(w, r, r.URL.Path+"?final=1", http.StatusFound)
				}
			}),
			Header: http.Header{"X-Requested-With": {"corscheck"}},
			Want:   check.PreflightDisallowedRedirect,
		},
		{
			Name: "unparsable-acam",
			Handler: h(func(w http.ResponseWriter, r *http.Request) {
				echo(w, r)
				w.Header().Set("Access-Control-Allow-Methods", "GET;PUT")
			}),
			Method: http.MethodPut,
			Want:   check.InvalidAllowMethodsPreflightResponse,
		},
		{
			Name: "unparsable-acah",
			Handler: h(func(w http.ResponseWriter, r *http.Request) {
				echo(w, r)
				w.Header().Set("Access-Control-Allow-Headers", "Content-Type: application/json")
			}),
			Header: http.Header{"Content-Type": {"application/json"}},
			Method: http.MethodPost,
			Want:   check.InvalidAllowHeadersPreflightResponse,
		},
		{
			Name: "method-refused",
			Handler: h(func(w http.ResponseWriter, r *http.Request) {
				echo(w, r)
				w.Header().Set("Access-Control-Allow-Methods", "put") // case-sensitive
			}),
			Method: http.MethodPut,
			Want:   check.MethodDisallowedByPreflightResponse,
			Hint:   "PUT",
		},
		{
			Name: "header-refused",
			Handler: h(func(w http.ResponseWriter, r *http.Request) {
				echo(w, r)
				w.Header().Set("Access-Control-Allow-Headers", "x-b")
			}),
			Header: http.Header{"X-B": {"1"}, "X-A": {"2"}},
			Want:   check.HeaderDisallowedByPreflightResponse,
			Hint:   "x-a",
		},
		{
			Name: "xhr-wildcard-with-credentials",
			Handler: h(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Access-Control-Allow-Origin", "*")
			}),
			Credentials: true,
			Initiator:   check.XHR,
			Want:        check.WildcardOriginNotAllowed,
		},
		{
			Name: "xhr-acao-mismatch",
			Handler: h(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Access-Control-Allow-Origin", "https://example.com")
			}),
			Initiator: check.XHR,
			Want:      check.AllowOriginMismatch,
			Hint:      "https://example.com",
		},
	}
}
