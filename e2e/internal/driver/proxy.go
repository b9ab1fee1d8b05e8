package driver

import (
	"net"
	"net/http"
	"net/http/httputil"
	"time"
)

// LoopbackProxy is an HTTP proxy that sends every request to 127.0.0.1 on
// the port of its URL, whatever the host name, and changes nothing else: the
// Host header, the request and the response pass as they are (less the
// hop-by-hop headers a proxy must drop, RFC 9110 §7.6.1).
//
// WebKitGTK has no host-resolver rules and resolves names through the
// system, which knows no *.test names; with this proxy it reaches the
// suite's servers under any name. The origin the page sees is still the
// URL's, so CORS is unchanged. Only plain http: is proxied.
type LoopbackProxy struct {
	// URL is the proxy's address, "http://127.0.0.1:P".
	URL string
	srv *http.Server
	ln  net.Listener
}

// StartLoopbackProxy listens on an ephemeral port of 127.0.0.1.
func StartLoopbackProxy() (*LoopbackProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			port := r.In.URL.Port()
			if port == "" {
				port = "80"
			}
			r.Out.URL.Scheme = "http"
			r.Out.URL.Host = net.JoinHostPort("127.0.0.1", port)
			r.Out.Host = r.In.Host
		},
		Transport: &http.Transport{
			Proxy:               nil,
			DisableCompression:  true, // pass Accept-Encoding and bodies as they are
			MaxIdleConnsPerHost: 8,
			IdleConnTimeout:     10 * time.Second,
		},
		ErrorLog: nil,
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodConnect || !r.URL.IsAbs() || r.URL.Scheme != "http" {
			http.Error(w, "corskit loopback proxy: plain http:// URLs only", http.StatusBadGateway)
			return
		}
		rp.ServeHTTP(w, r)
	})
	p := &LoopbackProxy{URL: "http://" + ln.Addr().String(), ln: ln,
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go p.srv.Serve(ln)
	return p, nil
}

// Close stops the proxy.
func (p *LoopbackProxy) Close() error { return p.srv.Close() }
