package fetch_test

import (
	"testing"

	"github.com/corskit/cors/internal/fetch"
)

func TestSameSite(t *testing.T) {
	tests := []struct {
		a, b string
		site string // Site(a)
		want bool
	}{
		{"http://localhost:8080", "http://localhost:3000", "localhost", true},
		{"http://localhost:8080", "http://127.0.0.1:3000", "localhost", false},
		{"http://127.0.0.1:8080", "http://127.0.0.1:3000", "127.0.0.1", true},
		{"http://127.0.0.1:8080", "http://127.0.0.2:3000", "127.0.0.1", false},
		{"http://[::1]:8080", "http://localhost:3000", "[::1]", false},
		{"https://app.example.com", "https://api.example.com", "example.com", true},
		{"https://app.example.com", "http://api.example.com", "example.com", false},
		{"https://example.com", "https://www.example.com", "example.com", true},
		{"https://a.example.co.uk", "https://b.example.co.uk", "example.co.uk", true},
		{"https://alice.github.io", "https://bob.github.io", "alice.github.io", false},
		{"https://app.alice.github.io", "https://alice.github.io", "alice.github.io", true},
		{"http://app.localhost:8080", "http://api.localhost:3000", "app.localhost", false},
		{"https://example.com", "https://example.org", "example.com", false},
	}
	for _, tt := range tests {
		a, err := fetch.ParseOrigin(tt.a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := fetch.ParseOrigin(tt.b)
		if err != nil {
			t.Fatal(err)
		}
		if got := fetch.Site(a); got != tt.site {
			t.Errorf("Site(%s) = %q, want %q", tt.a, got, tt.site)
		}
		if got := fetch.SameSite(a, b); got != tt.want {
			t.Errorf("SameSite(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := fetch.SameSite(b, a); got != tt.want {
			t.Errorf("SameSite(%s, %s) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}
