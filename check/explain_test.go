package check_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	cors "github.com/corskit/cors"
	"github.com/corskit/cors/check"
	"github.com/corskit/cors/internal/checktest"
)

const page = "https://app.example.com"

// wantReason is Chromium 156's reason text for each failure class, written
// out here (not computed with internal/engine) so that the test checks
// the wording itself.
var wantReason = map[string]string{
	"missing-acao":                  "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
	"wildcard-with-credentials":     "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
	"multiple-acao":                 "The 'Access-Control-Allow-Origin' header contains multiple values 'https://app.example.com, https://app.example.com', but only one is allowed. Have the server send the header with a valid value.",
	"invalid-acao":                  "The 'Access-Control-Allow-Origin' header contains the invalid value 'true'. Have the server send the header with a valid value.",
	"acao-mismatch":                 "The 'Access-Control-Allow-Origin' header has a value 'https://app.example.com/' that is not equal to the supplied origin. Have the server send the header with a valid value.",
	"bad-acac":                      "The value of the 'Access-Control-Allow-Credentials' header in the response is 'True' which must be 'true' when the request's credentials mode is 'include'.",
	"preflight-missing-acao":        "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
	"preflight-bad-acac":            "Response to preflight request doesn't pass access control check: The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.",
	"preflight-non-2xx":             "Response to preflight request doesn't pass access control check: It does not have HTTP ok status.",
	"preflight-redirect":            "Response to preflight request doesn't pass access control check: Redirect is not allowed for a preflight request.",
	"unparsable-acam":               "Cannot parse Access-Control-Allow-Methods response header field in preflight response.",
	"unparsable-acah":               "Cannot parse Access-Control-Allow-Headers response header field in preflight response.",
	"method-refused":                "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.",
	"header-refused":                "Request header field x-a is not allowed by Access-Control-Allow-Headers in preflight response.",
	"xhr-wildcard-with-credentials": "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'. The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute.",
	"xhr-acao-mismatch":             "The 'Access-Control-Allow-Origin' header has a value 'https://example.com' that is not equal to the supplied origin.",
}

func TestExplainFailureClasses(t *testing.T) {
	for _, c := range checktest.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			srv := httptest.NewServer(c.Handler)
			defer srv.Close()
			url := srv.URL + "/r"
			res, err := check.Explain(context.Background(), srv.Client(), check.Request{
				URL: url, Origin: page, Method: c.Method, Header: c.Header,
				Credentials: c.Credentials, Initiator: c.Initiator,
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Allowed {
				t.Fatalf("allowed; want %s", c.Want)
			}
			if res.Reason != c.Want {
				t.Errorf("reason = %s, want %s", res.Reason, c.Want)
			}
			if hint := strings.ReplaceAll(c.Hint, checktest.OriginPlaceholder, page); res.FailedParameter != hint {
				t.Errorf("failed parameter = %q, want %q", res.FailedParameter, hint)
			}
			kind := "fetch"
			if c.Initiator == check.XHR {
				kind = "XMLHttpRequest"
			}
			want := "Access to " + kind + " at '" + url + "' from origin '" + page + "' has been blocked by CORS policy: " + wantReason[c.Name]
			if res.Message != want {
				t.Errorf("message:\n got %s\nwant %s", res.Message, want)
			}
			wantStage := check.StageActual
			if c.Want.IsPreflight() {
				wantStage = check.StagePreflight
			}
			if res.Stage != wantStage {
				t.Errorf("stage = %s, want %s", res.Stage, wantStage)
			}
			if res.Fix == "" || len(res.Curl) == 0 {
				t.Errorf("no fix or curl: %+v", res)
			}
		})
	}
}

// spy records the requests a server received.
type spy struct {
	next http.Handler
	reqs []*http.Request
}

func (s *spy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.reqs = append(s.reqs, r.Clone(context.Background()))
	s.next.ServeHTTP(w, r)
}

