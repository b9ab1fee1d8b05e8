package check_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/corskit/cors/check"
)

// testNames is the DNS the package's tests see: these names only, so that
// no test depends on the machine's resolver.
var testNames = map[string]string{
	"public.example":  "93.184.216.34",
	"printer.example": "192.168.1.5",
	"dev.example":     "127.0.0.1",
}

func init() {
	check.SetResolver(func(_ context.Context, host string) ([]netip.Addr, error) {
		if a, ok := testNames[host]; ok {
			return []netip.Addr{netip.MustParseAddr(a)}, nil
		}
		return nil, errors.New("no such host")
	})
}

// spyServer answers every request with ACAO: * and counts what reached it.
func spyServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// The console lines are Chromium 156's, as e2e TestLNA sees them.
func TestLocalNetworkAccess(t *testing.T) {
	srv, hits := spyServer(t)
	url := srv.URL + "/api"
	for _, c := range []struct {
		name                string
		origin, space, decl string
		browser             check.Browser
		xhr                 bool
		applies, blocked    bool
		page, target        string
		reason              check.CorsError
		message             string // the blocking line, or the denied outcome's
		sent                bool   // the request reached the server
	}{
		{name: "secure public page: a permission prompt", origin: "https://app.example.com", space: "public",
			applies: true, page: "public", target: "loopback", sent: true,
			reason:  check.LocalNetworkAccessPermissionDenied,
			message: "Access to fetch at '" + url + "' from origin 'https://app.example.com' has been blocked by CORS policy: Permission was denied for this request to access the `loopback` address space."},
		{name: "public by DNS", origin: "https://public.example", applies: true, page: "public", target: "loopback", sent: true,
			reason:  check.LocalNetworkAccessPermissionDenied,
			message: "Access to fetch at '" + url + "' from origin 'https://public.example' has been blocked by CORS policy: Permission was denied for this request to access the `loopback` address space."},
		{name: "xhr", origin: "https://public.example", xhr: true, applies: true, page: "public", target: "loopback", sent: true,
			reason:  check.LocalNetworkAccessPermissionDenied,
			message: "Access to XMLHttpRequest at '" + url + "' from origin 'https://public.example' has been blocked by CORS policy: Permission was denied for this request to access the `loopback` address space."},
		{name: "insecure public page: refused before sending", origin: "http://page.test:8080", space: "public",
			applies: true, blocked: true, page: "public", target: "loopback", reason: check.InsecureLocalNetwork,
			message: "Access to fetch at '" + url + "' from origin 'http://page.test:8080' has been blocked by CORS policy: The request client is not a secure context and the resource is in more-private address space `loopback`."},
		{name: "targetAddressSpace mismatch", origin: "https://public.example", decl: "local",
			applies: true, blocked: true, page: "public", target: "loopback", reason: check.InvalidLocalNetworkAccess,
			message: "Access to fetch at '" + url + "' from origin 'https://public.example' has been blocked by CORS policy: Request had a target IP address space of `local` yet the resource is in address space `loopback`."},
		{name: "targetAddressSpace public on a public page", origin: "https://public.example", decl: "public",
			applies: true, blocked: true, page: "public", target: "loopback", reason: check.InvalidLocalNetworkAccess,
			message: "Access to fetch at '" + url + "' from origin 'https://public.example' has been blocked by CORS policy: Request had a target IP address space of `public` yet the resource is in address space `loopback`."},
		{name: "targetAddressSpace matches", origin: "https://public.example", decl: "loopback", applies: true, page: "public", target: "loopback", sent: true,
			reason:  check.LocalNetworkAccessPermissionDenied,
			message: "Access to fetch at '" + url + "' from origin 'https://public.example' has been blocked by CORS policy: Permission was denied for this request to access the `loopback` address space."},
		{name: "loopback page: same space", origin: "http://localhost:3000", page: "loopback", target: "loopback", sent: true},
		{name: "local page to loopback: one space for LNA", origin: "http://printer.example", page: "local", target: "loopback", sent: true},
		{name: "loopback by DNS", origin: "http://dev.example:8080", page: "loopback", target: "loopback", sent: true},
		{name: "unknown page: not judged", origin: "http://page.test:8080", page: "unknown", target: "loopback", sent: true},
		{name: "Firefox: no blocking by default", origin: "http://page.test:8080", space: "public", browser: check.Firefox,
			applies: true, page: "public", target: "loopback", sent: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := hits.Load()
			req := check.Request{URL: url, Origin: c.origin, PageAddressSpace: c.space, TargetAddressSpace: c.decl, Browser: c.browser}
			if c.xhr {
				req.Initiator = check.XHR
			}
			res, err := check.Explain(context.Background(), srv.Client(), req)
			if err != nil {
				t.Fatal(err)
			}
			lna := res.LocalNetworkAccess
			if lna == nil {
				t.Fatal("no LocalNetworkAccess in the result")
			}
			if lna.Applies != c.applies || lna.PageAddressSpace != c.page || lna.TargetAddressSpace != c.target {
				t.Errorf("applies %v, page %s, target %s; want %v, %s, %s", lna.Applies, lna.PageAddressSpace, lna.TargetAddressSpace, c.applies, c.page, c.target)
			}
			if sent := hits.Load() > before; sent != c.sent {
				t.Errorf("request reached the server: %v, want %v", sent, c.sent)
			}
			switch {
			case c.blocked:
				if res.Allowed || res.Stage != check.StageLocalNetworkAccess || res.Reason != c.reason || res.Message != c.message {
					t.Errorf("got allowed=%v stage=%s reason=%s\n message %q\nwant blocked at local-network-access, %s\n message %q", res.Allowed, res.Stage, res.Reason, res.Message, c.reason, c.message)
				}
				if len(res.Exchanges) != 0 {
					t.Errorf("%d exchanges, want none", len(res.Exchanges))
				}
			case c.reason != "":
				if !res.Allowed || res.Stage != check.StageActual {
					t.Errorf("CORS verdict allowed=%v stage=%s, want allowed at the actual request (the outcome once granted)", res.Allowed, res.Stage)
				}
				want := []check.LNAOutcome{{When: "permission denied", Reason: c.reason, Message: c.message}, {When: "permission granted", Proceeds: true}}
				if len(lna.Outcomes) != 2 || lna.Outcomes[0] != want[0] || lna.Outcomes[1] != want[1] {
					t.Errorf("outcomes\n got %+v\nwant %+v", lna.Outcomes, want)
				}
				if lna.Permission != "loopback-network" || !lna.SecureContext {
					t.Errorf("permission %q, secure %v; want loopback-network, true", lna.Permission, lna.SecureContext)
				}
			default:
				if !res.Allowed || len(lna.Outcomes) != 0 {
					t.Errorf("allowed %v, outcomes %+v; want allowed with no LNA outcome", res.Allowed, lna.Outcomes)
				}
			}
		})
	}
}

