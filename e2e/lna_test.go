package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
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
	publicPage, localPage, loopbackPage := newPageServer(t), newPageServer(t), newPageServer(t)
	ctx := lnaBrowser(t, map[*httptest.Server]string{publicPage: "public", localPage: "local"})

	port := func(s *httptest.Server) string { _, p, _ := net.SplitHostPort(s.Listener.Addr().String()); return p }
	secure := "http://127.0.0.1:" + port(publicPage)     // a secure context (loopback host) in the public space
	insecure := originOf(publicPage, "public.test")      // the same server under a name: not a secure context
	local := "http://127.0.0.1:" + port(localPage)       // the local space
	loopback := "http://127.0.0.1:" + port(loopbackPage) // the loopback space, as the API
	wsURL := "ws" + strings.TrimPrefix(api.URL, "http")

	type lnaCase struct {
		name       string
		page       string                       // the page's origin
		space      string                       // what corscheck is told of the page (what the override makes it)
		permission cdpbrowser.PermissionSetting // set before the case; "" leaves it as it is
		granted    bool                         // loopback-network is granted to the page
		ws         bool
		path       string
		decl       string // targetAddressSpace
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
		{name: "same space: loopback page", page: loopback, path: "/cors/loopback", reached: true},
		{name: "local page to loopback: no LNA", page: local, space: "local", path: "/cors/local", reached: true},
		// The one LNA failure a page on this machine meets without flags
		// (the demo shows it): a targetAddressSpace that is not the
		// target's.
		{name: "loopback page, targetAddressSpace mismatch", page: loopback, path: "/cors/loopback-mismatch", decl: "local"},
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
			script := fmt.Sprintf("const r = await fetch(%q%s); return r.status", api.URL+c.path, lnaInit(c.decl))
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
			res, err := check.Explain(context.Background(), nil, check.Request{URL: api.URL + c.path, Origin: c.page, PageAddressSpace: c.space, TargetAddressSpace: c.decl})
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

func lnaInit(decl string) string {
	if decl == "" {
		return ""
	}
	return fmt.Sprintf(", {targetAddressSpace: %q}", decl)
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
	return withPage(ctx, chromium, p)
}
