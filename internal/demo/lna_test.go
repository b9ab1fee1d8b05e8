package demo_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/corskit/cors/check"
	"github.com/corskit/cors/internal/demo"
)

// The LNA section's call and corscheck's account of it, per browser: only
// Chromium refuses a wrong targetAddressSpace (Firefox ESR 153 and
// WebKitGTK 2.50 ignore the option: e2e TestDemoLNA), and the same call
// from a public page needs Chromium's loopback-network permission.
func TestLocalNetworkSection(t *testing.T) {
	const clientOrigin = "http://localhost:8080"
	apiH, err := demo.NewAPI(clientOrigin, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(apiH)
	defer api.Close()
	client := httptest.NewServer(demo.NewClient(api.URL, clientOrigin))
	defer client.Close()
	get := func(path string, out any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, client.URL+path, nil)
		req.Host = "localhost:8080"
		resp, err := client.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", path, resp.StatusCode)
		}
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	var ln demo.LocalNetwork
	get("/lna.json", &ln)
	if ln.URL != api.URL+"/with-cors" || ln.TargetAddressSpace != "local" || ln.Expect[check.Chromium] != demo.Blocked || ln.Expect[check.Firefox] != demo.Pass || ln.Why == nil {
		t.Fatalf("lna.json: %+v", ln)
	}
	var chromium, firefox demo.ExplainedLocalNetwork
	get("/explain-lna?browser=chromium", &chromium)
	want := "Access to fetch at '" + api.URL + "/with-cors' from origin 'http://localhost:8080' has been blocked by CORS policy: Request had a target IP address space of `local` yet the resource is in address space `loopback`."
	if d := chromium.Declared; d.Allowed || d.Reason != check.InvalidLocalNetworkAccess || d.Message != want {
		t.Errorf("chromium, declared: allowed %v reason %s\n message %q\nwant %q", d.Allowed, d.Reason, d.Message, want)
	}
	pub := chromium.Public.LocalNetworkAccess
	if !chromium.Public.Allowed || pub == nil || !pub.Applies || pub.Permission != "loopback-network" || len(pub.Outcomes) != 2 ||
		pub.Outcomes[0].Reason != check.LocalNetworkAccessPermissionDenied {
		t.Errorf("chromium, public page: allowed %v, LNA %+v; want CORS allowed once the loopback-network permission is granted", chromium.Public.Allowed, pub)
	}
	get("/explain-lna?browser=firefox", &firefox)
	if !firefox.Declared.Allowed || firefox.Declared.LocalNetworkAccess == nil || firefox.Public.LocalNetworkAccess == nil || len(firefox.Public.LocalNetworkAccess.Outcomes) != 0 {
		t.Errorf("firefox: declared allowed %v, LNA %+v / %+v; want allowed, LNA explained without outcomes", firefox.Declared.Allowed, firefox.Declared.LocalNetworkAccess, firefox.Public.LocalNetworkAccess)
	}
}
