package check_test

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/cors/check"
)

// Chromium 156's Accept values, as it sent them (e2e TestDestinations
// checks these requests against the real browser's).
const (
	acceptAny   = "*/*"
	acceptImage = "image/jxl,image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
	acceptStyle = "text/css,*/*;q=0.1"
)

// TestDestinationRequestHeaders compares the whole header set of the request
// Explain sends for each destination with the one Chromium 156 sent for the
// same element, written out by hand from what the browser sent: Origin only
// in CORS mode, Sec-Fetch-Mode and -Dest, the destination's Accept, and the
// page's cookie only when the credentials mode is "include".
func TestDestinationRequestHeaders(t *testing.T) {
	const cookie = "k=v"
	cors := func(dest, accept string) http.Header {
		return http.Header{"Origin": {page}, "Sec-Fetch-Mode": {"cors"}, "Sec-Fetch-Dest": {dest}, "Accept": {accept}}
	}
	withCookie := func(h http.Header) http.Header { h.Set("Cookie", cookie); return h }
	noCORS := func(dest, accept string) http.Header {
		return http.Header{"Sec-Fetch-Mode": {"no-cors"}, "Sec-Fetch-Dest": {dest}, "Accept": {accept}, "Cookie": {cookie}}
	}
	tests := []struct {
		name   string
		req    check.Request
		want   http.Header
		mode   check.Mode
		creds  check.CredentialsMode
		opaque bool
	}{
		{"fetch", check.Request{}, cors("empty", acceptAny), "cors", "same-origin", false},
		{"fetch with credentials", check.Request{Credentials: true}, withCookie(cors("empty", acceptAny)), "cors", "include", false},
		{"font", check.Request{Destination: check.DestinationFont}, cors("font", acceptAny), "cors", "same-origin", false},
		{"font, crossorigin anonymous", check.Request{Destination: check.DestinationFont, CrossOrigin: check.CrossOriginAnonymous}, cors("font", acceptAny), "cors", "same-origin", false},
		{"module", check.Request{Destination: check.DestinationScript, Module: true}, cors("script", acceptAny), "cors", "same-origin", false},
		{"module, anonymous", check.Request{Destination: check.DestinationScript, Module: true, CrossOrigin: check.CrossOriginAnonymous}, cors("script", acceptAny), "cors", "same-origin", false},
		{"module, use-credentials", check.Request{Destination: check.DestinationScript, Module: true, CrossOrigin: check.CrossOriginUseCredentials}, withCookie(cors("script", acceptAny)), "cors", "include", false},
		{"classic script", check.Request{Destination: check.DestinationScript}, noCORS("script", acceptAny), "no-cors", "include", true},
		{"classic script, anonymous", check.Request{Destination: check.DestinationScript, CrossOrigin: check.CrossOriginAnonymous}, cors("script", acceptAny), "cors", "same-origin", false},
		{"classic script, use-credentials", check.Request{Destination: check.DestinationScript, CrossOrigin: check.CrossOriginUseCredentials}, withCookie(cors("script", acceptAny)), "cors", "include", false},
		{"image", check.Request{Destination: check.DestinationImage}, noCORS("image", acceptImage), "no-cors", "include", true},
		{"image, anonymous", check.Request{Destination: check.DestinationImage, CrossOrigin: check.CrossOriginAnonymous}, cors("image", acceptImage), "cors", "same-origin", false},
		{"image, use-credentials", check.Request{Destination: check.DestinationImage, CrossOrigin: check.CrossOriginUseCredentials}, withCookie(cors("image", acceptImage)), "cors", "include", false},
		{"stylesheet", check.Request{Destination: check.DestinationStyle}, noCORS("style", acceptStyle), "no-cors", "include", true},
		{"stylesheet, anonymous", check.Request{Destination: check.DestinationStyle, CrossOrigin: check.CrossOriginAnonymous}, cors("style", acceptStyle), "cors", "same-origin", false},
		{"stylesheet, use-credentials", check.Request{Destination: check.DestinationStyle, CrossOrigin: check.CrossOriginUseCredentials}, withCookie(cors("style", acceptStyle)), "cors", "include", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Echoes the origin and allows credentials: every request passes.
			sp := &spy{next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if o := r.Header.Get("Origin"); o != "" {
					w.Header().Set("Access-Control-Allow-Origin", o)
					w.Header().Set("Access-Control-Allow-Credentials", "true")
				}
			})}
			srv := httptest.NewServer(sp)
			defer srv.Close()
			req := tt.req
			req.URL, req.Origin, req.Cookie = srv.URL+"/r", page, cookie
			res, err := check.Explain(context.Background(), srv.Client(), req)
			if err != nil {
				t.Fatal(err)
			}
			if len(sp.reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(sp.reqs))
			}
			got := sp.reqs[0].Header.Clone()
			got.Del("User-Agent")
			got.Del("Accept-Encoding") // net/http's transport adds it
			if !headersEqual(got, tt.want) {
				t.Errorf("request headers:\n got %v\nwant %v", got, tt.want)
			}
			if sp.reqs[0].Method != http.MethodGet {
				t.Errorf("method %s, want GET", sp.reqs[0].Method)
			}
			if !res.Allowed || res.Mode != tt.mode || res.CredentialsMode != tt.creds || res.Opaque != tt.opaque || res.Destination != tt.req.Destination {
				t.Errorf("allowed %v, mode %q, credentials %q, opaque %v, destination %q; want true, %q, %q, %v, %q",
					res.Allowed, res.Mode, res.CredentialsMode, res.Opaque, res.Destination, tt.mode, tt.creds, tt.opaque, tt.req.Destination)
			}
		})
	}
}

