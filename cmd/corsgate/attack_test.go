package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/corskit/cors/check"
)

// The tests in this file attack corsgate, the process, a second time, on
// the hardened tree (issue 23, design §9: the gateway judges exactly the
// request it forwards): a family of tricks per test, each compared with
// what nginx and Envoy do. Where a family found no hole, its table stays
// as the proof.

// responses parses every response in raw, in order.
func responses(raw string) []*http.Response {
	var out []*http.Response
	br := bufio.NewReader(strings.NewReader(raw))
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return out
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
		out = append(out, resp)
	}
}

func bodyOf(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(strings.NewReader(string(b)))
	return string(b)
}

// TestAttackRoutePrefixes: a route's prefix, with and without its
// trailing slash, against a backend that serves /api from the same
// handler as /api/x (Express, Spring and most routers do; nginx answers
// /api with a redirect to /api/ in a "location /api/" that proxies). The
// origin granted is the one of the route the backend serves.
func TestAttackRoutePrefixes(t *testing.T) {
	b := newBackend(t)
	for _, tt := range []struct {
		name, routes string
		granted      map[string]string // the backend's handler → the origin its route allows
		paths        []string
	}{
		{"/api/ and the default route", `[
		  {"path": "/api/", "policy": {"allowedOrigins": ["` + appOrigin2 + `"], "allowCredentials": true}},
		  {"path": "/", "policy": {"allowedOrigins": ["` + partnerOrigin + `"], "allowCredentials": true}}]`,
			map[string]string{"api": appOrigin2, "partner": partnerOrigin, "none": partnerOrigin},
			[]string{"/api", "/api/", "/api/x", "/apix", "/apix/y", "/api.json", "/partner/x"}},
		{"/api without a slash and the default route", `[
		  {"path": "/api", "policy": {"allowedOrigins": ["` + appOrigin2 + `"], "allowCredentials": true}},
		  {"path": "/", "policy": {"allowedOrigins": ["` + partnerOrigin + `"], "allowCredentials": true}}]`,
			map[string]string{"api": appOrigin2, "partner": partnerOrigin, "none": partnerOrigin},
			[]string{"/api", "/api/", "/api/x", "/apix", "/apix/y", "/partner/x"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := startGateFor(t, b.URL, "enforce", tt.routes, "")
			for _, p := range tt.paths {
				for _, origin := range []string{appOrigin2, partnerOrigin} {
					resp, body := send(t, "GET", g.URL+p, map[string]string{"Origin": origin})
					var got struct{ Handler string }
					json.Unmarshal([]byte(body), &got)
					acao := resp.Header.Get("Access-Control-Allow-Origin")
					if resp.StatusCode != 200 || got.Handler == "" {
						t.Fatalf("%s: %d %q", p, resp.StatusCode, body)
					}
					if acao != "" && acao != tt.granted[got.Handler] {
						t.Errorf("%s from %s: the %s handler answered with ACAO %q, another route's: a page on that origin reads it", p, origin, got.Handler, acao)
					}
				}
			}
		})
	}
}

