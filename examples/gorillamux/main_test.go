package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/corskit/cors"
	"github.com/corskit/cors/internal/readme"
	"github.com/gorilla/mux"
)

// The README's gorilla/mux example is this program, byte for byte, and
// each curl command it shows prints what it shows when run against this
// router.
func TestReadme(t *testing.T) {
	readme.Check(t, "../../README.md", "## Quick start with gorilla/mux", "main.go", newRouter(), "http://localhost:8002")
}

// TestPreflightRouting is what the README says of gorilla/mux, seen in
// gorilla/mux itself: the middleware given to r.Use never sees a preflight
// for a route declared with Methods("PUT"), which the router answers 405
// Method Not Allowed without CORS headers; wrapping the router answers it;
// so does r.Use with OPTIONS added to the route's methods.
func TestPreflightRouting(t *testing.T) {
	c, err := cors.New(cors.Config{AllowedOrigins: []string{"https://app.example.com"}, AllowedMethods: []string{http.MethodPut}})
	if err != nil {
		t.Fatal(err)
	}
	routes := func(methods ...string) *mux.Router {
		r := mux.NewRouter()
		r.HandleFunc("/api/items/{id}", func(w http.ResponseWriter, r *http.Request) {
			t.Errorf("the handler ran for %s %s", r.Method, r.URL.Path)
		}).Methods(methods...)
		return r
	}
	use := routes(http.MethodPut)
	use.Use(c.Handler)
	useWithOptions := routes(http.MethodPut, http.MethodOptions)
	useWithOptions.Use(c.Handler)
	for _, tc := range []struct {
		name        string
		h           http.Handler
		status      int
		allowOrigin string
	}{
		{"r.Use, route for PUT", use, http.StatusMethodNotAllowed, ""},
		{"the router wrapped", c.Handler(routes(http.MethodPut)), http.StatusNoContent, "https://app.example.com"},
		{"r.Use, route for PUT and OPTIONS", useWithOptions, http.StatusNoContent, "https://app.example.com"},
	} {
		req := httptest.NewRequest(http.MethodOptions, "/api/items/1", nil)
		req.Header.Set("Origin", "https://app.example.com")
		req.Header.Set("Access-Control-Request-Method", http.MethodPut)
		w := httptest.NewRecorder()
		tc.h.ServeHTTP(w, req)
		if got := w.Header().Get("Access-Control-Allow-Origin"); w.Code != tc.status || got != tc.allowOrigin {
			t.Errorf("%s: preflight answered %d with Access-Control-Allow-Origin %q, want %d and %q", tc.name, w.Code, got, tc.status, tc.allowOrigin)
		}
	}
}
