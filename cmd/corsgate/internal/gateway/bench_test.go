package gateway_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/corskit/cors/cmd/corsgate/internal/gateway"
)

// BenchmarkServeHTTP measures the gateway's own work on an allowed actual
// request, upstream round trip over loopback included.
func BenchmarkServeHTTP(b *testing.B) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"items":[1,2,3]}`)
	}))
	defer up.Close()
	gw, err := gateway.New(parse(b, up.URL, "enforce", routes, ""), gateway.Options{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer gw.Close()
	req := httptest.NewRequest("GET", "http://gateway/api/items", nil)
	req.Header.Set("Origin", app)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		gw.ServeHTTP(w, req)
		if w.Code != 200 || w.Header().Get("Access-Control-Allow-Origin") != app {
			b.Fatalf("%d %v", w.Code, w.Header())
		}
	}
}

// BenchmarkPreflight measures the gateway's work on an allowed preflight,
// answered at the gateway.
func BenchmarkPreflight(b *testing.B) {
	gw, err := gateway.New(parse(b, "http://127.0.0.1:1", "enforce", routes, ""), gateway.Options{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer gw.Close()
	req := httptest.NewRequest("OPTIONS", "http://gateway/api/items", nil)
	req.Header.Set("Origin", app)
	req.Header.Set("Access-Control-Request-Method", "PUT")
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		gw.ServeHTTP(w, req)
		if w.Code != 204 {
			b.Fatalf("%d %v", w.Code, w.Header())
		}
	}
}
