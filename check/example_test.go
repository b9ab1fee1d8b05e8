package check_test

import (
	"context"
	"fmt"
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

func ExampleConsoleMessage() {
	fmt.Println(check.ConsoleMessage(check.Fetch, "https://api.example.com/x", "", "https://app.example.com",
		check.PreflightInvalidStatus, ""))
	// Output:
	// Access to fetch at 'https://api.example.com/x' from origin 'https://app.example.com' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status.
}