func TestExplainPreflightFormat(t *testing.T) {
	sp := &spy{next: checktest.Cases()[0].Handler}
	srv := httptest.NewServer(sp)
	defer srv.Close()
	_, err := check.Explain(context.Background(), srv.Client(), check.Request{
		URL: srv.URL, Origin: page, Method: "patch", Credentials: true,
		Header: http.Header{"X-B": {"1"}, "X-a": {"1"}, "Content-Type": {"application/json"}, "Accept": {"text/plain"}, "Cookie": {"a=b"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sp.reqs) != 1 {
		t.Fatalf("%d requests, want only the preflight", len(sp.reqs))
	}
	r := sp.reqs[0]
	want := map[string]string{
		"Origin":                         page,
		"Access-Control-Request-Method":  "patch",
		"Access-Control-Request-Headers": "content-type,x-a,x-b",
		"Accept":                         "*/*",
		"Sec-Fetch-Mode":                 "cors",
		"Cookie":                         "",
		"Authorization":                  "",
		"X-B":                            "",
	}
	if r.Method != http.MethodOptions {
		t.Errorf("method %s", r.Method)
	}
	for k, v := range want {
		if got := r.Header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
}

func TestExplainPreflightDecision(t *testing.T) {
	long := strings.Repeat("a", 129)
	tests := []struct {
		name   string
		req    check.Request
		wantPF bool
		wantRH string
	}{
		{"simple GET", check.Request{}, false, ""},
		{"simple POST form", check.Request{Method: "post", Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}}, false, ""},
		{"json", check.Request{Method: "POST", Header: http.Header{"Content-Type": {"application/json"}}}, true, "content-type"},
		{"long accept", check.Request{Header: http.Header{"Accept": {long}}}, true, "accept"},
		{"suffix range", check.Request{Header: http.Header{"Range": {"bytes=-5"}}}, true, "range"},
		{"forbidden header dropped", check.Request{Header: http.Header{"Sec-Foo": {"1"}, "Referer": {"x"}}}, false, ""},
		{"xhr upload", check.Request{Method: "POST", ForcePreflight: true, Initiator: check.XHR, Body: "x"}, true, ""},
		// Chromium 156 sends no preflight for upload listeners when there
		// is no body to upload (GET, or a POST without one).
		{"xhr upload without body", check.Request{Method: "POST", ForcePreflight: true, Initiator: check.XHR}, false, ""},
		{"xhr upload GET", check.Request{ForcePreflight: true, Initiator: check.XHR, Body: "x"}, false, ""},
		{"chromium client hint", check.Request{Header: http.Header{"DPR": {"2.0"}, "Save-Data": {"on"}, "Intervention": {"x"}}}, false, ""},
		{"chromium client hint bad value", check.Request{Header: http.Header{"DPR": {"high"}}}, true, "dpr"},
		{"body adds text/plain", check.Request{Method: "POST", Body: "x", Header: http.Header{"Accept": {strings.Repeat("a", 128)}, "Intervention": {strings.Repeat("a", 128)}, "Accept-Language": {strings.Repeat("a", 128)}, "Content-Language": {strings.Repeat("a", 128)}, "Dpr": {strings.Repeat("1", 128)}, "Width": {strings.Repeat("1", 128)}, "Rtt": {strings.Repeat("1", 128)}, "Viewport-Width": {strings.Repeat("1", 128)}}}, true, "accept,accept-language,content-language,content-type,dpr,intervention,rtt,viewport-width,width"},
		{"PUT", check.Request{Method: "put"}, true, ""},
	}
	srv := httptest.NewServer(cors.AllowAll().Handler(http.NotFoundHandler()))
	defer srv.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.URL, tt.req.Origin = srv.URL, page
			res, err := check.Explain(context.Background(), srv.Client(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Preflight != tt.wantPF || res.RequestHeaders != tt.wantRH {
				t.Errorf("preflight %v %q, want %v %q (%v)", res.Preflight, res.RequestHeaders, tt.wantPF, tt.wantRH, res.PreflightWhy)
			}
		})
	}
}

func TestExplainCorskit(t *testing.T) {
	m, err := cors.New(cors.Config{
		AllowedOrigins:   []string{page},
		AllowedMethods:   []string{http.MethodPut, http.MethodDelete},
		AllowedHeaders:   []string{"Content-Type", "Authorization"},
		ExposedHeaders:   []string{"X-Request-Id"},
		AllowCredentials: true,
		MaxAge:           86400,
	})
	if err != nil {
		t.Fatal(err)
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "42")
		w.Header().Set("X-Secret", "s")
		w.Header().Set("Content-Type", "text/plain")
	})
	srv := httptest.NewServer(m.Handler(app))
	defer srv.Close()

	tests := []struct {
		name      string
		req       check.Request
		allowed   bool
		reason    check.CorsError
		stage     check.Stage
		actual    bool
		readable  string
		chromeTTL int
		debug     bool
	}{
		{name: "simple GET", req: check.Request{Origin: page}, allowed: true, stage: check.StageActual, actual: true, readable: "Content-Length,Content-Type,X-Request-Id"},
		{name: "credentialed GET", req: check.Request{Origin: page, Credentials: true}, allowed: true, stage: check.StageActual, actual: true, readable: "Content-Length,Content-Type,X-Request-Id"},
		{name: "PUT json not sent", req: check.Request{Origin: page, Method: "PUT", Header: http.Header{"Content-Type": {"application/json"}}}, allowed: true, stage: check.StagePreflight, chromeTTL: 7200},
		{name: "PUT sent", req: check.Request{Origin: page, Method: "PUT", SendActual: true, Credentials: true, Header: http.Header{"Authorization": {"Bearer x"}}}, allowed: true, stage: check.StageActual, actual: true, readable: "Content-Length,Content-Type,X-Request-Id", chromeTTL: 7200},
		{name: "other origin", req: check.Request{Origin: "https://evil.example"}, reason: check.MissingAllowOriginHeader, stage: check.StageActual, actual: true},
		{name: "other origin preflight", req: check.Request{Origin: "https://evil.example", Method: "DELETE"}, reason: check.PreflightMissingAllowOriginHeader, stage: check.StagePreflight},
		// A rejected preflight gets a 403 without CORS headers, so the
		// browser only sees the missing ACAO …
		{name: "PATCH refused", req: check.Request{Origin: page, Method: "PATCH"}, reason: check.PreflightMissingAllowOriginHeader, stage: check.StagePreflight},
		// … unless the middleware's debug mode names the culprit.
		{name: "PATCH refused, debug", debug: true, req: check.Request{Origin: page, Method: "PATCH"}, reason: check.MethodDisallowedByPreflightResponse, stage: check.StagePreflight},
		{name: "header refused, debug", debug: true, req: check.Request{Origin: page, Method: "PUT", Header: http.Header{"X-Api-Key": {"k"}}}, reason: check.HeaderDisallowedByPreflightResponse, stage: check.StagePreflight},
		{name: "forced preflight", req: check.Request{Origin: page, Method: "POST", ForcePreflight: true, Initiator: check.XHR, Body: "x"}, allowed: true, stage: check.StagePreflight, chromeTTL: 7200},
		// The page's own origin: sent (it could redirect elsewhere), no
		// CORS, every header readable.
		{name: "same origin", req: check.Request{}, allowed: true, stage: check.StageSameOrigin, actual: true, readable: "Content-Length,Content-Type,Date,Vary,X-Request-Id,X-Secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m.SetDebug(tt.debug)
			tt.req.URL = srv.URL + "/x"
			if tt.req.Origin == "" {
				tt.req.Origin = srv.URL
			}
			res, err := check.Explain(context.Background(), srv.Client(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Allowed != tt.allowed || res.Reason != tt.reason || res.Stage != tt.stage || res.ActualSent != tt.actual {
				t.Fatalf("got allowed=%v reason=%s stage=%s actual=%v (%s); want %v %s %s %v",
					res.Allowed, res.Reason, res.Stage, res.ActualSent, res.Message, tt.allowed, tt.reason, tt.stage, tt.actual)
			}
			if got := strings.Join(res.Readable, ","); got != tt.readable {
				t.Errorf("readable %q, want %q", got, tt.readable)
			}
			if tt.chromeTTL != 0 && (res.Cache == nil || res.Cache.Chromium != tt.chromeTTL || res.Cache.Safari != 600 || res.Cache.Firefox != 86400) {
				t.Errorf("cache %+v", res.Cache)
			}
			if tt.allowed != (res.Message == "") {
				t.Errorf("message %q", res.Message)
			}
		})
	}
}

func TestExplainRedirect(t *testing.T) {
	final := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/null-ok" && r.Header.Get("Origin") == "null" {
			w.Header().Set("Access-Control-Allow-Origin", "null")
		}
		if r.URL.Path == "/page-origin" {
			w.Header().Set("Access-Control-Allow-Origin", page)
		}
	}))
	defer final.Close()
	first := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/bare": // no ACAO on the redirect itself
			http.Redirect(w, r, final.URL+"/null-ok", http.StatusFound)
			return
		case "/userinfo":
			w.Header().Set("Access-Control-Allow-Origin", page)
			http.Redirect(w, r, "http://u:p@example.com/", http.StatusFound)
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", page)
		http.Redirect(w, r, final.URL+r.URL.Path, http.StatusFound)
	}))
	defer first.Close()

	tests := []struct {
		path    string
		allowed bool
		reason  check.CorsError
		message string
	}{
		{"/null-ok", true, "", ""},
		{"/page-origin", false, check.AllowOriginMismatch,
			"Access to fetch at '" + final.URL + "/page-origin' (redirected from '" + first.URL + "/page-origin') from origin '" + page + "' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value '" + page + "' that is not equal to the supplied origin. Have the server send the header with a valid value."},
		{"/bare", false, check.MissingAllowOriginHeader,
			"Access to fetch at '" + first.URL + "/bare' from origin '" + page + "' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."},
		{"/userinfo", false, check.RedirectContainsCredentials,
			"Access to fetch at '" + first.URL + "/userinfo' from origin '" + page + "' has been blocked by CORS policy: Redirect location '' contains a username and password, which is disallowed for cross-origin requests."},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, err := check.Explain(context.Background(), first.Client(), check.Request{URL: first.URL + tt.path, Origin: page})
			if err != nil {
				t.Fatal(err)
			}
			if res.Allowed != tt.allowed || res.Reason != tt.reason || res.Message != tt.message {
				t.Errorf("got %v %s\n%s\nwant %v %s\n%s", res.Allowed, res.Reason, res.Message, tt.allowed, tt.reason, tt.message)
			}
		})
	}
}