func TestLocalNetworkAccessInput(t *testing.T) {
	for _, req := range []check.Request{
		{URL: "http://127.0.0.1:1/", Origin: "https://a.example", PageAddressSpace: "intranet"},
		{URL: "http://127.0.0.1:1/", Origin: "https://a.example", TargetAddressSpace: "lan"},
	} {
		_, err := check.Explain(context.Background(), nil, req)
		var ie *check.InputError
		if !errors.As(err, &ie) {
			t.Errorf("%+v: error %v, want an InputError", req, err)
		}
	}
}

// A "null" origin says nothing of the page's address: no judgement unless
// the caller gives it.
func TestLocalNetworkAccessNullOrigin(t *testing.T) {
	srv, _ := spyServer(t)
	res, err := check.Explain(context.Background(), srv.Client(), check.Request{URL: srv.URL, Origin: "null"})
	if err != nil {
		t.Fatal(err)
	}
	if res.LocalNetworkAccess != nil {
		t.Errorf("LocalNetworkAccess = %+v, want nil", res.LocalNetworkAccess)
	}
	res, err = check.Explain(context.Background(), srv.Client(), check.Request{URL: srv.URL, Origin: "null", PageAddressSpace: "public"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stage != check.StageLocalNetworkAccess || res.Reason != check.InsecureLocalNetwork {
		t.Errorf("stage %s reason %s, want the insecure-context refusal", res.Stage, res.Reason)
	}
}
