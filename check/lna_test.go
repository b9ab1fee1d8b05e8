package check_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"sync"
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

// Chromium checks Local Network Access at every URL a request reaches,
// before anything is sent there: the first, and each redirect's target
// (e2e TestLNA shows each case below in Chromium 156), fetch()'s
// targetAddressSpace included.
func TestLocalNetworkAccessRedirects(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{} // "METHOD /path"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.Method+" "+r.URL.Path]++
		mu.Unlock()
		w.Header().Set("Access-Control-Allow-Origin", "*")
		switch {
		case r.Method == http.MethodOptions:
			w.Header().Set("Access-Control-Allow-Headers", "*")
			w.WriteHeader(http.StatusNoContent)
		case r.URL.Path == "/redirect":
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
		}
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	// Every name reaches the server; the test resolver says what space
	// each is in (public.example: public).
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}}}
	pub, lo := "http://public.example:"+port, "http://127.0.0.1:"+port
	api := lo + "/api"
	via := pub + "/redirect?to=" + url.QueryEscape(api)
	line := func(u, initial, origin, text string) string {
		from := ""
		if initial != "" {
			from = "(redirected from '" + initial + "') "
		}
		return "Access to fetch at '" + u + "' " + from + "from origin '" + origin + "' has been blocked by CORS policy: " + text
	}
	denied := "Permission was denied for this request to access the `loopback` address space."
	insecure := "The request client is not a secure context and the resource is in more-private address space `loopback`."
	for _, c := range []struct {
		name                string
		origin, space, decl string
		header              string // a request header that needs a preflight
		browser             check.Browser
		// want
		blocked bool
		reason  check.CorsError
		message string // the refusal, or the denied outcome's line
		lnaURL  string // LocalNetworkAccess.URL
		hits    []string
	}{
		{name: "a redirect into loopback: the permission is asked there", origin: "https://app.example.com", space: "public",
			reason: check.LocalNetworkAccessPermissionDenied, message: line(api, via, "https://app.example.com", denied), lnaURL: api,
			hits: []string{"GET /redirect", "GET /api"}},
		{name: "insecure page: refused at the redirect's target", origin: "http://page.test:8080", space: "public", blocked: true,
			reason: check.InsecureLocalNetwork, message: line(api, via, "http://page.test:8080", insecure), lnaURL: api,
			hits: []string{"GET /redirect"}},
		{name: "preflighted: refused before the preflight at the target", origin: "http://page.test:8080", space: "public", header: "X-Token", blocked: true,
			reason: check.InsecureLocalNetwork, message: line(api, via, "http://page.test:8080", insecure), lnaURL: api,
			hits: []string{"OPTIONS /redirect", "GET /redirect"}},
		{name: "targetAddressSpace applies at the redirect's target too", origin: "https://app.example.com", space: "public", decl: "public", blocked: true,
			reason:  check.InvalidLocalNetworkAccess,
			message: line(api, via, "https://app.example.com", "Request had a target IP address space of `public` yet the resource is in address space `loopback`."), lnaURL: api,
			hits: []string{"GET /redirect"}},
		{name: "a same-origin request redirected into loopback", origin: pub, blocked: true,
			reason: check.InsecureLocalNetwork, message: line(api, via, pub, insecure), lnaURL: api,
			hits: []string{"GET /redirect"}},
		{name: "targetAddressSpace on the page's own origin, not the page's space", origin: pub, decl: "loopback", blocked: true,
			reason:  check.InvalidLocalNetworkAccess,
			message: line(via, "", pub, "Request had a target IP address space of `loopback` yet the resource is in address space `public`."), lnaURL: via},
		{name: "Firefox: the redirect is followed", origin: "http://page.test:8080", space: "public", browser: check.Firefox,
			lnaURL: api, hits: []string{"GET /redirect", "GET /api"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			mu.Lock()
			clear(hits)
			mu.Unlock()
			req := check.Request{URL: via, Origin: c.origin, PageAddressSpace: c.space, TargetAddressSpace: c.decl, Browser: c.browser}
			if c.header != "" {
				req.Header = http.Header{c.header: {"1"}}
			}
			res, err := check.Explain(context.Background(), client, req)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			mu.Lock()
			for k, n := range hits {
				for range n {
					got = append(got, k)
				}
			}
			mu.Unlock()
			slices.Sort(got)
			want := slices.Sorted(slices.Values(c.hits))
			if !slices.Equal(got, want) {
				t.Errorf("requests the server saw %q, want %q", got, want)
			}
			lna := res.LocalNetworkAccess
			if lna == nil || lna.URL != c.lnaURL || !lna.Applies && c.reason != check.InvalidLocalNetworkAccess {
				t.Fatalf("LocalNetworkAccess %+v, want it applying at %s", lna, c.lnaURL)
			}
			switch {
			case c.blocked:
				if res.Allowed || res.Stage != check.StageLocalNetworkAccess || res.Reason != c.reason || res.Message != c.message || res.URL != c.lnaURL {
					t.Errorf("got allowed=%v stage=%s reason=%s url=%s\n message %q\nwant blocked at local-network-access, %s\n message %q", res.Allowed, res.Stage, res.Reason, res.URL, res.Message, c.reason, c.message)
				}
			case c.reason != "":
				want := check.LNAOutcome{When: "permission denied", Reason: c.reason, Message: c.message}
				if !res.Allowed || len(lna.Outcomes) != 2 || lna.Outcomes[0] != want || !lna.Outcomes[1].Proceeds {
					t.Errorf("allowed %v, outcomes %+v; want allowed once granted, denied outcome %+v", res.Allowed, lna.Outcomes, want)
				}
			default:
				if !res.Allowed || len(lna.Outcomes) != 0 {
					t.Errorf("allowed %v, outcomes %+v; want allowed, no outcome (%s does not block)", res.Allowed, lna.Outcomes, c.browser)
				}
			}
		})
	}
}

