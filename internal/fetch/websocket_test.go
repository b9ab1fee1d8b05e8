package fetch_test

import (
	"testing"

	"github.com/corskit/cors/internal/fetch"
)

// TestIsWebSocketHandshake: the requests RFC 6455 §4.1 and RFC 8441 §4
// define as opening a WebSocket, in the spellings clients send, and
// look-alikes that do not.
func TestIsWebSocketHandshake(t *testing.T) {
	for _, tt := range []struct {
		name   string
		method string
		h      map[string][]string
		want   bool
	}{
		{"browser handshake", "GET", map[string][]string{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}}, true},
		{"any case", "GET", map[string][]string{"Upgrade": {"WebSocket"}}, true},
		{"in a list", "GET", map[string][]string{"Upgrade": {"h2c, websocket"}}, true},
		{"on a second line", "GET", map[string][]string{"Upgrade": {"h2c", " websocket "}}, true},
		{"HTTP/2 extended CONNECT", "CONNECT", map[string][]string{":protocol": {"websocket"}}, true},
		{"another upgrade", "GET", map[string][]string{"Upgrade": {"h2c"}}, false},
		{"a longer token", "GET", map[string][]string{"Upgrade": {"websockets"}}, false},
		{"no upgrade", "GET", map[string][]string{"Connection": {"Upgrade"}}, false},
		{"POST", "POST", map[string][]string{"Upgrade": {"websocket"}}, false},
		{"plain CONNECT", "CONNECT", map[string][]string{}, false},
		{"CONNECT for another protocol", "CONNECT", map[string][]string{":protocol": {"webtransport"}}, false},
	} {
		if got := fetch.IsWebSocketHandshake(tt.method, tt.h); got != tt.want {
			t.Errorf("%s: IsWebSocketHandshake = %v, want %v", tt.name, got, tt.want)
		}
	}
}
