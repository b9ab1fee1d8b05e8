package cors_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/corskit/cors"
)

// BenchmarkMiddleware measures the library's own paths; bench/ compares
// them with other libraries.
func BenchmarkMiddleware(b *testing.B) {
	const origin = "https://app.example.com"
	hundred := cors.Config{AllowedOrigins: hundredOrigins(), AllowedMethods: []string{"PUT"}, AllowedHeaders: []string{"X-Token"}}
	for _, bc := range []struct {
		name string
		cfg  *cors.Config
		req  *http.Request
	}{
		{"non-CORS", &strict, newRequest("GET")},
		{"actual-allowed", &strict, newRequest("GET", "Origin", origin)},
		{"actual-allowed-subdomain", &strict, newRequest("GET", "Origin", "https://a.example.org")},
		{"actual-allowed-100", &hundred, newRequest("GET", "Origin", "https://app57.example.com")},
		{"actual-disallowed", &strict, newRequest("GET", "Origin", "https://evil.com")},
		{"preflight-allowed-1hdr", &strict, newRequest("OPTIONS", "Origin", origin, acrm, "PUT", acrh, "x-token")},
		{"preflight-allowed-3hdr", &anyCreds, newRequest("OPTIONS", "Origin", origin, acrm, "PUT", acrh, "authorization,content-type,x-token")},
		{"preflight-disallowed-origin", &strict, newRequest("OPTIONS", "Origin", "https://evil.com", acrm, "PUT")},
		{"preflight-disallowed-header", &strict, newRequest("OPTIONS", "Origin", origin, acrm, "PUT", acrh, "x-nope")},
		{"preflight-hostile-commas", &strict, newRequest("OPTIONS", "Origin", origin, acrm, "PUT", acrh, strings.Repeat(",", 1<<20))},
		{"allow-all", nil, newRequest("GET", "Origin", origin)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			m := cors.AllowAll()
			if bc.cfg != nil {
				m = mustNew(b, *bc.cfg)
			}
			h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			w := &discard{h: http.Header{"Content-Type": {"text/plain"}}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, bc.req)
			}
		})
	}
}
