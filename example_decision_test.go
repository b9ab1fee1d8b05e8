package cors_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"

	"github.com/corskit/cors"
)

// A front door other than Handler, such as a reverse proxy, asks the
// policy for its decision, answers preflights itself, and writes the
// policy's headers onto the upstream's response in place of the
// upstream's own.
func ExampleMiddleware_Evaluate() {
	m, err := cors.New(cors.Config{
		AllowedOrigins:   []string{"https://app.example.com"},
		AllowedMethods:   []string{http.MethodPut},
		AllowCredentials: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// A preflight: the policy answers it with Status and SetHeaders' headers.
	pre := httptest.NewRequest("OPTIONS", "https://api.example.com/items/1", nil)
	pre.Header.Set("Origin", "https://app.example.com")
	pre.Header.Set("Access-Control-Request-Method", "DELETE")
	d := m.Evaluate(pre)
	fmt.Println(d.Kind(), d.Allowed(), d.Reason(), d.Status())

	// An actual request: the upstream answers, and the policy's headers
	// replace the upstream's Access-Control-* ones. Its Vary is kept.
	get := httptest.NewRequest("GET", "https://api.example.com/items/1", nil)
	get.Header.Set("Origin", "https://app.example.com")
	d = m.Evaluate(get)
	fmt.Println(d.Kind(), d.Allowed(), d.Status())
	upstream := http.Header{
		"Content-Type":                {"application/json"},
		"Vary":                        {"Accept-Encoding"},
		"Access-Control-Allow-Origin": {"*"},
	}
	for k := range upstream {
		if strings.HasPrefix(k, "Access-Control-") {
			delete(upstream, k)
		}
	}
	d.SetHeaders(upstream)
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range upstream {
			if !yield(k) {
				return
			}
		}
	}) {
		fmt.Printf("  %s: %q\n", k, upstream[k])
	}
	// Output:
	// preflight false method-not-allowed 403
	// actual true 0
	//   Access-Control-Allow-Credentials: ["true"]
	//   Access-Control-Allow-Origin: ["https://app.example.com"]
	//   Content-Type: ["application/json"]
	//   Vary: ["Accept-Encoding" "Origin"]
}

// The policy that governs fetch calls governs WebSockets too: a handshake
// from an origin it refuses gets 403 and never reaches the WebSocket
// handler. The same check is m.CheckOrigin, in the shape of
// gorilla/websocket's Upgrader.CheckOrigin; the examples/websocket module
// runs both with real WebSocket libraries.
func ExampleMiddleware_GuardWebSockets() {
	m, err := cors.New(cors.Config{AllowedOrigins: []string{"https://app.example.com"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	ws := m.GuardWebSockets(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusSwitchingProtocols) // a WebSocket library's Accept or Upgrade
	}))
	for _, origin := range []string{"https://app.example.com", "https://evil.example", ""} {
		r := httptest.NewRequest("GET", "https://api.example.com/ws", nil)
		r.Header.Set("Connection", "Upgrade")
		r.Header.Set("Upgrade", "websocket")
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		w := httptest.NewRecorder()
		ws.ServeHTTP(w, r)
		fmt.Printf("%q: %d\n", origin, w.Code)
	}
	// Output:
	// "https://app.example.com": 101
	// "https://evil.example": 403
	// "": 101
}

// A shadow (report-only) deployment: the application, or the upstream
// behind a proxy, still answers with its own CORS headers, and every
// response on which the policy would answer differently is reported, so
// that the policy can be checked against real traffic before it is
// enforced (Envoy's CORS filter calls this shadow mode).
func ExampleDecision_Compare() {
	m, err := cors.New(cors.Config{
		AllowedOrigins:   []string{"https://app.example.com"},
		AllowCredentials: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := httptest.NewRequest("GET", "https://api.example.com/items/1", nil)
	r.Header.Set("Origin", "https://app.example.com")
	d := m.Evaluate(r)

	// What the application answered, with hand-written CORS headers.
	answer := http.Header{
		"Access-Control-Allow-Origin": {"*", "https://app.example.com"},
		"Vary":                        {"Accept-Encoding"},
	}
	for _, diff := range d.Compare(http.StatusOK, answer) {
		fmt.Println(diff)
	}
	// Output:
	// Access-Control-Allow-Origin: response "*, https://app.example.com", policy "https://app.example.com"
	// Access-Control-Allow-Credentials: response (none), policy "true"
	// Vary: response "Accept-Encoding", policy "Origin"
}
