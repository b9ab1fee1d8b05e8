package check

import "testing"

// The trusted origins of an audit match as the middleware's AllowedOrigins
// do: any port for ":*", and one or more DNS labels for "*.".
func TestTrustContains(t *testing.T) {
	tr, err := parseTrusted([]string{"http://localhost:*", "https://*.example.com", "null", "https://app.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		origin string
		want   bool
	}{
		{"http://localhost", true},
		{"http://localhost:3000", true},
		{"http://localhost:65535", true},
		{"https://localhost:3000", false},
		{"http://localhost.evil.com", false},
		{"http://localhost:x", false},
		{"https://a.example.com", true},
		{"https://a.b.example.com", true},
		{"https://example.com", false},
		{"http://a.example.com", false},
		{"https://a.example.com:8443", false},
		{"https://.example.com", false},
		{"https://a..example.com", false},
		{"https://a/.example.com", false},
		{"https://a:b@x.example.com", false},
		{"https://evilexample.com", false},
		{"https://a.example.com.evil.net", false},
		{"null", true},
		{"https://app.example.org", true},
		{"https://app.example.org:443", false},
		{"https://x.app.example.org", false},
	}
	for _, tt := range tests {
		if got := tr.contains(tt.origin); got != tt.want {
			t.Errorf("trusted(%q) = %v, want %v", tt.origin, got, tt.want)
		}
	}
	if want := []string{"null", "https://app.example.org"}; len(tr.exact) != 2 || tr.exact[0] != want[0] || tr.exact[1] != want[1] {
		t.Errorf("exact = %q, want %q", tr.exact, want)
	}
}
