package cors_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/corskit/cors"
)

// handshake is a WebSocket opening handshake as a browser sends it (RFC
// 6455 §4.1), from origin ("" for none).
func handshake(origin string) request {
	h := hdr("Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	if origin != "" {
		h.Set("Origin", origin)
	}
	return request{"GET", h}
}

// TestWebSocketOriginCheck: CheckOrigin and GuardWebSockets judge a
// handshake's Origin by the policy, as Handler judges a fetch's; the guard
// refuses only handshakes, with a bare 403 before the application runs;
// requests without Origin are not judged; and each refusal reaches
// OnReject once. The expected verdicts are the policy's (strict): its
// exact origins, subdomains of example.org and any localhost port.
func TestWebSocketOriginCheck(t *testing.T) {
	tests := []struct {
		name    string
		req     request
		allowed bool // CheckOrigin's answer
		guarded bool // the guard refuses it
	}{
		{"allowed origin", handshake("https://app.example.com"), true, false},
		{"allowed subdomain", handshake("https://chat.example.org"), true, false},
		{"allowed localhost port", handshake("http://localhost:5173"), true, false},
		{"refused origin", handshake("https://evil.example"), false, true},
		{"suffix trick", handshake("https://app.example.com.evil.example"), false, true},
		{"null", handshake("null"), false, true},
		// The page's own host is not allowed by that alone: the policy
		// decides (see CheckOrigin).
		{"same host as the request", handshake("https://api.example.net"), false, true},
		{"no origin: not a browser, not judged", handshake(""), true, false},
		// Not a handshake: the guard lets it through; Handler would
		// answer it without CORS headers.
		{"fetch from a refused origin", get("https://evil.example"), false, false},
		{"refused origin over HTTP/2", request{"CONNECT", hdr("Origin", "https://evil.example", ":protocol", "websocket")}, false, true},
	}
	var heard []cors.Reason
	c := strict
	c.OnReject = func(_ *http.Request, r cors.Reason) { heard = append(heard, r) }
	m := mustNew(t, c)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.req.method, "https://api.example.net/ws", nil)
			r.Header = tt.req.header
			heard = nil
			if got := m.CheckOrigin(r); got != tt.allowed {
				t.Errorf("CheckOrigin = %v, want %v", got, tt.allowed)
			}
			if want := refusals(!tt.allowed); !slices.Equal(heard, want) {
				t.Errorf("CheckOrigin: OnReject heard %v, want %v", heard, want)
			}

			heard = nil
			app := &spy{}
			w := httptest.NewRecorder()
			m.GuardWebSockets(app).ServeHTTP(w, r)
			if tt.guarded {
				if w.Code != http.StatusForbidden || len(w.Header()) != 0 || w.Body.Len() != 0 || app.ran != 0 {
					t.Errorf("guard: status %d, headers %v, body %q, application ran %d times; want a bare 403 before it", w.Code, w.Header(), w.Body, app.ran)
				}
			} else if w.Code != http.StatusTeapot || app.ran != 1 {
				t.Errorf("guard: status %d, application ran %d times; want the application's answer", w.Code, app.ran)
			}
			if want := refusals(tt.guarded); !slices.Equal(heard, want) {
				t.Errorf("guard: OnReject heard %v, want %v", heard, want)
			}

			// The guard refuses exactly what the decision API calls a
			// refused handshake.
			d := m.Evaluate(r)
			if refused := d.Kind() == cors.WebSocketHandshake && !d.Allowed(); refused != tt.guarded {
				t.Errorf("Evaluate: Kind %v, Allowed %v; the guard refused: %v", d.Kind(), d.Allowed(), tt.guarded)
			}

			// Handler alone never blocks a handshake: the application
			// runs, whatever the origin.
			app = &spy{}
			w = httptest.NewRecorder()
			mustNew(t, strict).Handler(app).ServeHTTP(w, r)
			if app.ran != 1 {
				t.Errorf("Handler: application ran %d times, want once", app.ran)
			}
		})
	}
}

func refusals(refused bool) []cors.Reason {
	if refused {
		return []cors.Reason{cors.OriginNotAllowed}
	}
	return nil
}

// TestWebSocketZeroMiddleware: with no policy, nothing is judged.
func TestWebSocketZeroMiddleware(t *testing.T) {
	var m cors.Middleware
	r := httptest.NewRequest("GET", "/ws", nil)
	r.Header = handshake("https://evil.example").header
	if !m.CheckOrigin(r) {
		t.Error("CheckOrigin refused a handshake under no policy")
	}
	app := &spy{}
	m.GuardWebSockets(app).ServeHTTP(httptest.NewRecorder(), r)
	if app.ran != 1 {
		t.Errorf("the guard ran the application %d times, want once", app.ran)
	}
}

// TestWebSocketAllowAll: "*" allows every origin, the null origin
// included, for WebSockets as for fetch.
func TestWebSocketAllowAll(t *testing.T) {
	for _, o := range []string{"https://anyone.example", "null"} {
		r := httptest.NewRequest("GET", "/ws", nil)
		r.Header = handshake(o).header
		if !cors.AllowAll().CheckOrigin(r) {
			t.Errorf("AllowAll refused %s", o)
		}
	}
}
