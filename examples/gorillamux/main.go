// Command gorillamux is the README's gorilla/mux example: the quick start's
// API, routed by github.com/gorilla/mux, on http://localhost:8002.
package main

import (
	"log"
	"net/http"

	"github.com/corskit/cors"
	"github.com/gorilla/mux"
)

func main() {
	log.Println("listening on http://localhost:8002")
	log.Fatal(http.ListenAndServe("localhost:8002", newRouter()))
}

// newRouter returns the API's gorilla/mux router with the CORS policy in
// front of it.
func newRouter() http.Handler {
	c, err := cors.New(cors.Config{
		AllowedOrigins: []string{"https://app.example.com"},
		AllowedMethods: []string{http.MethodPut},
		AllowedHeaders: []string{"Content-Type"},
	})
	if err != nil {
		log.Fatal(err)
	}

	r := mux.NewRouter()
	r.HandleFunc("/api/items", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[{"id":1,"name":"blue mug"}]` + "\n"))
	}).Methods(http.MethodGet)
	r.HandleFunc("/api/items/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}).Methods(http.MethodPut)
	// Wrap the whole router, not r.Use: gorilla/mux runs r.Use middleware
	// only for a matched route, and no route matches the OPTIONS preflight.
	return c.Handler(r)
}
