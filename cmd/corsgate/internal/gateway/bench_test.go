package gateway_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"testing"

	"github.com/corskit/cors"
	"github.com/corskit/cors/cmd/corsgate/internal/gateway"
)

// BenchmarkServeHTTP measures the gateway on an allowed actual request,
// upstream round trip over loopback included; BenchmarkFloor is the same
// through a bare httputil.ReverseProxy with the gateway's transport, so
// that the difference is the gateway's own work.
func BenchmarkServeHTTP(b *testing.B) {
	up := benchUpstream(b)
	gw, err := gateway.New(parse(b, up.URL, "enforce", routes, ""), gateway.Options{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer gw.Close()
	benchGET(b, gw)
}

func BenchmarkFloor(b *testing.B) {
	up := benchUpstream(b)
	c := parse(b, up.URL, "enforce", routes, "")
	tr := gateway.NewTransport(c)
	defer tr.CloseIdleConnections()
	floor := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(c.Upstream); pr.SetXForwarded() }, Transport: tr, BufferPool: gateway.CopyBuffers()}
	m, err := cors.New(c.Routes[0].Policy)
	if err != nil {
		b.Fatal(err)
	}
	benchGET(b, m.Handler(floor))
}

func benchUpstream(b *testing.B) *httptest.Server {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"items":[1,2,3]}`)
	}))
	b.Cleanup(up.Close)
	return up
}

func benchGET(b *testing.B, h http.Handler) {
	req := httptest.NewRequest("GET", "http://gateway/api/items", nil)
	req.Header.Set("Origin", app)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
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
