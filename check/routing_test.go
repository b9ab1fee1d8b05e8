package check_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	cors "github.com/corskit/cors"
	"github.com/corskit/cors/check"
)

// TestRoutingAdvice: a preflight answered by the router instead of the CORS
// code is explained as a routing problem, with the fix for it, against real
// misrouted servers.
func TestRoutingAdvice(t *testing.T) {
	m, err := cors.New(cors.Config{AllowedOrigins: []string{page}, AllowedMethods: []string{http.MethodPut}})
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})

	// Go 1.22: the middleware wraps only the handler of a method pattern.
	goMux := http.NewServeMux()
	goMux.Handle("PUT /api/items", m.Handler(ok))

	// Express-like: cors() on app.put, no app.options: the router answers
	// OPTIONS itself with 200 and Allow.
	express := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			w.Header().Set("Allow", "PUT")
			_, _ = w.Write([]byte("PUT"))
			return
		}
		m.Handler(ok).ServeHTTP(w, r)
	})

	// A 404 for OPTIONS that still carries CORS headers (a decorating
	// middleware in front of a router without the route).
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		http.NotFound(w, r)
	})

	tests := []struct {
		name       string
		h          http.Handler
		reason     check.CorsError
		why, fixes string
	}{
		{"go 1.22 method pattern", goMux, check.PreflightMissingAllowOriginHeader, `"PUT /api/items", never matches OPTIONS`, "wrap the whole router rather than one route (in Go, c.Handler(mux) with the *cors.Middleware c that cors.New returns"},
		{"express without app.options", express, check.PreflightMissingAllowOriginHeader, "Allow: PUT", "app.options('/api/items', cors())"},
		{"404 for OPTIONS", notFound, check.PreflightInvalidStatus, "404 Not Found", "app.options('/api/items', cors())"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.h)
			defer srv.Close()
			res, err := check.Explain(context.Background(), srv.Client(), check.Request{URL: srv.URL + "/api/items", Origin: page, Method: "PUT"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Reason != tt.reason {
				t.Fatalf("reason %s, want %s", res.Reason, tt.reason)
			}
			if !strings.Contains(res.Explanation, tt.why) || !strings.Contains(res.Fix, tt.fixes) {
				t.Errorf("explanation %q\nfix %q", res.Explanation, res.Fix)
			}
		})
	}
}
