package fetch_test

import (
	"net/url"
	"testing"

	"github.com/corskit/cors/internal/fetch"
)

func TestOriginOfURL(t *testing.T) {
	tests := []struct {
		url  string
		want string
	}{
		{"https://example.com", "https://example.com"},
		{"https://example.com/path?q=1#frag", "https://example.com"},
		{"https://example.com:443/", "https://example.com"},
		{"http://example.com:80", "http://example.com"},
		{"http://example.com:443", "http://example.com:443"},
		{"https://example.com:80", "https://example.com:80"},
		{"http://localhost:8080/x", "http://localhost:8080"},
		{"HTTP://API.Example.COM:8443/", "http://api.example.com:8443"},
		{"http://example.com:080", "http://example.com"},
		{"http://example.com:08080", "http://example.com:8080"},
		{"http://example.com:/", "http://example.com"},
		{"https://user:pass@example.com:8443/", "https://example.com:8443"},
		{"http://127.0.0.1:3000", "http://127.0.0.1:3000"},
		{"http://[::1]:3000/", "http://[::1]:3000"},
		{"http://[::1]:80/", "http://[::1]"},
		{"http://[2001:DB8:0:0:0:0:0:1]/", "http://[2001:db8::1]"},
		{"http://[2001:0db8::0001]:8080", "http://[2001:db8::1]:8080"},
		{"ws://example.com:80", "ws://example.com"},
		{"wss://example.com:443", "wss://example.com"},
		{"ftp://example.com:21", "ftp://example.com"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatalf("url.Parse(%q): %v", tt.url, err)
		}
		if got := fetch.OriginOfURL(u).String(); got != tt.want {
			t.Errorf("OriginOfURL(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
	// Built by hand rather than parsed: the scheme is lower-cased too.
	u := &url.URL{Scheme: "HTTPS", Host: "Example.com:443"}
	if got, want := fetch.OriginOfURL(u), (fetch.Origin{Scheme: "https", Host: "example.com"}); got != want {
		t.Errorf("OriginOfURL(%v) = %+v, want %+v", u, got, want)
	}
}