func TestExplainInputErrors(t *testing.T) {
	tests := []struct {
		name  string
		req   check.Request
		field string
	}{
		{"no url", check.Request{Origin: page}, "url"},
		{"relative url", check.Request{URL: "/x", Origin: page}, "url"},
		{"ftp url", check.Request{URL: "ftp://x/", Origin: page}, "url"},
		{"origin with path", check.Request{URL: "http://x/", Origin: page + "/"}, "origin"},
		{"no origin", check.Request{URL: "http://x/"}, "origin"},
		{"forbidden method", check.Request{URL: "http://x/", Origin: page, Method: "TRACE"}, "method"},
		{"bad method", check.Request{URL: "http://x/", Origin: page, Method: "GE T"}, "method"},
		{"bad header", check.Request{URL: "http://x/", Origin: page, Header: http.Header{"X Y": {"1"}}}, "header"},
	}
	for _, tt := range tests {
		_, err := check.Explain(context.Background(), nil, tt.req)
		ie, ok := err.(*check.InputError)
		if !ok || ie.Field != tt.field {
			t.Errorf("%s: err = %v, want an InputError on %s", tt.name, err, tt.field)
		}
	}
}

// TestExplainCookieAndBody: Request.Cookie goes only with a credentialed
// actual request, never with the preflight; Request.Body goes with the
// actual request, with the Content-Type a browser adds to a string body.
func TestExplainCookieAndBody(t *testing.T) {
	m, err := cors.New(cors.Config{AllowedOrigins: []string{page}, AllowedMethods: []string{http.MethodPut}, AllowCredentials: true})
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	sp := &spy{next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		m.Handler(http.NotFoundHandler()).ServeHTTP(w, r)
	})}
	srv := httptest.NewServer(sp)
	defer srv.Close()
	for _, creds := range []bool{false, true} {
		sp.reqs, bodies = nil, nil
		_, err := check.Explain(context.Background(), srv.Client(), check.Request{
			URL: srv.URL, Origin: page, Method: "PUT", SendActual: true,
			Credentials: creds, Cookie: "session=abc", Body: "hello",
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(sp.reqs) != 2 {
			t.Fatalf("credentials=%v: %d requests, want preflight and actual", creds, len(sp.reqs))
		}
		pre, act := sp.reqs[0], sp.reqs[1]
		if c := pre.Header.Get("Cookie"); c != "" || bodies[0] != "" {
			t.Errorf("preflight carried Cookie %q, body %q", c, bodies[0])
		}
		wantCookie := ""
		if creds {
			wantCookie = "session=abc"
		}
		if c := act.Header.Get("Cookie"); c != wantCookie {
			t.Errorf("credentials=%v: actual Cookie %q, want %q", creds, c, wantCookie)
		}
		if bodies[1] != "hello" || act.Header.Get("Content-Type") != "text/plain;charset=UTF-8" {
			t.Errorf("actual body %q, Content-Type %q", bodies[1], act.Header.Get("Content-Type"))
		}
	}
}
