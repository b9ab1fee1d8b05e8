package demo

import (
	"net/http"
	"strings"
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
}

// Expectation is what a call must produce in the browser.
type Expectation struct {
	Outcome Outcome `json:"outcome"`
	// Readable lists the ReadHeaders the page can read; the others must
	// read as null.
	Readable []string `json:"readable,omitempty"`
}

// An Explanation says why a call is blocked and how to fix it on the server.
// Browsers give scripts no reason for a CORS failure, so the demo carries
// its own. Today they are written by hand in Calls; the check package can
// produce the same three things (reason, console line, fix) for any
// request, and is meant to replace them.
type Explanation struct {
	// Reason, in plain words.
	Reason string `json:"reason"`
	// Console is the line Chromium prints for the fetch call. (For the
	// XMLHttpRequest it reads "Access to XMLHttpRequest at" instead, and may
	// add a sentence about withCredentials.)
	Console string `json:"console"`
	// Fix is the change on the API that makes the call pass, in words, and
	// Code the same change in Go.
	Fix  string `json:"fix"`
	Code string `json:"code,omitempty"`
}

// Calls returns the calls the demo page makes from clientOrigin to the API
// at apiURL (both without a trailing slash, e.g. "http://localhost:8080"
// and "http://localhost:3000"), in the order the page lists them.
func Calls(apiURL, clientOrigin string) []Call {
	apiURL = strings.TrimSuffix(apiURL, "/")
	console := func(path, msg string) string {
		return "Access to fetch at '" + apiURL + path + "' from origin '" + clientOrigin + "' has been blocked by CORS policy: " + msg
	}
	const (
		noACAO = "No 'Access-Control-Allow-Origin' header is present on the requested resource."
		ctJSON = "application/json"
	)
	calls := []Call{
		{
			ID: "without-cors", Label: "No CORS policy",
			Method: http.MethodGet, Path: "/without-cors",
			Shows:  "The article's first call: the route has no CORS policy.",
			Expect: Expectation{Outcome: Blocked},
			Why: &Explanation{
				Reason:  "The server answered (200: the handler ran, see the terminal) but sent no Access-Control-Allow-Origin header, so the browser hides the answer from the page. CORS guards what a page may read, not the server.",
				Console: console("/without-cors", noACAO),
				Fix:     "Give the route a policy, as /with-cors does.",
				Code:    `mux.Handle("/without-cors", cors.AllowAll().Handler(h))`,
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
			Method: http.MethodGet, Path: "/products/1",
			Shows:  "Only this page's origin may read: the middleware echoes it in Access-Control-Allow-Origin and adds Vary: Origin.",
			Expect: Expectation{Outcome: Pass},
		},
		{
			ID: "products-put", Label: "Method not allowed",
			Method: http.MethodPut, Path: "/products/1", Preflight: true,
			Shows:  "PUT is not a simple method, so the browser asks first, with a preflight.",
			Expect: Expectation{Outcome: Blocked},
			Why: &Explanation{
				Reason:  "The preflight (OPTIONS with Access-Control-Request-Method: PUT) comes from a trusted origin, but the policy of /products/{id} allows only the simple methods GET, HEAD and POST. The browser stops there: the PUT is never sent.",
				Console: console("/products/1", "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response."),
				Fix:     "Allow the method in the route's policy (and handle PUT in the route).",
				Code:    `AllowedMethods: []string{http.MethodPut}`,
			},
		},
		{
			ID: "allow-list", Label: "Allow-list",
			Method: http.MethodGet, Path: "/allow-list",
			Shows:  "The article's whitelist: three origins, this page's among them.",
			Expect: Expectation{Outcome: Pass},
		},
		{
			ID: "partners", Label: "Origin not on the list",
			Method: http.MethodGet, Path: "/partners",
			Shows:  "An allow-list that does not name this page's origin.",
			Expect: Expectation{Outcome: Blocked},
			Why: &Explanation{
				Reason:  "/partners trusts " + strings.Join(PartnerOrigins, " and ") + " only. For this page the handler still runs, but the middleware adds no CORS header and reports origin-not-allowed to OnReject (see the terminal). The article's callback threw 'Not allowed by CORS' instead: a 500.",
				Console: console("/partners", noACAO),
				Fix:     "Add the page's origin to the allow-list.",
				Code:    `AllowedOrigins: []string{"` + strings.Join(append(PartnerOrigins[:len(PartnerOrigins):len(PartnerOrigins)], clientOrigin), `", "`) + `"}`,
			},
		},
		{
			ID: "items-put", Label: "Preflight: PUT + JSON",
			Method: http.MethodPut, Path: "/items/1", Preflight: true,
			Headers: map[string]string{"Content-Type": ctJSON, TokenHeader: "letmein"},
			Body:    `{"name":"blue mug","qty":2}`,
			Shows:   "A JSON body and a custom header make the browser send a preflight; the policy allows PUT and both headers, so the PUT follows.",
			Expect:  Expectation{Outcome: Pass},
		},
		{
			ID: "items-delete", Label: "Preflight: DELETE",
			Method: http.MethodDelete, Path: "/items/2", Preflight: true,
			Headers: map[string]string{TokenHeader: "letmein"},
			Shows:   "DELETE is preflighted too, body or not.",
			Expect:  Expectation{Outcome: Pass},
		},
		{
			ID: "items-header", Label: "Header not allowed",
			Method: http.MethodPut, Path: "/items/1", Preflight: true,
			Headers: map[string]string{"Content-Type": ctJSON, TokenHeader: "letmein", "X-Debug": "1"},
			Body:    `{"name":"blue mug","qty":3}`,
			Shows:   "The same PUT with one more header, X-Debug, that the policy does not list.",
			Expect:  Expectation{Outcome: Blocked},
			Why: &Explanation{
				Reason:  "The preflight asks for content-type, x-debug and x-demo-token; the policy of /items/{id} allows Content-Type and X-Demo-Token only. The browser refuses before sending the PUT.",
				Console: console("/items/1", "Request header field x-debug is not allowed by Access-Control-Allow-Headers in preflight response."),
				Fix:     "List the header in the route's policy, or stop sending it.",
				Code:    `AllowedHeaders: []string{"Content-Type", "X-Demo-Token", "X-Debug"}`,
			},
		},
		{
			ID: "session", Label: "Credentials: cookie",
			Method: http.MethodGet, Path: "/session", Credentials: true,
			Shows:  "credentials: 'include' and withCredentials send and store the cookie: the route names this origin and sends Access-Control-Allow-Credentials: true.",
			Expect: Expectation{Outcome: Pass},
		},
		{
			ID: "with-cors-credentials", Label: "Credentials with *",
			Method: http.MethodGet, Path: "/with-cors", Credentials: true,
			Shows:  "The same credentialed call against the AllowAll route.",
			Expect: Expectation{Outcome: Blocked},
			Why: &Explanation{
				Reason:  "With credentials the browser refuses Access-Control-Allow-Origin: * — a wildcard would let every site read answers meant for the user. cors.AllowAll() is for public data, and cors.New refuses \"*\" with AllowCredentials.",
				Console: console("/with-cors", "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."),
				Fix:     "Call without credentials, or name the origin and allow credentials, as /session does.",
				Code:    `cors.New(cors.Config{AllowedOrigins: []string{"` + clientOrigin + `"}, AllowCredentials: true})`,
			},
		},
		{
			ID: "exposed-headers", Label: "Exposed header",
			Method: http.MethodGet, Path: "/exposed-headers",
			ReadHeaders: []string{RequestIDHeader, SecretHeader},
			Shows:       "Both headers are on the wire, but the page can read only X-Request-Id, the one in Access-Control-Expose-Headers.",
			Expect:      Expectation{Outcome: Pass, Readable: []string{RequestIDHeader}},
		},
	}
	for i := range calls {
		calls[i].URL = apiURL + calls[i].Path
	}
	return calls
}
