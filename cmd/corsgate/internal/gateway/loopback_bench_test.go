package gateway_test

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"syscall"
	"testing"
	"time"

	"github.com/corskit/cors"
	"github.com/corskit/cors/cmd/corsgate/internal/accesslog"
	"github.com/corskit/cors/cmd/corsgate/internal/clientconn"
	"github.com/corskit/cors/cmd/corsgate/internal/config"
	"github.com/corskit/cors/cmd/corsgate/internal/gateway"
	"github.com/corskit/cors/cmd/corsgate/internal/metrics"
)

// BenchmarkLoopback measures whole requests over loopback sockets, client
// to server to upstream and back, through the targets BenchmarkLoad
// compares (cmd/corsgate/bench_test.go), served as corsgate's main serves
// them: the gateway behind a clientconn.Listener with its metrics and,
// for "gateway+log", its asynchronous JSON access log (to io.Discard);
// "floor" is a bare httputil.ReverseProxy with the same transport and
// server settings, "floor+cors" the same behind the corskit middleware.
// The client and the upstream are the same for every target, so the
// differences in CPU per request and allocs/op are the proxies' own.
func BenchmarkLoopback(b *testing.B) {
	up := benchUpstream(b)
	c := parse(b, up.URL, "enforce", routes, "")
	type target struct {
		name    string
		handler func(b *testing.B) (http.Handler, func())
		gateway bool
	}
	floor := func(withCORS bool) func(b *testing.B) (http.Handler, func()) {
		return func(b *testing.B) (http.Handler, func()) {
			tr := gateway.NewTransport(c)
			var h http.Handler = &httputil.ReverseProxy{
				Rewrite:    func(pr *httputil.ProxyRequest) { pr.SetURL(c.Upstream); pr.SetXForwarded() },
				Transport:  tr,
				BufferPool: gateway.CopyBuffers(),
			}
			if withCORS {
				m, err := cors.New(c.Routes[0].Policy)
				if err != nil {
					b.Fatal(err)
				}
				h = m.Handler(h)
			}
			return h, tr.CloseIdleConnections
		}
	}
	gw := func(withLog bool) func(b *testing.B) (http.Handler, func()) {
		return func(b *testing.B) (http.Handler, func()) {
			opts := gateway.Options{Log: slog.New(slog.DiscardHandler), Observer: metrics.New()}
			var out *accesslog.Writer
			if withLog {
				out = accesslog.New(io.Discard, accesslog.DefaultLimit)
				opts.AccessJSON = out
			}
			g, err := gateway.New(c, opts)
			if err != nil {
				b.Fatal(err)
			}
			return g, func() {
				g.Close()
				if out != nil {
					out.Close()
				}
			}
		}
	}
	targets := []target{
		{"floor", floor(false), false},
		{"floor+cors", floor(true), false},
		{"gateway", gw(false), true},
		{"gateway+log", gw(true), true},
	}
	for _, kind := range []string{"get", "preflight"} {
		for _, t := range targets {
			if kind == "preflight" && t.name == "floor" {
				continue // it would forward the preflight
			}
			b.Run("req="+kind+"/target="+t.name, func(b *testing.B) {
				h, closeTarget := t.handler(b)
				defer closeTarget()
				url := serveLoopback(b, c, h, t.gateway)
				req, _ := http.NewRequest("GET", url+"/api/items", nil)
				want := 200
				req.Header.Set("Origin", app)
				if kind == "preflight" {
					req.Method = "OPTIONS"
					req.Header.Set("Access-Control-Request-Method", "PUT")
					req.Header.Set("Access-Control-Request-Headers", "content-type")
					want = 204
				}
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}}
				defer client.CloseIdleConnections()
				buf := make([]byte, 512)
				b.ReportAllocs()
				cpu0, cs0 := processCPU(b)
				for b.Loop() {
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					for {
						if _, err := resp.Body.Read(buf); err != nil {
							break
						}
					}
					resp.Body.Close()
					if resp.StatusCode != want || t.name != "floor" && len(resp.Header["Access-Control-Allow-Origin"]) != 1 {
						b.Fatalf("%d %v", resp.StatusCode, resp.Header)
					}
				}
				cpu1, cs1 := processCPU(b)
				b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
				b.ReportMetric(float64(cs1-cs0)/float64(b.N), "ctxsw/op")
			})
		}
	}
}

// processCPU returns the CPU time the process has used, in user and
// kernel mode, and its context switches: counts of work that a busy
// machine distorts much less than it does the time a request takes.
func processCPU(b *testing.B) (time.Duration, int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ru.Nvcsw + ru.Nivcsw
}

// serveLoopback serves h on a loopback port with corsgate's server
// settings (main.go's serve), behind a clientconn.Listener for the
// gateway, and returns its URL.
func serveLoopback(b *testing.B, c *config.Config, h http.Handler, gateway bool) string {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var ln net.Listener = tcp
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: c.ReadHeaderTimeout,
		IdleTimeout:       c.IdleTimeout,
		MaxHeaderBytes:    c.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(slog.DiscardHandler, slog.LevelWarn),
	}
	if gateway {
		ln = &clientconn.Listener{Listener: tcp, Window: clientconn.WindowFor(c.MaxHeaderBytes)}
		srv.ConnContext = clientconn.ConnContext
		srv.DisableGeneralOptionsHandler = true
	}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return "http://" + tcp.Addr().String()
}
