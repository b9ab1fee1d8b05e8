package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/corskit/cors/check"
	"github.com/corskit/cors/e2e/internal/driver"
)

// TestLNA proves corscheck's Local Network Access verdicts in Chromium.
// Every server here is on 127.0.0.1; a Chromium of the test's own is started
// with --ip-address-space-overrides=127.0.0.1:PORT=public (and =local), so
// that pages served from those ports are in the public (or local) address
// space and the API, on another port, stays loopback. Permissions are set
// per page origin with the DevTools protocol's Browser.setPermission,
// whose names Chromium 156 knows as "loopback-network" and "local-network"
// (a grant of "local-network-access", the name before Chrome 145, lets
// nothing through). A headless Chromium cannot prompt: a permission never
// set behaves as denied.
//
// Chromium checks every URL a request reaches: the redirect cases start on
// the page's own origin (which corscheck, like Chromium, places in the
// page's space) and are redirected to the loopback API.
func TestLNA(t *testing.T) {
	if !engineSelected(chromium) {
		t.Skipf("Chromium is not among the selected engines (%s=%s)", engineEnv, os.Getenv(engineEnv))
	}
	requireBrowser(t) // skips, or fails under CI=true, without Chromium

	api := newAPIServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/cors") || r.Header.Get("Upgrade") != "" {
			w.Header().Set("Access-Control-Allow-Origin", "*")
		}
		if r.Header.Get("Upgrade") == "websocket" {
			wsAccept(w, r, "websocket", "")
		}
	}))
	publicPage, localPage, loopbackPage := lnaPageServer(t), newPageServer(t), newPageServer(t)
	ctx := lnaBrowser(t, map[*httptest.Server]string{publicPage: "public", localPage: "local"})

	port := func(s *httptest.Server) string { _, p, _ := net.SplitHostPort(s.Listener.Addr().String()); return p }
	secure := "http://127.0.0.1:" + port(publicPage)           // a secure context (loopback host) in the public space
	insecure := originOf(publicPage, "public.test")            // the same server under a name: not a secure context
	local := "http://127.0.0.1:" + port(localPage)             // the local space
	loopbackOrigin := "http://127.0.0.1:" + port(loopbackPage) // the loopback space, as the API
	wsURL := "ws" + strings.TrimPrefix(api.URL, "http")

	type lnaCase struct {
		name       string
		page       string                       // the page's origin
		space      string                       // what corscheck is told of the page (what the override makes it)
		permission cdpbrowser.PermissionSetting // set before the case; "" leaves it as it is
		granted    bool                         // loopback-network is granted to the page
		ws         bool
		path       string
		header     bool   // the fetch() sets a header that needs a preflight
		decl       string // targetAddressSpace
		redirect   bool   // the page fetches its own /redirect, which sends the request to the API
		reached    bool   // the request reached the API
	}
	denied, granted := cdpbrowser.PermissionSettingDenied, cdpbrowser.PermissionSettingGranted
	cases := []lnaCase{
		{name: "prompt (headless: denied)", page: secure, space: "public", path: "/cors/prompt"},
		{name: "permission denied", page: secure, space: "public", permission: denied, path: "/cors/denied"},
		{name: "websocket, permission denied", page: secure, space: "public", permission: denied, ws: true, path: "/ws/denied"},
		{name: "permission granted", page: secure, space: "public", permission: granted, granted: true, path: "/cors/granted", reached: true},
		{name: "permission granted, CORS refuses", page: secure, space: "public", permission: granted, granted: true, path: "/nocors/granted", reached: true},
		{name: "granted, targetAddressSpace loopback", page: secure, space: "public", permission: granted, granted: true, path: "/cors/declared", decl: "loopback", reached: true},
		{name: "granted, targetAddressSpace mismatch", page: secure, space: "public", permission: granted, granted: true, path: "/cors/mismatch", decl: "local"},
		{name: "websocket, permission granted", page: secure, space: "public", permission: granted, granted: true, ws: true, path: "/ws/granted", reached: true},
		{name: "insecure page", page: insecure, space: "public", path: "/cors/insecure"},
		{name: "websocket, insecure page", page: insecure, space: "public", ws: true, path: "/ws/insecure"},
		{name: "same space: loopback page", page: loopbackOrigin, path: "/cors/loopback", reached: true},
		{name: "local page to loopback: no LNA", page: local, space: "local", path: "/cors/local", reached: true},
		// The one LNA failure a page on this machine meets without flags
		// (the demo shows it): a targetAddressSpace that is not the
		// target's.
		{name: "loopback page, targetAddressSpace mismatch", page: loopbackOrigin, path: "/cors/loopback-mismatch", decl: "local"},
		// Redirects: the permission, the secure context and the declared
		// space are judged at the redirect's target.
		{name: "redirected into loopback, permission denied", page: secure, space: "public", permission: denied, path: "/cors/redir-denied", redirect: true},
		{name: "redirected into loopback, permission granted", page: secure, space: "public", permission: granted, granted: true, path: "/cors/redir-granted", redirect: true, reached: true},
		{name: "insecure page, redirected into loopback", page: insecure, space: "public", path: "/cors/redir-insecure", redirect: true},
		{name: "preflighted, redirected into loopback, permission denied", page: secure, space: "public", permission: denied, path: "/cors/redir-preflight", redirect: true, header: true},
		// fetch()'s targetAddressSpace holds at every URL: "public" fits
		// the page's own origin, not the loopback target.
		{name: "insecure page, targetAddressSpace public, redirected into loopback", page: insecure, space: "public", path: "/cors/redir-declared", redirect: true, decl: "public"},
		// On the page's own origin, a declared space the page is not in:
		// refused there, unless the URL is potentially trustworthy.
		{name: "insecure page, targetAddressSpace loopback for its own origin", page: insecure, space: "public", path: "/cors/redir-own-mismatch", redirect: true, decl: "loopback"},
		{name: "secure page, targetAddressSpace loopback for its own origin", page: secure, space: "public", permission: granted, granted: true, path: "/cors/redir-own-secure", redirect: true, decl: "loopback", reached: true},
	}
	for _, c := range cases {
		if c.permission != "" {
			// Chromium 145 and later: loopback targets need
			// loopback-network.
			if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
				Permission: &cdpbrowser.PermissionDescriptor{Name: "loopback-network"}, Setting: c.permission, Origin: c.page,
			}); err != nil {
				t.Fatalf("%s: Browser.setPermission loopback-network %s: %v", c.name, c.permission, err)
			}
		}
		openPage(t, ctx, c.page+"/")
		if err := settleConsole(ctx); err != nil {
			t.Fatal(err)
		}
		skip := len(consoleLines(ctx))
		var browserLines, predicted []string
		var opened bool
		if c.ws {
			got, err := openSocket(ctx, wsURL+c.path, nil)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if err := settleConsole(ctx); err != nil {
				t.Fatal(err)
			}
			opened, browserLines = got.State == "open", socketLines(ctx, skip)
			res, err := check.ExplainWebSocket(context.Background(), nil, check.WebSocketRequest{URL: wsURL + c.path, Origin: c.page, PageAddressSpace: c.space})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			predicted = lnaPrediction(res.LocalNetworkAccess, res.Message, c.granted)
		} else {
			target := api.URL + c.path
			if c.redirect {
				target = c.page + "/redirect?to=" + url.QueryEscape(api.URL+c.path)
			}
			init := lnaInit(c.decl, c.header)
			script := fmt.Sprintf("const r = await fetch(%q%s); return r.status", target, init)
			var status int
			err := evalJSON(ctx, script, &status)
			opened = err == nil && status == http.StatusOK
			if err := settleConsole(ctx); err != nil {
				t.Fatal(err)
			}
			for _, l := range consoleLines(ctx)[skip:] {
				if isCORSLine(chromium, l) {
					browserLines = append(browserLines, l.Text)
				}
			}
			req := check.Request{URL: target, Origin: c.page, PageAddressSpace: c.space, TargetAddressSpace: c.decl}
			if c.header {
				req.Header = http.Header{"X-Lna": {"1"}}
			}
			res, err := check.Explain(context.Background(), loopback, req) // har_test.go: every name on 127.0.0.1
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			predicted = lnaPrediction(res.LocalNetworkAccess, res.Message, c.granted)
		}
		reached := slices.ContainsFunc(api.requests(c.path), func(r apiRequest) bool {
			return r.Header.Get("User-Agent") != check.UserAgent // Chromium's, not corscheck's
		})
		if reached != c.reached {
			t.Errorf("%s: the request reached the API: %v, want %v", c.name, reached, c.reached)
		}
		wantOpen := len(predicted) == 0
		if opened != wantOpen || !slices.Equal(browserLines, predicted) {
			t.Errorf("%s: Chromium ok=%v, console %q\n corscheck ok=%v, console %q", c.name, opened, browserLines, wantOpen, predicted)
		}
	}
}

