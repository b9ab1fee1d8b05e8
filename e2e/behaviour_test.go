package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/corskit/cors"
	"github.com/corskit/cors/internal/engine"
)

// TestReconfigure: a policy swapped with Reconfigure applies to the next
// preflight, and an invalid one leaves the old policy in force.
func TestReconfigure(t *testing.T) {
	forEachEngine(t, testReconfigure)
}

func testReconfigure(t *testing.T, eng engineName) {
	ctx := openTab(t, eng)
	page := newPageServer(t)
	origin := page.URL
	mw, err := cors.New(cors.Config{AllowedOrigins: []string{origin}, MaxAge: -1})
	if err != nil {
		t.Fatal(err)
	}
	mw.SetDebug(true)
	api := newAPIServer(t, mw.Handler(testApp))
	openPage(t, ctx, origin+"/")
	put := request{Method: "PUT", URL: api.URL + "/r"}

	if res, err := call(ctx, put); err != nil || res.OK {
		t.Fatalf("PUT before Reconfigure: %+v, %v; want blocked", res, err)
	}
	refused := engine.Failure{Check: engine.MethodNotAllowed, Preflight: true, Status: http.StatusNoContent, Value: "PUT", URL: put.URL}
	first, err := expectLines(ctx, eng, 0, chromiumReason{reason: methodNotAllowed("PUT")}, blockedLines{
		firefox: engine.Firefox.Console(refused),
		webkit:  engine.WebKit.Console(refused),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := mw.Reconfigure(cors.Config{AllowedOrigins: []string{origin}, AllowedMethods: []string{"PUT"}, MaxAge: -1}); err != nil {
		t.Fatal(err)
	}
	if res, err := call(ctx, put); err != nil || !res.OK {
		t.Fatalf("PUT after Reconfigure: %+v, %v; want allowed", res, err)
	}
	if err := mw.Reconfigure(cors.Config{AllowedOrigins: []string{"*"}, AllowCredentials: true}); err == nil {
		t.Fatal("Reconfigure accepted * with credentials")
	}
	if res, err := call(ctx, put); err != nil || !res.OK {
		t.Fatalf("PUT after a refused Reconfigure: %+v, %v; want allowed (old policy in force)", res, err)
	}
	if err := settleConsole(ctx); err != nil {
		t.Fatal(err)
	}
	if got := corsErrors(ctx); len(got) != first {
		t.Errorf("CORS console lines: %q, want only the first call's %d", texts(got), first)
	}
	if n := api.preflights("/r"); n != 3 {
		t.Errorf("preflights: %d, want 3 (MaxAge -1: none cached)", n)
	}
}

// TestVaryOriginWithHTTPCache: a cacheable response must not be served from
// Chromium's HTTP cache to another origin, or to a CORS request after a
// non-CORS one. The policy's responses vary on Origin (design §2), so both
// succeed; a control server that reflects the origin without Vary shows the
// test would catch it.
func TestVaryOriginWithHTTPCache(t *testing.T) {
	forEachEngine(t, testVaryOriginWithHTTPCache)
}

func testVaryOriginWithHTTPCache(t *testing.T, eng engineName) {
	pageA, pageB := newPageServer(t), newPageServer(t)
	cacheable := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=600")
		fmt.Fprint(w, "hello cached")
	})
	noVary := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "" {
			w.Header().Set("Access-Control-Allow-Origin", o)
		}
		cacheable(w, r)
	})
	mw, err := cors.New(cors.Config{AllowedOrigins: []string{"http://127.0.0.1:*"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		h         http.Handler
		navFirst  bool // first load the URL as a top-level navigation (no Origin)
		blocked   bool
		reasonFmt string // %s: the first origin
		// Engines whose HTTP cache does not hand the first answer to the
		// second fetch even without Vary, and why: there the control is
		// allowed and the API sees both requests.
		refetch map[engineName]string
	}{
		{name: "two origins", h: mw.Handler(cacheable)},
		{name: "non-CORS then CORS", h: mw.Handler(cacheable), navFirst: true},
		{name: "control: two origins, no Vary", h: noVary, blocked: true,
			reasonFmt: "The 'Access-Control-Allow-Origin' header has a value '%s' that is not equal to the supplied origin. Have the server send the header with a valid value.",
			refetch:   map[engineName]string{webkit: webkitRefetchOtherOrigin}},
		{name: "control: non-CORS then CORS, no Vary", h: noVary, navFirst: true, blocked: true, reasonFmt: noACAO,
			refetch: map[engineName]string{firefox: firefoxNavigationCacheApart}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if why, ok := tc.refetch[eng]; ok {
				t.Logf("%s differs: %s", eng, why)
				tc.blocked = false
			}
			api := newAPIServer(t, tc.h)
			u := api.URL + "/cached"
			first := pageA.URL
			if tc.navFirst {
				first = u
			} else {
				ctx := openTab(t, eng)
				openPage(t, ctx, first+"/")
				if res, err := call(ctx, request{URL: u}); err != nil || !res.OK {
					t.Fatalf("first fetch from %s: %+v, %v", first, res, err)
				}
			}
			ctx := openTab(t, eng)
			if tc.navFirst {
				openPage(t, ctx, u)
			}
			openPage(t, ctx, pageB.URL+"/")
			res, err := call(ctx, request{URL: u})
			if err != nil {
				t.Fatal(err)
			}
			if res.OK == tc.blocked {
				t.Fatalf("second fetch from %s: %+v; want blocked=%v", pageB.URL, res, tc.blocked)
			}
			if tc.blocked {
				reason := tc.reasonFmt
				if tc.reasonFmt != noACAO {
					reason = fmt.Sprintf(tc.reasonFmt, first)
				}
				// Firefox and WebKit judge the cached answer as Chromium
				// does: its ACAO names the first origin, or is absent.
				ff := engine.FirefoxMessage(engine.FirefoxAllowOriginNotMatchingOrigin, u, first)
				wk := engine.WebKitOriginNotAllowed(pageB.URL, http.StatusOK)
				if tc.reasonFmt == noACAO {
					ff = engine.FirefoxMessage(engine.FirefoxMissingAllowOrigin, u, engine.FirefoxStatus(http.StatusOK))
				}
				if _, err := expectLines(ctx, eng, 0, chromiumReason{reason: reason}, blockedLines{
					firefox: {ff},
					webkit:  {wk, engine.WebKitCannotLoad("Fetch API", u)},
				}); err != nil {
					t.Fatal(err)
				}
			}
			// With Vary the cache cannot answer the second fetch; without it,
			// it does.
			want := 2
			if tc.blocked {
				want = 1
			}
			if n := len(api.requests("/cached")); n != want {
				t.Errorf("the API saw %d requests, want %d", n, want)
			}
		})
	}
}