// TestAttackUpgrades: an upgrade whose Origin the route's policy refuses
// is answered 403 and never reaches the backend, whatever the protocol
// and however the Upgrade header is spelled; the backend here switches to
// whatever it is asked. Browsers open WebSockets only, but a route may
// allow other protocols, and the gateway's judgement must not depend on
// the spelling of a header the backend reads differently.
func TestAttackUpgrades(t *testing.T) {
	routes := `[
	  {"path": "/custom/", "upgrades": ["websocket", "x-custom"], "policy": {"allowedOrigins": ["` + appOrigin2 + `"]}},
	  {"path": "/", "policy": {"allowedOrigins": ["` + appOrigin2 + `"]}}]`
	const evil = "https://evil.example"
	for _, mode := range []string{"enforce", "report-only"} {
		t.Run(mode, func(t *testing.T) {
			b := newBackend(t)
			g := startGateFor(t, b.URL, mode, routes, "")
			addr := strings.TrimPrefix(g.URL, "http://")
			refused := map[string]int{"enforce": 403, "report-only": 101}[mode]
			reported := 0
			for _, tt := range []struct {
				name, path, origin, upgrade, connection string
				status                                  int
			}{
				{"websocket twice", "/echo-upgrade", evil, "websocket, websocket", "Upgrade", refused},
				{"websocket with a version", "/echo-upgrade", evil, "websocket/13", "Upgrade", refused},
				{"WebSocket in another case", "/echo-upgrade", evil, "WebSocket", "Upgrade", refused},
				{"another protocol the route allows", "/custom/echo-upgrade", evil, "x-custom", "Upgrade", refused},
				{"another protocol, then websocket", "/custom/echo-upgrade", evil, "x-custom, websocket", "Upgrade", refused},
				{"Origin named in Connection", "/echo-upgrade", evil, "websocket", "Upgrade, Origin", refused},
				{"another protocol from the allowed origin", "/custom/echo-upgrade", appOrigin2, "x-custom", "Upgrade", 101},
				{"another protocol without Origin", "/custom/echo-upgrade", "", "x-custom", "Upgrade", 101},
			} {
				req := "GET " + tt.path + " HTTP/1.1\r\nHost: gate\r\nUpgrade: " + tt.upgrade + "\r\nConnection: " + tt.connection + "\r\n"
				if tt.origin != "" {
					req += "Origin: " + tt.origin + "\r\n"
				}
				before := b.calls.Load()
				if got := handshake(t, addr, req+"\r\n"); got != tt.status || (b.calls.Load() > before) != (tt.status == 101) {
					t.Errorf("%s: %d, backend called %v; want %d", tt.name, got, b.calls.Load() > before, tt.status)
				}
				if mode == "report-only" && tt.status == 101 && tt.origin == evil {
					reported++
				}
			}
			if mode == "report-only" {
				want := fmt.Sprintf(`corsgate_report_only_differences_total{field="status",route="/"} %d`, reported-2)
				want2 := `corsgate_report_only_differences_total{field="status",route="/custom/"} 2`
				if m := metricsText(t, g); !strings.Contains(m, want) || !strings.Contains(m, want2) {
					t.Errorf("/metrics lacks %s or %s:\n%s", want, want2, grepLines(m, "differences_total"))
				}
			}
		})
	}
}

// handshake sends an upgrade request on a new connection and returns the
// status of its answer; the connection, a tunnel after 101, is closed.
func handshake(t testing.TB, addr, req string) int {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, req)
	c.SetReadDeadline(time.Now().Add(10 * time.Second)) // only catches a hang
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("%q: %v", req, err)
	}
	return resp.StatusCode
}