func headersEqual(a, b http.Header) bool {
	return maps.EqualFunc(a, b, slices.Equal[[]string])
}

// TestDestinationVerdicts runs element loads against misbehaving servers. The
// console lines are written out from what Chromium 156 printed for the same
// loads ("Access to font at …", "Access to CSS stylesheet at …": no sentence
// about fetch() or withCredentials after the reason).
func TestDestinationVerdicts(t *testing.T) {
	font := check.Request{Destination: check.DestinationFont}
	module := check.Request{Destination: check.DestinationScript, Module: true}
	moduleCreds := check.Request{Destination: check.DestinationScript, Module: true, CrossOrigin: check.CrossOriginUseCredentials}
	image := check.Request{Destination: check.DestinationImage}
	imageAnon := check.Request{Destination: check.DestinationImage, CrossOrigin: check.CrossOriginAnonymous}
	imageCreds := check.Request{Destination: check.DestinationImage, CrossOrigin: check.CrossOriginUseCredentials}
	script := check.Request{Destination: check.DestinationScript}
	styleAnon := check.Request{Destination: check.DestinationStyle, CrossOrigin: check.CrossOriginAnonymous}
	styleCreds := check.Request{Destination: check.DestinationStyle, CrossOrigin: check.CrossOriginUseCredentials}

	const (
		missing   = "No 'Access-Control-Allow-Origin' header is present on the requested resource."
		wildcard  = "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."
		emptyACAC = "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'."
		mismatch  = "The 'Access-Control-Allow-Origin' header has a value 'http://a.example' that is not equal to the supplied origin."
		multiple  = "The 'Access-Control-Allow-Origin' header contains multiple values 'http://a.example, http://b.example', but only one is allowed."
	)
	acao := func(values ...string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for _, v := range values {
				w.Header().Add("Access-Control-Allow-Origin", v)
			}
			w.Header().Set("Content-Type", "text/javascript")
		})
	}
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
	})
	tests := []struct {
		name    string
		h       http.Handler
		req     check.Request
		allowed bool
		opaque  bool
		reason  check.CorsError
		kind    string // of the console line
		text    string // the console line's reason
		warn    string // a warning that must be there
		expl    string // in the explanation
	}{
		{"font without CORS", acao(), font, false, false, check.MissingAllowOriginHeader, "font", missing, "", "falls back"},
		{"font with *", acao("*"), font, true, false, "", "", "", "", "The font loads"},
		{"font, origin mismatch", acao("http://a.example"), font, false, false, check.AllowOriginMismatch, "font", mismatch, "", "@font-face"},
		{"module without CORS", acao(), module, false, false, check.MissingAllowOriginHeader, "script", missing, "", "ES module"},
		{"module with *", acao("*"), module, true, false, "", "", "", "", "The module loads"},
		{"module, two ACAO", acao("http://a.example", "http://b.example"), module, false, false, check.MultipleAllowOriginValues, "script", multiple, "", ""},
		{"module use-credentials with *", acao("*"), moduleCreds, false, false, check.WildcardOriginNotAllowed, "script", wildcard, "", ""},
		{"module use-credentials without ACAC", echo, moduleCreds, false, false, check.InvalidAllowCredentials, "script", emptyACAC, "", ""},
		{"image, two ACAO", acao("http://a.example", "http://b.example"), imageAnon, false, false, check.MultipleAllowOriginValues, "image", multiple, "", "crossorigin attribute"},
		{"image use-credentials without ACAC", echo, imageCreds, false, false, check.InvalidAllowCredentials, "image", emptyACAC, "", ""},
		{"image anonymous with *", acao("*"), imageAnon, true, false, "", "", "", "", "getImageData"},
		{"stylesheet anonymous without CORS", acao(), styleAnon, false, false, check.MissingAllowOriginHeader, "CSS stylesheet", missing, "", ""},
		{"stylesheet use-credentials with *", acao("*"), styleCreds, false, false, check.WildcardOriginNotAllowed, "CSS stylesheet", wildcard, "", ""},
		{"image without crossorigin or CORS", acao(), image, true, true, "", "", "", "", "tainted"},
		{"image without crossorigin, server sends *", acao("*"), image, true, true, "", "", "", "neither asks for nor reads it", "tainted"},
		{"classic script without crossorigin", acao(), script, true, true, "", "", "", "", "Script error."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.h)
			defer srv.Close()
			req := tt.req
			req.URL, req.Origin = srv.URL+"/asset", page
			res, err := check.Explain(context.Background(), srv.Client(), req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Allowed != tt.allowed || res.Opaque != tt.opaque || res.Reason != tt.reason {
				t.Errorf("allowed %v, opaque %v, reason %q; want %v, %v, %q", res.Allowed, res.Opaque, res.Reason, tt.allowed, tt.opaque, tt.reason)
			}
			want := ""
			if tt.text != "" {
				want = "Access to " + tt.kind + " at '" + req.URL + "' from origin '" + page + "' has been blocked by CORS policy: " + tt.text
			}
			if res.Message != want {
				t.Errorf("console line:\n got %q\nwant %q", res.Message, want)
			}
			if tt.warn != "" && !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, tt.warn) }) {
				t.Errorf("no warning with %q: %q", tt.warn, res.Warnings)
			}
			if !strings.Contains(res.Explanation, tt.expl) {
				t.Errorf("explanation lacks %q: %s", tt.expl, res.Explanation)
			}
			if res.Stage != check.StageActual || !res.ActualSent || len(res.Curl) != 1 {
				t.Errorf("stage %s, sent %v, %d curl commands; want actual, true, 1", res.Stage, res.ActualSent, len(res.Curl))
			}
		})
	}
}

