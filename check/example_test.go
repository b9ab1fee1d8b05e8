package check_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"

	"github.com/corskit/cors/check"
)

// An API that allows the page's origin but forgets Access-Control-Allow-Headers:
// the JSON POST needs a preflight, and the preflight refuses content-type.
func ExampleExplain() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "https://app.example.com")
	}))
	defer api.Close()

	res, err := check.Explain(context.Background(), api.Client(), check.Request{
		URL:    api.URL + "/orders",
		Origin: "https://app.example.com",
		Method: "POST",
		Header: http.Header{"Content-Type": {"application/json"}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Allowed, res.Stage, res.Reason, res.FailedParameter)
	fmt.Println(res.Fix)
	// Output:
	// false preflight HeaderDisallowedByPreflightResponse content-type
	// Add content-type to Access-Control-Allow-Headers on the OPTIONS response.
}

// Explain as every browser at once: the same refused preflight, as each
// browser's console words it (Firefox logs a second line, Safari looks at
// the status first).
func ExampleExplain_allBrowsers() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden) // an authentication layer refuses the OPTIONS
	}))
	defer api.Close()

	// Every host name reaches the test server, so the lines show a real
	// one.
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, api.Listener.Addr().String())
	}}}
	res, err := check.Explain(context.Background(), client, check.Request{
		URL:     "http://api.example.test/orders",
		Origin:  "https://app.example.com",
		Method:  "DELETE",
		Browser: check.AllBrowsers,
	})
	if err != nil {
		panic(err)
	}
	for _, b := range check.Browsers() {
		fmt.Println(b.Name() + ":")
		for _, l := range res.Browsers[b].Console {
			fmt.Println("  " + l)
		}
	}
	// Output:
	// Chromium:
	//   Access to fetch at 'http://api.example.test/orders' from origin 'https://app.example.com' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.
	// Firefox:
	//   Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://api.example.test/orders. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 403.
	//   Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://api.example.test/orders. (Reason: CORS request did not succeed). Status code: (null).
	// Safari:
	//   Preflight response is not successful. Status code: 403
	//   Fetch API cannot load http://api.example.test/orders due to access control checks.
}