// lnaPrediction is the console lines corscheck predicts when the page has
// (granted) or has not the permission: the refusal's line, or, once
// granted, the result's own line (CORS, or the WebSocket's), or none.
func lnaPrediction(lna *check.LocalNetworkAccess, message string, granted bool) []string {
	switch {
	case lna != nil && lna.Applies && len(lna.Outcomes) > 0 && (len(lna.Outcomes) == 1 || !granted):
		return []string{lna.Outcomes[0].Message}
	case message == "":
		return nil
	}
	return []string{message}
}

// lnaInit is fetch()'s init: the targetAddressSpace decl, and with header
// a request header that needs a preflight.
func lnaInit(decl string, header bool) string {
	var opts []string
	if decl != "" {
		opts = append(opts, fmt.Sprintf("targetAddressSpace: %q", decl))
	}
	if header {
		opts = append(opts, `headers: {"X-Lna": "1"}`)
	}
	if len(opts) == 0 {
		return ""
	}
	return ", {" + strings.Join(opts, ", ") + "}"
}

// lnaPageServer is newPageServer with a route /redirect?to=URL that
// redirects there (302, with Access-Control-Allow-Origin: * for the CORS
// check of the redirect itself).
func lnaPageServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if r.URL.Path == "/redirect" {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, pageHTML)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// lnaBrowser starts a Chromium of the test's own, where each page server's
// port is in the address space spaces gives it, and opens a tab in it.
func lnaBrowser(t *testing.T, spaces map[*httptest.Server]string) context.Context {
	t.Helper()
	var overrides []string
	for s, space := range spaces {
		overrides = append(overrides, s.Listener.Addr().String()+"="+space)
	}
	slices.Sort(overrides)
	dir := t.TempDir()
	// HOST:PORT=public|local|loopback, comma-separated
	// (services/network/public/cpp/ip_address_space_util.cc).
	opts := append(chromiumOptions(dir), chromedp.Flag("ip-address-space-overrides", strings.Join(overrides, ",")))
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(func() { bcancel(); acancel() })
	start := make(chan error, 1)
	go func() { start <- chromedp.Do(bctx) }()
	select {
	case err := <-start:
		if err != nil {
			t.Fatalf("starting Chromium with --ip-address-space-overrides: %v", err)
		}
	case <-time.After(browserStartTimeout):
		t.Fatalf("Chromium did not start within %v", browserStartTimeout)
	}
	ctx, cancel := context.WithTimeout(bctx, 2*tabTimeout)
	t.Cleanup(cancel)
	p := &chromiumPage{ctx: ctx, console: driver.NewConsole()}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			p.console.Add(driver.Line{Level: string(m.Type), Source: m.Source, Text: m.Text})
		}
	}()
	return withPage(t, ctx, chromium, p)
}