// TestDestinationRedirects: a no-cors load follows redirects with no CORS
// check at all; a font (CORS) fails on a redirect whose response has no
// Access-Control-Allow-Origin, and the console line names the redirecting
// URL, as Chromium 156's did.
func TestDestinationRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/target", http.StatusFound)
	})
	mux.HandleFunc("/target", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	res, err := check.Explain(context.Background(), srv.Client(), check.Request{URL: srv.URL + "/redirect", Origin: page, Destination: check.DestinationImage})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Allowed || !res.Opaque || len(res.Exchanges) != 2 || res.URL != srv.URL+"/target" {
		t.Errorf("image: allowed %v, opaque %v, %d exchanges, URL %s; want a load of /target after one redirect", res.Allowed, res.Opaque, len(res.Exchanges), res.URL)
	}
	for _, ex := range res.Exchanges {
		if ex.RequestHeader.Get("Origin") != "" {
			t.Errorf("a no-cors request carried Origin %q", ex.RequestHeader.Get("Origin"))
		}
	}

	res, err = check.Explain(context.Background(), srv.Client(), check.Request{URL: srv.URL + "/redirect", Origin: page, Destination: check.DestinationFont})
	if err != nil {
		t.Fatal(err)
	}
	want := "Access to font at '" + srv.URL + "/redirect' from origin '" + page + "' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."
	if res.Allowed || res.Message != want {
		t.Errorf("font through a redirect without CORS headers: allowed %v, %q; want blocked, %q", res.Allowed, res.Message, want)
	}
}

