package demo

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/corskit/cors/check"
	"github.com/corskit/cors/internal/fetch"
)

// An Outcome is what the browser lets the page do with a call's response.
type Outcome string

const (
	// Pass: the page can read the response (status, body, exposed
	// headers).
	Pass Outcome = "pass"
	// Blocked: the browser refused the response (or never sent the request,
	// after a failed preflight); fetch rejects with a TypeError and an
	// XMLHttpRequest fails with status 0.
	Blocked Outcome = "blocked"
)

// A Call is one cross-origin request the demo page makes, with both fetch
// and XMLHttpRequest, and what the API's policy promises will come of it.
type Call struct {
	ID     string `json:"id"`    // stable, used in the page's data-call attributes
	Label  string `json:"label"` // a few words for the button
	Method string `json:"method"`
	Path   string `json:"path"` // e.g. "/products/1"
	URL    string `json:"url"`  // the API's URL plus Path
	// Headers the script sets on the request.
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
	// Credentials: fetch(…, {credentials: "include"}) and
	// xhr.withCredentials = true.
	Credentials bool `json:"credentials,omitempty"`
	// Preflight: the browser sends an OPTIONS preflight before the call,
	// unless a preflight it cached for the same URL covers it (5 seconds:
	// the demo's policies send no Access-Control-Max-Age).
	Preflight bool `json:"preflight,omitempty"`
	// Shows says, in a sentence, what the call demonstrates.
	Shows string `json:"shows"`
	// ReadHeaders are response headers the page tries to read.
	ReadHeaders []string `json:"readHeaders,omitempty"`
	// Expect is what the browser must report, for fetch and XHR alike.
	Expect Expectation `json:"expect"`
	// Why explains a blocked call: nil when Expect.Outcome is Pass.
	Why *Explanation `json:"why,omitempty"`
	// CookieLost, for a credentialed call whose route sets a cookie and
	// says in its JSON body ("cookieReceived") whether the request brought
	// it back, explains a call that passed without the cookie an earlier
	// call set: the page then shows "pass, but no cookie" and this.
	CookieLost *Explanation `json:"cookieLost,omitempty"`
	// TrustedOnly: the route's policy lets only the client origin the API
	// trusts read the answer (see Calls).
	TrustedOnly bool `json:"TrustedOnly,omitempty"`
}

// Expectation is what a call must produce in the browser.
type Expectation struct {
	Outcome Outcome `json:"outcome"`
	// Readable lists the ReadHeaders the page can read; the others must
	// read as null.
	Readable []string `json:"readable,omitempty"`
}

// An Explanation is what the demo adds, by hand, to the checker's account
// of a blocked call. Browsers give scripts no reason for a CORS failure; the
// page asks the checker (check.Explain, through the client origin's
// /explain) for the CorsError reason, Chromium's console line, a plain-words
// explanation and the HTTP-level fix. What the checker cannot know is this
// demo: which route policy refused the call, what the server did anyway, and
// the change in Go. That is what an Explanation holds.
type Explanation struct {
	// Reason says, in plain words, what happened in this demo: the route's
	// policy and what the server did (a blocked simple request still ran).
	Reason string `json:"reason"`
	// Fix is the change to the API that makes the call pass, in words, and
	// Code the same change in Go.
	Fix  string `json:"fix"`
	Code string `json:"code,omitempty"`
}

// CheckRequest returns the check.Request that describes c made from a page
// on origin with the given API (check.Fetch or check.XHR): the same method,
// URL, headers and credentials mode. SendActual is set: the demo API is a
// toy whose PUT and DELETE change nothing, so the checker may send them, and
// its verdict then covers the actual response too, as the browser's does.
// The body is not part of it: the checker does not model bodies, and no
// CORS decision depends on one.
func (c Call) CheckRequest(origin string, api check.Initiator) check.Request {
	h := http.Header{}
	for k, v := range c.Headers {
		h.Set(k, v)
	}
	return check.Request{
		URL:         c.URL,
		Origin:      origin,
		Method:      c.Method,
		Header:      h,
		Credentials: c.Credentials,
		Initiator:   api,
		SendActual:  true,
	}
}

