// Command chi is the README's chi example: the quick start's API, routed by
// github.com/go-chi/chi/v5, on http://localhost:8001.
package main

import (
	"log"
	"net/http"

	"github.com/corskit/cors"
	"github.com/go-chi/chi/v5"
)

func main() {
	log.Println("listening on http://localhost:8001")
	log.Fatal(http.ListenAndServe("localhost:8001", newRouter()))
}

// newRouter returns the API's chi router with the CORS policy in front.
func newRouter() http.Handler {
	c, err := cors.New(cors.Config{
		AllowedOrigins: []string{"https://app.example.com"},
		AllowedMethods: []string{http.MethodPut},
		AllowedHeaders: []string{"Content-Type"},
	})
	if err != nil {
		log.Fatal(err)
	}

	r := chi.NewRouter()
	// r.Use runs before chi routes the request, so the middleware answers
	// the OPTIONS preflight although no route handles OPTIONS.
	r.Use(c.Handler)
	r.Get("/api/items", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[{"id":1,"name":"blue mug"}]` + "\n"))
	})
	r.Put("/api/items/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	return r
}