// TestAttackHopByHop: headers a client names in Connection are removed
// before the request goes upstream (RFC 9110 §7.6.1; ReverseProxy does),
// but only after the gateway has judged the request with them: a client
// cannot make the gateway judge a request without its Origin, or keep the
// gateway's forwarding headers from the backend; and what the backend
// names in its own Connection cannot remove the policy's headers.
func TestAttackHopByHop(t *testing.T) {
	b := newBackend(t)
	g := startGateFor(t, b.URL, "enforce", confusedRoutes, "")
	addr := strings.TrimPrefix(g.URL, "http://")
	for _, tt := range []struct {
		name, req string
		status    int
		cors      http.Header // the CORS headers of the answer
		upstream  map[string]string
	}{
		{"Origin named in Connection: judged with it", "GET /headers HTTP/1.1\r\nHost: gate\r\nOrigin: " + partnerOrigin + "\r\nConnection: Origin, close\r\n\r\n",
			200, http.Header{"Vary": {"Origin"}}, map[string]string{"Origin": ""}},
		{"Origin named in Connection, allowed", "GET /headers HTTP/1.1\r\nHost: gate\r\nOrigin: " + appOrigin2 + "\r\nConnection: Origin, close\r\n\r\n",
			200, http.Header{"Access-Control-Allow-Origin": {appOrigin2}, "Vary": {"Origin"}}, map[string]string{"Origin": ""}},
		{"the forwarding headers named in Connection", "GET /headers HTTP/1.1\r\nHost: gate\r\nX-Forwarded-For: 203.0.113.9\r\nConnection: X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Proto, close\r\n\r\n",
			200, http.Header{"Vary": {"Origin"}}, map[string]string{"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Host": "gate", "X-Forwarded-Proto": "http"}},
		{"a preflight's request headers named in Connection", "OPTIONS /api/x HTTP/1.1\r\nHost: gate\r\nOrigin: " + appOrigin2 + "\r\nAccess-Control-Request-Method: PUT\r\nConnection: Access-Control-Request-Method, Origin, close\r\n\r\n",
			403, http.Header{}, nil},
		{"the backend names the CORS headers in its Connection", "GET /hop HTTP/1.1\r\nHost: gate\r\nOrigin: " + appOrigin2 + "\r\nConnection: close\r\n\r\n",
			200, http.Header{"Access-Control-Allow-Origin": {appOrigin2}, "Vary": {"Origin"}}, nil},
	} {
		before := b.calls.Load()
		raw, _ := rawExchange(t, addr, tt.req)
		rs := responses(raw)
		if len(rs) != 1 || rs[0].StatusCode != tt.status {
			t.Errorf("%s: %q, want one %d", tt.name, raw, tt.status)
			continue
		}
		if got := check.CORSHeaders(rs[0].Header); fmt.Sprint(got) != fmt.Sprint(tt.cors) {
			t.Errorf("%s: CORS headers %v, want %v", tt.name, got, tt.cors)
		}
		if tt.upstream == nil {
			continue
		}
		if b.calls.Load() == before {
			t.Errorf("%s: the backend was not called", tt.name)
			continue
		}
		var seen http.Header
		json.Unmarshal([]byte(bodyOf(rs[0])), &seen)
		for k, v := range tt.upstream {
			if got := strings.Join(seen[k], ", "); got != v {
				t.Errorf("%s: the backend saw %s %q, want %q", tt.name, k, got, v)
			}
		}
	}
}