// Calls returns the calls the demo page makes to the API at apiURL, in the
// order the page lists them, from a page on pageOrigin when the API trusts
// trustedOrigin, the client origin corsdemo printed (e.g.
// "http://localhost:3000", "http://localhost:8080", "http://localhost:8080").
//
// The two origins differ when the page is opened under another name for the
// same server, http://127.0.0.1:8080 for http://localhost:8080: to a browser
// that is another origin, so every call whose route trusts only the client
// origin is then blocked, and its Expect and Why say so. CookieLost is
// written for the sites pageOrigin and apiURL really are.
func Calls(apiURL, trustedOrigin, pageOrigin string) []Call {
	apiURL = strings.TrimSuffix(apiURL, "/")
	const ctJSON = "application/json"
	calls := []Call{
		{
			ID: "without-cors", Label: "No CORS policy",
			Method: http.MethodGet, Path: "/without-cors",
			Shows:  "The article's first call: the route has no CORS policy.",
			Expect: Expectation{Outcome: Blocked},
			Why: &Explanation{
				Reason: "The route has no CORS middleware, yet its handler ran and answered 200 (see the terminal): the browser hides the answer, it did not stop the request. CORS guards what a page may read, not the server.",
				Fix:    "Give the route a policy, as /with-cors does.",
				Code:   `mux.Handle("/without-cors", cors.AllowAll().Handler(h))`,
			},
		},
		{
			ID: "with-cors", Label: "cors.AllowAll()",
			Method: http.MethodGet, Path: "/with-cors",
			Shows:  "Express's cors(): any origin may read; the answer says Access-Control-Allow-Origin: *.",
			Expect: Expectation{Outcome: Pass},
		},
		{
			ID: "products", Label: "One trusted origin",
			Method: http.MethodGet, Path: "/products/1", TrustedOnly: true,
			Shows:  "Only the client origin, " + trustedOrigin + ", may read: the middleware echoes it in Access-Control-Allow-Origin and adds Vary: Origin.",
			Expect: Expectation{Outcome: Pass},
		},
		{
			ID: "products-put", Label: "Method not allowed",
			Method: http.MethodPut, Path: "/products/1", Preflight: true, TrustedOnly: true,
			Shows:  "PUT is not a simple method, so the browser asks first, with a preflight.",
			Expect: Expectation{Outcome: Blocked},
			Why: &Explanation{
				Reason: "The origin is trusted, but the policy of /products/{id} allows only the simple methods GET, HEAD and POST. The browser stops at the preflight: the PUT is never sent.",
				Fix:    "Allow the method in the route's policy (and handle PUT in the route).",
				Code:   `AllowedMethods: []string{http.MethodPut}`,
			},
		},
		{
			ID: "allow-list", Label: "Allow-list",
			Method: http.MethodGet, Path: "/allow-list", TrustedOnly: true,
			Shows:  "The article's whitelist: three origins, the client origin " + trustedOrigin + " among them.",
			Expect: Expectation{Outcome: Pass},
		},
		{
			ID: "partners", Label: "Origin not on the list",
			Method: http.MethodGet, Path: "/partners",
			Shows:  "An allow-list that does not name this page's origin.",
			Expect: Expectation{Outcome: Blocked},
			Why: &Explanation{
				Reason: "/partners trusts " + strings.Join(PartnerOrigins, " and ") + " only. For this page the handler still runs, but the middleware adds no CORS header and reports origin-not-allowed to OnReject (see the terminal). The article's callback threw 'Not allowed by CORS' instead: a 500.",
				Fix:    "Add the page's origin to the allow-list.",
				Code:   `AllowedOrigins: []string{"` + strings.Join(append(PartnerOrigins[:len(PartnerOrigins):len(PartnerOrigins)], pageOrigin), `", "`) + `"}`,
			},
		},
		{
			ID: "items-put", Label: "Preflight: PUT + JSON",
			Method: http.MethodPut, Path: "/items/1", Preflight: true, TrustedOnly: true,
			Headers: map[string]string{"Content-Type": ctJSON, TokenHeader: "letmein"},
			Body:    `{"name":"blue mug","qty":2}`,
			Shows:   "A JSON body and a custom header make the browser send a preflight; the policy allows PUT and both headers, so the PUT follows.",
			Expect:  Expectation{Outcome: Pass},
		},
		{
			ID: "items-delete", Label: "Preflight: DELETE",
			Method: http.MethodDelete, Path: "/items/2", Preflight: true, TrustedOnly: true,
			Headers: map[string]string{TokenHeader: "letmein"},
			Shows:   "DELETE is preflighted too, body or not.",
			Expect:  Expectation{Outcome: Pass},
		},
		{
			ID: "items-header", Label: "Header not allowed",
			Method: http.MethodPut, Path: "/items/1", Preflight: true, TrustedOnly: true,
			Headers: map[string]string{"Content-Type": ctJSON, TokenHeader: "letmein", "X-Debug": "1"},
			Body:    `{"name":"blue mug","qty":3}`,
			Shows:   "The same PUT with one more header, X-Debug, that the policy does not list.",
			Expect:  Expectation{Outcome: Blocked},
			Why: &Explanation{
				Reason: "The policy of /items/{id} allows the headers Content-Type and X-Demo-Token only. The browser stops at the preflight: the PUT is never sent.",
				Fix:    "List the header in the route's policy, or stop sending it.",
				Code:   `AllowedHeaders: []string{"Content-Type", "X-Demo-Token", "X-Debug"}`,
			},
		},
		{
			ID: "session", Label: "Credentials: cookie",
			Method: http.MethodGet, Path: "/session", Credentials: true, TrustedOnly: true,
			Shows:      "credentials: 'include' and withCredentials send and store the cookie: the route names the client origin, " + trustedOrigin + ", and sends Access-Control-Allow-Credentials: true.",
			Expect:     Expectation{Outcome: Pass},
			CookieLost: cookieLost(apiURL, pageOrigin),
		},
		{
			ID: "with-cors-credentials", Label: "Credentials with *",
			Method: http.MethodGet, Path: "/with-cors", Credentials: true,
			Shows:  "The same credentialed call against the AllowAll route.",
			Expect: Expectation{Outcome: Blocked},
			Why: &Explanation{
				Reason: "The route runs cors.AllowAll(), which is for public data: a wildcard with credentials would let every site read answers meant for the user, which is why browsers refuse it and cors.New refuses \"*\" with AllowCredentials.",
				Fix:    "Call without credentials, or name the origin and allow credentials, as /session does.",
				Code:   `cors.New(cors.Config{AllowedOrigins: []string{"` + pageOrigin + `"}, AllowCredentials: true})`,
			},
		},
		{
			ID: "exposed-headers", Label: "Exposed header",
			Method: http.MethodGet, Path: "/exposed-headers", TrustedOnly: true,
			ReadHeaders: []string{RequestIDHeader, SecretHeader},
			Shows:       "Both headers are on the wire, but the page can read only X-Request-Id, the one in Access-Control-Expose-Headers.",
			Expect:      Expectation{Outcome: Pass, Readable: []string{RequestIDHeader}},
		},
	}
	for i := range calls {
		c := &calls[i]
		c.URL = apiURL + c.Path
		if c.TrustedOnly && pageOrigin != trustedOrigin {
			c.Expect = Expectation{Outcome: Blocked}
			c.Why = wrongOrigin(c, trustedOrigin, pageOrigin)
			c.CookieLost = nil
		}
	}
	return calls
}

