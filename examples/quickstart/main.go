// Command quickstart is the README's quick start: a JSON API on
// http://localhost:8000 that pages on https://app.example.com may read,
// with the user's cookies, and may PUT JSON to.
package main

import (
	"log"
	"net/http"

	"github.com/corskit/cors"
)

func main() {
	log.Println("listening on http://localhost:8000")
	log.Fatal(http.ListenAndServe("localhost:8000", newHandler()))
}

// newHandler returns the API wrapped in its CORS policy.
func newHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/items", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[{"id":1,"name":"blue mug"}]` + "\n"))
	})
	mux.HandleFunc("PUT /api/items/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})

	c, err := cors.New(cors.Config{
		AllowedOrigins:   []string{"https://app.example.com"},
		AllowedMethods:   []string{http.MethodPut},
		AllowedHeaders:   []string{"Content-Type"},
		AllowCredentials: true,
		MaxAge:           600, // seconds a browser may cache a preflight
	})
	if err != nil {
		log.Fatal(err) // every problem in the config, each saying what to write instead
	}
	// Wrap the whole mux: "PUT /api/items/{id}" never matches the OPTIONS
	// preflight, so the middleware must answer it before the mux sees it.
	return c.Handler(mux)
}