// TestAttackFraming: request framing a proxy and its backend could read
// differently. corsgate re-frames every request it forwards (the
// transport writes its own Content-Length or chunking), so a difference
// between its reading and the backend's cannot arise behind it; what
// matters is that every request it parses is judged as what it is, and
// that framing RFC 9112 calls faulty is refused and the connection closed,
// as nginx does, so that a proxy in front of corsgate that reads it
// otherwise cannot desynchronise the two.
func TestAttackFraming(t *testing.T) {
	b := newBackend(t)
	g := startGateFor(t, b.URL, "enforce", confusedRoutes, "")
	addr := strings.TrimPrefix(g.URL, "http://")
	partner := "Origin: " + partnerOrigin + "\r\n"
	for _, tt := range []struct {
		name, req string
		// the answers, in order: status and, for 200, the ACAO the partner gets
		want   []string
		closed bool
		seen   []string // what the backend received; nil: not checked
	}{
		{"two identical Content-Lengths", "POST /upload HTTP/1.1\r\nHost: gate\r\nContent-Length: 5\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
			[]string{`200 {"read": 5, "contentLength": 5}`}, true, []string{"/upload"}},
		{"Content-Length with a sign", "POST /upload HTTP/1.1\r\nHost: gate\r\nContent-Length: +5\r\n\r\nhello",
			[]string{"400"}, true, []string{}},
		{"Transfer-Encoding folded", "POST /upload HTTP/1.1\r\nHost: gate\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n",
			[]string{"400"}, true, []string{}},
		{"chunked, then another coding", "POST /upload HTTP/1.1\r\nHost: gate\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
			[]string{"501"}, true, []string{}},
		{"another coding, then chunked", "POST /upload HTTP/1.1\r\nHost: gate\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
			[]string{"501"}, true, []string{}},
		{"Transfer-Encoding with a space before the colon", "POST /upload HTTP/1.1\r\nHost: gate\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
			[]string{"400"}, true, []string{}},
		{"HTTP/1.0 with Transfer-Encoding", "POST /upload HTTP/1.0\r\nHost: gate\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n" +
			"0\r\n\r\nGET /api/x HTTP/1.1\r\nHost: gate\r\n" + partner + "Connection: close\r\n\r\n",
			[]string{"400"}, true, []string{}},
		{"bare LF line ends, then a pipelined request", "GET /partner/x HTTP/1.1\nHost: gate\n" + strings.ReplaceAll(partner, "\r", "") + "\n" +
			"GET /api/x HTTP/1.1\r\nHost: gate\r\n" + partner + "Connection: close\r\n\r\n",
			[]string{"200 " + partnerOrigin, "200 "}, true, []string{"/partner/x", "/api/x"}},
		{"requests pipelined after a body, each judged", "POST /upload HTTP/1.1\r\nHost: gate\r\nContent-Length: 5\r\n\r\nhello" +
			"GET /partner/x HTTP/1.1\r\nHost: gate\r\n" + partner + "\r\n" +
			"GET /api/..%2Fpartner/x HTTP/1.1\r\nHost: gate\r\n" + partner + "\r\n" +
			"GET /api/x HTTP/1.1\r\nHost: gate\r\n" + partner + "Connection: close\r\n\r\n",
			[]string{`200 {"read": 5, "contentLength": 5}`, "200 " + partnerOrigin, "400", "200 "}, true, []string{"/upload", "/partner/x", "/api/x"}},
		{"a body that looks like the next request", "POST /upload HTTP/1.1\r\nHost: gate\r\nContent-Length: 45\r\n\r\nGET /partner/x HTTP/1.1\r\nHost: gate\r\nX: y\r\n\r\n" +
			"GET /api/x HTTP/1.1\r\nHost: gate\r\n" + partner + "Connection: close\r\n\r\n",
			[]string{`200 {"read": 45, "contentLength": 45}`, "200 "}, true, []string{"/upload", "/api/x"}},
		{"Expect: 100-continue over the body limit", "POST /upload HTTP/1.1\r\nHost: gate\r\nExpect: 100-continue\r\nContent-Length: 2000000\r\n\r\n",
			[]string{"413"}, true, []string{}},
		{"PRI * HTTP/2.0: HTTP/2 without TLS is not spoken", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
			[]string{"400"}, true, []string{}},
		// Last: the backend may receive this one after the answer (its body
		// fails on the way).
		{"bare LF in a chunk's size line", "POST /upload HTTP/1.1\r\nHost: gate\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n",
			[]string{"400"}, true, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(b.seen())
			raw, closed := rawExchange(t, addr, tt.req)
			var got []string
			for _, r := range responses(raw) {
				s := fmt.Sprint(r.StatusCode)
				switch {
				case r.StatusCode == 200 && strings.HasPrefix(bodyOf(r), `{"read"`):
					s += " " + bodyOf(r)
				case r.StatusCode == 200:
					s += " " + r.Header.Get("Access-Control-Allow-Origin")
				}
				got = append(got, s)
			}
			if !slices.Equal(got, tt.want) || closed != tt.closed {
				t.Errorf("answers %q (closed %v); want %q (closed %v)\n%s", got, closed, tt.want, tt.closed, raw)
			}
			if seen := b.seen()[before:]; tt.seen != nil && !slices.Equal(seen, tt.seen) {
				t.Errorf("the backend received %q, want %q", seen, tt.seen)
			}
		})
	}
}