// TestDestinationWarnings: what keeps an element from using a response that
// passed CORS.
func TestDestinationWarnings(t *testing.T) {
	serve := func(status int, contentType string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
		})
	}
	module := check.Request{Destination: check.DestinationScript, Module: true}
	tests := []struct {
		name string
		h    http.Handler
		req  check.Request
		want string // "" for no warning
	}{
		{"module as text/plain", serve(200, "text/plain; charset=utf-8"), module,
			`Failed to load module script: Expected a JavaScript-or-Wasm module script but the server responded with a MIME type of "text/plain". Strict MIME type checking is enforced for module scripts per HTML spec.`},
		{"module as text/javascript", serve(200, "text/javascript; charset=utf-8"), module, ""},
		{"module as application/javascript", serve(200, "application/javascript"), module, ""},
		{"image answered 404", serve(404, "text/plain"), check.Request{Destination: check.DestinationImage, CrossOrigin: check.CrossOriginAnonymous}, "status is 404"},
		{"fetch answered 404", serve(404, "text/plain"), check.Request{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.h)
			defer srv.Close()
			req := tt.req
			req.URL, req.Origin = srv.URL+"/m.js", page
			res, err := check.Explain(context.Background(), srv.Client(), req)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Allowed {
				t.Fatalf("blocked: %s", res.Message)
			}
			if tt.want == "" {
				if len(res.Warnings) > 0 {
					t.Errorf("warnings %q, want none", res.Warnings)
				}
				return
			}
			if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, tt.want) }) {
				t.Errorf("no warning with %q: %q", tt.want, res.Warnings)
			}
		})
	}
}

// TestDestinationInputErrors: what an element cannot do is an InputError that
// names the field and says what to write.
func TestDestinationInputErrors(t *testing.T) {
	img := check.DestinationImage
	tests := []struct {
		name  string
		req   check.Request
		field string
		says  string
	}{
		{"unknown destination", check.Request{Destination: "video"}, "destination", "font, script, image or style"},
		{"crossorigin without destination", check.Request{CrossOrigin: check.CrossOriginAnonymous}, "crossorigin", "destination"},
		{"module without destination", check.Request{Module: true}, "module", "script"},
		{"module image", check.Request{Destination: img, Module: true}, "module", "script"},
		{"bad crossorigin", check.Request{Destination: img, CrossOrigin: "yes"}, "crossorigin", "anonymous or use-credentials"},
		{"element with XHR", check.Request{Destination: img, Initiator: check.XHR}, "initiator", "XMLHttpRequest"},
		{"element with upload listeners", check.Request{Destination: img, ForcePreflight: true}, "initiator", "XMLHttpRequest"},
		{"element with POST", check.Request{Destination: img, Method: "POST"}, "method", "GET"},
		{"element with a header", check.Request{Destination: img, Header: http.Header{"X-A": {"1"}}}, "header", "cannot add"},
		{"element with a body", check.Request{Destination: img, Body: "x"}, "body", "GET"},
		{"element with Credentials", check.Request{Destination: img, Credentials: true}, "credentials", "use-credentials"},
		{"font with use-credentials", check.Request{Destination: check.DestinationFont, CrossOrigin: check.CrossOriginUseCredentials}, "crossorigin", "@font-face"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			req.URL, req.Origin = "http://127.0.0.1:1/x", page
			_, err := check.Explain(context.Background(), nil, req)
			var ie *check.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v, want an *InputError", err)
			}
			if ie.Field != tt.field || !strings.Contains(ie.Msg, tt.says) {
				t.Errorf("%s: %s; want field %s saying %q", ie.Field, ie.Msg, tt.field, tt.says)
			}
		})
	}
	// "get" is GET: allowed.
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	if _, err := check.Explain(context.Background(), srv.Client(), check.Request{URL: srv.URL, Origin: page, Destination: img, Method: "get"}); err != nil {
		t.Errorf("an element load with method get: %v", err)
	}
}
