package har_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/corskit/cors/check"
	"github.com/corskit/cors/check/har"
)

// noNetwork makes every DNS lookup through net.DefaultResolver, and every
// request through http.DefaultTransport, fail the test: the resolver is
// replaced in place (check keeps a pointer to it) by a pure-Go one whose
// every connection to a DNS server is an error. Names in /etc/hosts would
// still resolve without a dial; the names below are not there.
func noNetwork(t *testing.T) {
	t.Helper()
	*net.DefaultResolver = net.Resolver{PreferGo: true, Dial: func(_ context.Context, network, address string) (net.Conn, error) {
		t.Errorf("judging a HAR asked DNS: dialled %s %s", network, address)
		return nil, errors.New("judging a HAR must not touch the network")
	}}
	t.Cleanup(func() { *net.DefaultResolver = net.Resolver{} })
	transport := http.DefaultTransport
	http.DefaultTransport = roundTripper(func(r *http.Request) (*http.Response, error) {
		t.Errorf("judging a HAR sent %s %s", r.Method, r.URL)
		return nil, errors.New("judging a HAR must not touch the network")
	})
	t.Cleanup(func() { http.DefaultTransport = transport })
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Judge sends nothing — no request, and no DNS query for Local Network
// Access — in any browser: not for the recordings of real writers (host
// names under .test, with and without serverIPAddress), nor for a HAR of
// host names that records no address at all. Fails on the code before
// check.Request.Resolver: Explain asked net.DefaultResolver for every
// name that is not an IP literal or a localhost name.
func TestJudgeSendsNothing(t *testing.T) {
	noNetwork(t)
	files, err := filepath.Glob(filepath.Join("testdata", "*.har"))
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join("testdata", "*", "*.har"))
	files = append(files, more...)
	if len(files) < 2 {
		t.Fatalf("only %d recordings in testdata", len(files))
	}
	var archives []*har.Archive
	for _, f := range files {
		a, err := har.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		archives = append(archives, a)
	}
	archives = append(archives, archive(t, "Firefox", nil,
		entry{method: "GET", url: "https://www.shop.example/", status: 200},
		entry{method: "GET", url: "https://api.shop.example/cart", req: []string{"Origin", "https://www.shop.example"}, status: 200,
			resp: []string{"Access-Control-Allow-Origin", "https://www.shop.example"}},
		entry{method: "PUT", url: "http://printer.corp.example/job", req: []string{"Origin", "https://www.shop.example", "Content-Type", "application/json"}, status: 0},
	))
	judged := 0
	for _, a := range archives {
		for _, b := range []check.Browser{check.Chromium, check.Firefox, check.Safari} {
			rep, err := har.Judge(context.Background(), a, har.Options{Browser: b})
			if err != nil {
				t.Fatal(err)
			}
			judged += len(rep.Requests)
		}
	}
	if judged < 300 {
		t.Errorf("%d requests judged in all, want the recordings' hundreds", judged)
	}
}
