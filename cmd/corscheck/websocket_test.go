package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// wsAccepting completes every handshake whose Origin accept allows, and
// answers 403 to the others.
func wsAccepting(accept func(origin string) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "websocket" {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			return
		}
		if !accept(r.Header.Get("Origin")) {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		w.Header().Set("Upgrade", "websocket")
		w.Header().Set("Connection", "Upgrade")
		w.Header().Set("Sec-WebSocket-Accept", base64.StdEncoding.EncodeToString(sum[:]))
		w.WriteHeader(http.StatusSwitchingProtocols)
	})
}

func TestRunWebSocketAndLNA(t *testing.T) {
	open := httptest.NewServer(wsAccepting(func(string) bool { return true }))
	defer open.Close()
	checked := httptest.NewServer(wsAccepting(func(o string) bool { return o == "https://app.example.com" }))
	defer checked.Close()
	wsOpen, wsChecked := "ws"+strings.TrimPrefix(open.URL, "http"), "ws"+strings.TrimPrefix(checked.URL, "http")

	for _, c := range []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string
	}{
		{"hijackable", []string{"explain", wsOpen + "/s", "--origin", "https://evil.example", "--cookie", "sid=1"}, 1, "HIJACKABLE", ""},
		{"checked", []string{"explain", wsChecked + "/s", "--origin", "https://app.example.com"}, 0, "ACCEPTED: the socket opens, and the server checks Origin", ""},
		{"refused", []string{"explain", wsChecked + "/s", "--origin", "https://evil.example"}, 1,
			"console:   WebSocket connection to '" + wsChecked + "/s' failed: Error during WebSocket handshake: Unexpected response code: 403", ""},
		{"bad protocol", []string{"explain", wsChecked, "--origin", "https://app.example.com", "--protocol", "a b"}, 2, "", "--protocol: "},
		{"audit ws", []string{"audit", wsOpen + "/s", "--cookie", "sid=1"}, 1, "CRITICAL origin-reflection [security, websocket, WITH credentials]", ""},
		{"audit ws checked", []string{"audit", wsChecked + "/s", "--trusted", "https://app.example.com", "--cookie", "sid=1"}, 0, "0 findings", ""},
		{"audit discovers", []string{"audit", open.URL + "/s", "--cookie", "sid=1", "--fail-on", "critical"}, 1, "evidence: GET " + wsOpen + "/s -> 101", ""},
		{"lna insecure", []string{"explain", open.URL + "/x", "--origin", "http://page.test:8080", "--page-address-space", "public"}, 1,
			"console:   Access to fetch at '" + open.URL + "/x' from origin 'http://page.test:8080' has been blocked by CORS policy: The request client is not a secure context and the resource is in more-private address space `loopback`.", ""},
		{"lna prompt", []string{"explain", open.URL + "/x", "--origin", "https://page.test", "--page-address-space", "public"}, 0,
			"  permission denied: Access to fetch at '" + open.URL + "/x' from origin 'https://page.test' has been blocked by CORS policy: Permission was denied for this request to access the `loopback` address space.", ""},
		{"lna mismatch", []string{"explain", open.URL + "/x", "--origin", "https://page.test", "--page-address-space", "public", "--target-address-space", "local"}, 1,
			"Request had a target IP address space of `local` yet the resource is in address space `loopback`.", ""},
		{"bad space", []string{"explain", open.URL, "--origin", "https://page.test", "--page-address-space", "dmz"}, 2, "", "--page-address-space: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(c.args, &stdout, &stderr)
			if code != c.code || !strings.Contains(stdout.String(), c.stdout) || !strings.Contains(stderr.String(), c.stderr) {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nwant it to contain %q\nstderr:\n%s\nwant it to contain %q", code, c.code, stdout.String(), c.stdout, stderr.String(), c.stderr)
			}
		})
	}

	var stdout, stderr bytes.Buffer
	if code := run([]string{"explain", wsOpen, "--origin", "https://evil.example", "--json"}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	var res struct {
		Accepted, Hijackable bool
		Exchanges            []json.RawMessage
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil || !res.Accepted || !res.Hijackable || len(res.Exchanges) != 2 {
		t.Errorf("--json: %v, %+v\n%s", err, res, stdout.String())
	}
}
