// Command websocket shows one CORS policy governing fetch calls and
// WebSockets alike, with the two common Go WebSocket libraries, on
// http://localhost:8002:
//
//   - /gorilla: gorilla/websocket, whose Upgrader takes the policy's
//     origin check as its CheckOrigin;
//   - /coder: coder/websocket, behind GuardWebSockets, which refuses a
//     handshake from an origin the policy does not allow before the
//     library sees it, so the library's own check can be skipped;
//   - /api/status: a fetch endpoint under the same policy.
//
// Browsers apply no CORS check to WebSockets: without an origin check, a
// page on any site could open these sockets with the user's cookies. Each
// endpoint echoes what it receives.
package main

import (
	"context"
	"log"
	"net/http"
	"time"

	"github.com/coder/websocket"
	"github.com/corskit/cors"
	gorilla "github.com/gorilla/websocket"
)

func main() {
	m, err := newPolicy()
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{
		Addr:              "localhost:8002",
		Handler:           newServer(m),
		ReadHeaderTimeout: 10 * time.Second,
	}
	log.Println("listening on http://localhost:8002")
	log.Fatal(srv.ListenAndServe())
}

// newPolicy is the one policy of every endpoint: the app's origin, with
// cookies. (A page on http://localhost:8002 itself would need its origin
// listed too: the policy alone decides, see cors.Middleware.CheckOrigin.)
func newPolicy() (*cors.Middleware, error) {
	return cors.New(cors.Config{
		AllowedOrigins:   []string{"https://app.example.com"},
		AllowCredentials: true,
		OnReject:         cors.LogRejections(nil),
	})
}

// newServer routes the three endpoints. The CORS middleware wraps them
// all, for fetch calls; it never blocks a handshake itself (it never
// blocks an actual request), which is the origin checks' job.
func newServer(m *cors.Middleware) http.Handler {
	mux := http.NewServeMux()

	upgrader := gorilla.Upgrader{CheckOrigin: m.CheckOrigin}
	mux.HandleFunc("GET /gorilla", func(w http.ResponseWriter, r *http.Request) {
		c, err := upgrader.Upgrade(w, r, nil) // answers 403 itself when CheckOrigin says no
		if err != nil {
			return
		}
		defer c.Close()
		for {
			kind, msg, err := c.ReadMessage()
			if err != nil {
				return
			}
			if err := c.WriteMessage(kind, msg); err != nil {
				return
			}
		}
	})

	mux.Handle("GET /coder", m.GuardWebSockets(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
			// GuardWebSockets has judged Origin by the policy; coder's own
			// check (host patterns) would refuse every cross-origin page.
			InsecureSkipVerify: true,
		})
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
		defer cancel()
		for {
			kind, msg, err := c.Read(ctx)
			if err != nil {
				return
			}
			if err := c.Write(ctx, kind, msg); err != nil {
				return
			}
		}
	})))

	mux.HandleFunc("GET /api/status", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}` + "\n"))
	})
	return m.Handler(mux)
}