// wrongOrigin explains why call c, whose route trusts only trusted, is
// blocked for a page on origin page.
func wrongOrigin(c *Call, trusted, page string) *Explanation {
	what := "The handler still ran (see the terminal), but the answer carries no Access-Control-Allow-Origin, so the browser hides it from this page."
	if c.Preflight {
		what = "It refused the preflight with a bare 403, so the browser never sent the " + c.Method + "."
	}
	return &Explanation{
		Reason: "This page is at " + page + ", but the route trusts only " + trusted + ", the client origin corsdemo printed. They may reach the same server, yet to a browser they are two origins, so the route's CORS middleware ran and refused this one. " + what,
		Fix:    "Open " + trusted + " instead, or let the route trust this origin too.",
		Code:   `AllowedOrigins: []string{"` + trusted + `", "` + page + `"}`,
	}
}

// cookieLost explains a credentialed call to the API at apiURL, from a page
// on pageOrigin, that passed but did not bring back the cookie an earlier
// call set.
func cookieLost(apiURL, pageOrigin string) *Explanation {
	e := &Explanation{
		Fix:  "Serve the page and the API from the same site (corsdemo's defaults put both on localhost), or, for an API on another site, set the cookie with SameSite=None and Secure, which needs https, and expect browsers that block third-party cookies to withhold it anyway; a token in an Authorization header is not withheld.",
		Code: `http.SetCookie(w, &http.Cookie{Name: "` + SessionCookie + `", Value: v, SameSite: http.SameSiteNoneMode, Secure: true, HttpOnly: true})`,
	}
	page, perr := fetch.ParseOrigin(pageOrigin)
	u, uerr := url.Parse(apiURL)
	if perr == nil && uerr == nil && !fetch.SameSite(page, fetch.OriginOfURL(u)) {
		api := fetch.OriginOfURL(u)
		e.Reason = "CORS let the page read the answer, but the cookie the API set did not come back: this page (site " + fetch.Site(page) + ") and the API (site " + fetch.Site(api) + ") are different sites, so to the browser the API's cookie is a third-party cookie. The API sets it SameSite=Lax, and a SameSite=Lax cookie is neither stored nor sent on a cross-site fetch or XMLHttpRequest, credentials or not."
		return e
	}
	e.Reason = "CORS let the page read the answer, but the cookie the API set did not come back, although this page and the API are the same site: the browser is blocking or clearing the API's cookies (a cookie setting, a private window, an extension)."
	return e
}