// recordedNames is a Resolver with its own answers, named as a Stringer.
type recordedNames struct {
	addrs map[string]string
	asked []string
	bare  bool // errors that do not name the host
}

func (r *recordedNames) String() string { return "the recording" }

func (r *recordedNames) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.asked = append(r.asked, host)
	if a, ok := r.addrs[host]; ok {
		return []netip.Addr{netip.MustParseAddr(a)}, nil
	}
	if r.bare {
		return nil, errors.New("no answer")
	}
	return nil, errors.New(host + " has no address in the recording")
}

// Request.Resolver answers for the page's and the target's names instead
// of the package's resolver (here the test DNS, which knows neither name):
// its answers decide Local Network Access, its name says where they came
// from, and a name it cannot answer leaves the space unknown, with its
// error as the reason, and LNA unjudged.
func TestLocalNetworkAccessResolver(t *testing.T) {
	srv, _ := spyServer(t)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}}}
	target := "http://nas.corp:" + port + "/api"
	for _, c := range []struct {
		name         string
		addrs        map[string]string
		page, target string
		pageFrom     string
		targetFrom   string
		reason       check.CorsError
		bare         bool
	}{
		{name: "both recorded", addrs: map[string]string{"www.shop.test": "203.0.113.7", "nas.corp": "10.1.2.3"},
			page: "public", target: "local", pageFrom: "the recording: www.shop.test is 203.0.113.7", targetFrom: "the recording: nas.corp is 10.1.2.3",
			reason: check.InsecureLocalNetwork},
		{name: "target not recorded", addrs: map[string]string{"www.shop.test": "203.0.113.7"},
			page: "public", target: "unknown", pageFrom: "the recording: www.shop.test is 203.0.113.7", targetFrom: "nas.corp has no address in the recording"},
		{name: "nothing recorded", addrs: map[string]string{},
			page: "unknown", target: "unknown", pageFrom: "www.shop.test has no address in the recording", targetFrom: "nas.corp has no address in the recording"},
		{name: "an error that does not name the host", addrs: map[string]string{}, bare: true,
			page: "unknown", target: "unknown", pageFrom: "www.shop.test: no answer", targetFrom: "nas.corp: no answer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &recordedNames{addrs: c.addrs, bare: c.bare}
			res, err := check.Explain(context.Background(), client, check.Request{URL: target, Origin: "http://www.shop.test", Resolver: r})
			if err != nil {
				t.Fatal(err)
			}
			lna := res.LocalNetworkAccess
			if lna == nil {
				t.Fatal("no LocalNetworkAccess in the result")
			}
			if lna.PageAddressSpace != c.page || lna.PageFrom != c.pageFrom || lna.TargetAddressSpace != c.target || lna.TargetFrom != c.targetFrom {
				t.Errorf("page %s (%s), target %s (%s)\nwant page %s (%s), target %s (%s)", lna.PageAddressSpace, lna.PageFrom, lna.TargetAddressSpace, lna.TargetFrom,
					c.page, c.pageFrom, c.target, c.targetFrom)
			}
			if res.Reason != c.reason {
				t.Errorf("reason %q, want %q", res.Reason, c.reason)
			}
			if !slices.Equal(r.asked, []string{"www.shop.test", "nas.corp"}) {
				t.Errorf("the resolver was asked for %q, want the page's and the target's names once each", r.asked)
			}
		})
	}
}