// TestAttackReportOnly: report-only passes the upstream's answers, not
// what the gateway refuses whatever the mode: paths it cannot judge,
// framing, methods, bodies over the limit.
func TestAttackReportOnly(t *testing.T) {
	b := newBackend(t)
	path := filepath.Join(t.TempDir(), "corsgate.json")
	writeConfig(t, path, b.URL, "report-only", confusedRoutes, `"maxBodyBytes": 16,`)
	g := startGate(t, path)
	addr := strings.TrimPrefix(g.URL, "http://")
	for _, tt := range []struct {
		name, req string
		status    int
	}{
		{"an encoded slash", "GET /api/..%2Fpartner/x HTTP/1.1\r\nHost: gate\r\nOrigin: " + partnerOrigin + "\r\nConnection: close\r\n\r\n", 400},
		{"a path parameter", "GET /partner/..;/api/x HTTP/1.1\r\nHost: gate\r\nOrigin: " + partnerOrigin + "\r\nConnection: close\r\n\r\n", 400},
		{"Content-Length and Transfer-Encoding", "POST /upload HTTP/1.1\r\nHost: gate\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"TRACE", "TRACE /headers HTTP/1.1\r\nHost: gate\r\nConnection: close\r\n\r\n", 405},
		{"a body over the limit", "POST /upload HTTP/1.1\r\nHost: gate\r\nContent-Length: 17\r\nConnection: close\r\n\r\n01234567890123456", 413},
		{"a refused preflight goes upstream", "OPTIONS /api/x HTTP/1.1\r\nHost: gate\r\nOrigin: https://evil.example\r\nAccess-Control-Request-Method: PUT\r\nConnection: close\r\n\r\n", 200},
	} {
		before := b.calls.Load()
		raw, _ := rawExchange(t, addr, tt.req)
		if got := statusOf(raw); got != tt.status || (b.calls.Load() > before) != (tt.status == 200) {
			t.Errorf("%s: %d, backend called %v; want %d", tt.name, got, b.calls.Load() > before, tt.status)
		}
	}
}

// TestAttackHosts: the route is chosen by the path alone, whatever the
// Host header or an absolute-form target names (RFC 9112 §3.2.2: the
// target's authority replaces Host, as in nginx); the backend sees the
// upstream's host, and the client's in X-Forwarded-Host.
func TestAttackHosts(t *testing.T) {
	b := newBackend(t)
	for _, preserve := range []bool{false, true} {
		t.Run(fmt.Sprintf("preserveHost=%v", preserve), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "corsgate.json")
			writeConfig(t, path, b.URL, "enforce", confusedRoutes, fmt.Sprintf(`"preserveHost": %v,`, preserve))
			g := startGate(t, path)
			addr := strings.TrimPrefix(g.URL, "http://")
			upstreamHost := strings.TrimPrefix(b.URL, "http://")
			for _, tt := range []struct {
				name, req string
				status    int
				acao      string            // for the partner's origin
				seen      map[string]string // Host and X-Forwarded-Host at the backend
			}{
				{"absolute form naming another host", "GET http://other.example/partner/x HTTP/1.1\r\nHost: gate\r\n",
					200, partnerOrigin, map[string]string{"Host": "other.example", "X-Forwarded-Host": "other.example"}},
				{"absolute form, another route's path", "GET http://partner.example/api/x HTTP/1.1\r\nHost: partner.example\r\n",
					200, "", map[string]string{"Host": "partner.example", "X-Forwarded-Host": "partner.example"}},
				{"a Host that names a route", "GET /api/x HTTP/1.1\r\nHost: gate/partner\r\n", 400, "", nil},
				{"two Hosts", "GET /partner/x HTTP/1.1\r\nHost: gate\r\nHost: other\r\n", 400, "", nil},
			} {
				raw, _ := rawExchange(t, addr, tt.req+"Origin: "+partnerOrigin+"\r\nConnection: close\r\n\r\n")
				rs := responses(raw)
				if len(rs) != 1 || rs[0].StatusCode != tt.status || rs[0].Header.Get("Access-Control-Allow-Origin") != tt.acao {
					t.Errorf("%s: %q; want %d with ACAO %q", tt.name, raw, tt.status, tt.acao)
					continue
				}
				if tt.seen == nil {
					continue
				}
				seen := b.lastRequest()
				want := tt.seen["Host"]
				if !preserve {
					want = upstreamHost
				}
				if seen.Host != want || seen.Header.Get("X-Forwarded-Host") != tt.seen["X-Forwarded-Host"] {
					t.Errorf("%s: the backend saw Host %q, X-Forwarded-Host %q; want %q, %q", tt.name, seen.Host, seen.Header.Get("X-Forwarded-Host"), want, tt.seen["X-Forwarded-Host"])
				}
			}
		})
	}
}