// Where an engine's HTTP cache does not show the missing-Vary bug of a
// control case (observed on this machine; the control still proves the
// test catches the bug in the other engines):
const (
	// WebKit's memory cache does not reuse a response fetched for another
	// origin: CachedResourceLoader::determineRevalidationPolicy reloads a
	// cached resource when the request's origin differs from the one it was
	// loaded for (WebKitGTK 2.50 sends the second request).
	webkitRefetchOtherOrigin = "WebKit reloads a cached response requested by another origin (CachedResourceLoader::determineRevalidationPolicy)"
	// Firefox keeps the top-level navigation's cache entry apart from the
	// CORS fetch's (Firefox 153 sends the second request; its HTTP cache
	// key includes the load's anonymous/CORS mode).
	firefoxNavigationCacheApart = "Firefox does not serve a navigation's cached response to a CORS fetch (observed in Firefox 153)"
)

// TestParseCORSMessage checks the console-line parser on lines in the
// formats of B.12.1 (no browser needed).
func TestParseCORSMessage(t *testing.T) {
	for _, tc := range []struct {
		text string
		want corsMessage
		ok   bool
	}{
		{text: "Access to fetch at 'http://a:1/x' from origin 'http://b:2' has been blocked by CORS policy: " + noACAO,
			want: corsMessage{Kind: "fetch", URL: "http://a:1/x", Origin: "http://b:2", Reason: noACAO}, ok: true},
		{text: "Access to XMLHttpRequest at 'http://a:1/y' (redirected from 'http://a:1/x') from origin 'null' has been blocked by CORS policy: " + preflightPrefix + notOKStatus,
			want: corsMessage{Kind: "XMLHttpRequest", URL: "http://a:1/y", RedirectedFrom: "http://a:1/x", Origin: "null", Preflight: true, Reason: notOKStatus}, ok: true},
		{text: "Access to CSS stylesheet at 'http://a/s.css' from origin 'http://b' has been blocked by CORS policy: " + methodNotAllowed("PUT"),
			want: corsMessage{Kind: "CSS stylesheet", URL: "http://a/s.css", Origin: "http://b", Reason: methodNotAllowed("PUT")}, ok: true},
		{text: "Failed to load resource: net::ERR_FAILED"},
	} {
		got, ok := parseCORSMessage(tc.text)
		if tc.ok {
			tc.want.Text = tc.text
		}
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseCORSMessage(%q) = %+v, %v; want %+v, %v", tc.text, got, ok, tc.want, tc.ok)
		}
	}
}
