package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/corskit/cors/cmd/corsgate/internal/config"
	"github.com/corskit/cors/cmd/corsgate/internal/urlpath"
)

// minimal is a valid file that each case edits.
const minimal = `{
  "listen": "127.0.0.1:8080",
  "upstream": "http://127.0.0.1:9000",
  "routes": [{"path": "/", "policy": {"allowedOrigins": ["https://app.example.com"]}}]
}`

func TestParseDefaults(t *testing.T) {
	c, err := config.Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{
		"mode": c.Mode, "maxHeaderBytes": c.MaxHeaderBytes, "admin": c.Admin, "upstream": c.Upstream.String(),
		"readHeader": c.ReadHeaderTimeout, "idle": c.IdleTimeout, "clientBody": c.ClientBodyTimeout, "clientSend": c.ClientSendTimeout,
		"connect": c.UpstreamConnectTimeout, "responseHeader": c.UpstreamResponseHeaderTimeout,
		"upstreamRead": c.UpstreamReadTimeout, "upstreamSend": c.UpstreamSendTimeout,
		"shutdown": c.ShutdownTimeout, "drain": c.DrainTimeout,
		"maxBodyBytes": c.MaxBodyBytes, "bufferRequests": c.BufferRequests, "paths": c.Paths, "upgrades": c.Routes[0].Upgrades,
	}
	want := map[string]any{
		"mode": config.Enforce, "maxHeaderBytes": 65536, "admin": "", "upstream": "http://127.0.0.1:9000",
		"readHeader": 10 * time.Second, "idle": 120 * time.Second, "clientBody": 60 * time.Second, "clientSend": 60 * time.Second,
		"connect": 5 * time.Second, "responseHeader": 30 * time.Second,
		"upstreamRead": 60 * time.Second, "upstreamSend": 60 * time.Second,
		"shutdown": 30 * time.Second, "drain": time.Duration(0), // no admin listener: nobody reads /readyz
		"maxBodyBytes": int64(1 << 20), "bufferRequests": false, "paths": urlpath.Reject, "upgrades": []string{"websocket"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("defaults:\n got %v\nwant %v", got, want)
	}
	if len(c.SHA256) != 64 {
		t.Errorf("SHA256 = %q", c.SHA256)
	}
}

func TestParseValues(t *testing.T) {
	c, err := config.Parse([]byte(`{
	  "listen": ":8080", "upstream": "https://api.internal:8443/base", "admin": "127.0.0.1:9090",
	  "mode": "report-only", "preserveHost": true, "trustedProxies": ["10.0.0.0/8", "192.0.2.7", "::ffff:198.51.100.1"],
	  "maxHeaderBytes": 8192,
	  "maxBodyBytes": 10485760, "bufferRequests": true, "ambiguousPaths": "forward",
	  "timeouts": {"clientBody": "0s", "upstreamRead": "0s", "upstreamResponseHeader": "1m30s"},
	  "routes": [{"path": "/api/", "debug": true, "upgrades": [], "policy": {"allowedOrigins": ["https://a.example"], "maxAge": 600}}, {"path": "/x", "policy": {"allowedOrigins": ["*"]}}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	var proxies []string
	for _, p := range c.TrustedProxies {
		proxies = append(proxies, p.String())
	}
	got := map[string]any{
		"mode": c.Mode, "preserveHost": c.PreserveHost, "proxies": strings.Join(proxies, " "), "maxHeaderBytes": c.MaxHeaderBytes,
		"clientBody": c.ClientBodyTimeout, "upstreamRead": c.UpstreamReadTimeout, "responseHeader": c.UpstreamResponseHeaderTimeout,
		"drain": c.DrainTimeout, "maxBodyBytes": c.MaxBodyBytes, "bufferRequests": c.BufferRequests, "paths": c.Paths,
		"upgrades": c.Routes[0].Upgrades, "upgrades1": c.Routes[1].Upgrades,
		"routes": len(c.Routes), "debug": c.Routes[0].Debug, "maxAge": c.Routes[0].Policy.MaxAge, "upstream": c.Upstream.Path,
	}
	want := map[string]any{
		"mode": config.ReportOnly, "preserveHost": true, "proxies": "10.0.0.0/8 192.0.2.7/32 198.51.100.1/32", "maxHeaderBytes": 8192,
		"clientBody": time.Duration(0), "upstreamRead": time.Duration(0), "responseHeader": 90 * time.Second,
		"drain":        5 * time.Second, // an admin listener: a load balancer reads /readyz
		"maxBodyBytes": int64(10 << 20), "bufferRequests": true, "paths": urlpath.Forward,
		"upgrades": []string{}, "upgrades1": []string{"websocket"},
		"routes": 2, "debug": true, "maxAge": 600, "upstream": "/base",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("values:\n got %v\nwant %v", got, want)
	}
}

// TestProblems: every problem of a file at once, each at its location and
// saying what to write instead.
func TestProblems(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string // "location: fragment of the message", in order
	}{
		{"not JSON", `{"listen": ":1",}`, []string{"line 1, column 17: not valid JSON"}},
		{"empty", ``, []string{"(file): the file is empty"}},
		{"not an object", `[1]`, []string{"(file): the file must hold one JSON object"}},
		{"two objects", minimal + `{}`, []string{"line 5, column 2: text after the configuration object"}},
		{"missing everything", `{}`, []string{
			`listen: missing: write the address to serve on`,
			`upstream: missing: write the backend's base URL`,
			`routes: no route: add at least {"path": "/"`,
		}},
		{"unknown and repeated keys", `{"listen": ":1", "listen": ":2", "upstream": "http://u", "Mode": "enforce", "timeout": {},
		  "routes": [{"path": "/", "Policy": {}, "policy": {"allowedOrigins": ["*"], "allowCredential": true, "maxage": 5, "frobnicate": 1}}]}`, []string{
			`listen: the key appears twice in this object: keep one`,
			`Mode: unknown key: write "mode" (keys are case-sensitive)`,
			`timeout: unknown key: did you mean "timeouts"?`,
			`routes[0].Policy: unknown key: write "policy"`,
			`routes[0].policy.allowCredential: unknown key: did you mean "allowCredentials"?`,
			`routes[0].policy.maxage: unknown key: write "maxAge"`,
			`routes[0].policy.frobnicate: unknown key: the keys here are allowCredentials, allowPrivateNetwork, allowedHeaders`,
		}},
		{"wrong JSON types", `{"listen": 8080, "upstream": "http://u", "preserveHost": "yes", "maxHeaderBytes": "64k",
		  "timeouts": {"clientBody": 60, "clientSend": "2 minutes"},
		  "routes": {"path": "/"}}`, []string{
			`listen: want a string "…", got a number (8080)`,
			`preserveHost: want true or false, got a string ("yes")`,
			`maxHeaderBytes: want a whole number such as 600, got a string ("64k")`,
			`timeouts.clientBody: want a duration string such as "10s", got 60`,
			`timeouts.clientSend: "2 minutes" is not a duration: write a number with a unit`,
			`routes: want a list [ … ] of objects, got an object`,
		}},
		{"policy types", strings.Replace(minimal, `{"allowedOrigins": ["https://app.example.com"]}`,
			`{"allowedOrigins": "https://app.example.com", "maxAge": "600", "allowCredentials": 1}`, 1), []string{
			`routes[0].policy.allowedOrigins: want a list of strings, such as ["…", "…"], got a string ("https://app.example.com")`,
			`routes[0].policy.maxAge: want a whole number such as 600, got a string ("600")`,
			`routes[0].policy.allowCredentials: want true or false, got a number (1)`,
		}},
		{"gateway fields", `{"listen": "8080", "admin": "127.0.0.1:99999", "upstream": "ftp://u/", "mode": "shadow",
		  "trustedProxies": ["10.0.0.0/33", "proxy.internal"], "maxHeaderBytes": 100,
		  "timeouts": {"readHeader": "0s", "idle": "-1s", "upstreamConnect": "0s", "shutdown": "0s"},
		  "routes": [{"path": "/", "policy": {"allowedOrigins": ["*"]}}]}`, []string{
			`listen: "8080" is not host:port: write, for example, "127.0.0.1:8080"`,
			`admin: "127.0.0.1:99999": the port must be a number from 0 to 65535`,
			`upstream: "ftp://u/": the scheme must be http or https`,
			`mode: "shadow" is not a mode: write "enforce"`,
			`trustedProxies[0]: "10.0.0.0/33" is neither an IP address nor a CIDR prefix`,
			`trustedProxies[1]: "proxy.internal" is neither`,
			`maxHeaderBytes: 100 is too small`,
			`timeouts.readHeader: 0s would mean no limit, which this timeout does not allow: write a positive duration such as "10s"`,
			`timeouts.idle: -1s is negative`,
			`timeouts.upstreamConnect: 0s would mean no limit`,
			`timeouts.shutdown: 0s would mean no limit`,
		}},
		{"bodies, paths, upgrades and retired timeouts", `{"listen": ":8080", "upstream": "http://u", "maxBodyBytes": -1, "bufferRequests": true, "ambiguousPaths": "keep",
		  "timeouts": {"read": "60s", "write": "120s", "drain": "-1s"},
		  "routes": [{"path": "/", "upgrades": ["h2c", "web socket", "websocket"], "policy": {"allowedOrigins": ["*"]}}]}`, []string{
			`timeouts.read: no longer read: it bounded the whole request, so a large upload on a slow link was cut; corsgate now bounds the time between two reads of the body: write "clientBody"`,
			`timeouts.write: no longer read: it bounded the whole response`,
			`maxBodyBytes: -1 is negative: write a size in bytes`,
			`ambiguousPaths: "keep": write "reject" (answer 400 to paths with %2F, %5C, "\", ";" parameters`,
			`timeouts.drain: -1s is negative`,
			`routes[0].upgrades[0]: "h2c" would tunnel HTTP/2 requests past the gateway`,
			`routes[0].upgrades[1]: "web socket" is not a protocol name`,
		}},
		{"buffering without a limit", `{"listen": ":8080", "upstream": "http://u", "maxBodyBytes": 0, "bufferRequests": true, "routes": [{"path": "/", "policy": {"allowedOrigins": ["*"]}}]}`, []string{
			`bufferRequests: buffered bodies are held in memory, so maxBodyBytes must be between 1 and 67108864 (64 MiB), not 0`,
		}},
		{"admin equals listen, upstream variants", `{"listen": ":8080", "admin": ":8080", "upstream": "http://user:pw@u", "routes": [{"path": "/", "policy": {"allowedOrigins": ["*"]}}]}`, []string{
			`admin: ":8080" is also "listen"`,
			`upstream: "http://user:pw@u" carries credentials`,
		}},
		{"upstream query", `{"listen": ":8080", "upstream": "http://u/?a=1", "routes": [{"path": "/", "policy": {"allowedOrigins": ["*"]}}]}`, []string{
			`upstream: "http://u/?a=1": a query or fragment`,
		}},
		{"upstream without host", `{"listen": ":8080", "upstream": "http:///x", "routes": [{"path": "/", "policy": {"allowedOrigins": ["*"]}}]}`, []string{
			`upstream: "http:///x" has no host`,
		}},
		{"route paths", `{"listen": ":1", "upstream": "http://u", "routes": [
		  {"path": "api/", "policy": {"allowedOrigins": ["*"]}},
		  {"path": "/a//b/", "policy": {"allowedOrigins": ["*"]}},
		  {"path": "/a/./b", "policy": {"allowedOrigins": ["*"]}},
		  {"path": "/q?x", "policy": {"allowedOrigins": ["*"]}},
		  {"path": "/dup/", "policy": {"allowedOrigins": ["*"]}},
		  {"path": "/dup/", "policy": {"allowedOrigins": ["*"]}},
		  {"policy": {"allowedOrigins": ["*"]}}]}`, []string{
			`routes[0].path: "api/" must start with a slash: write "/api/"`,
			`routes[1].path: "/a//b/" is not in its clean form`,
			`routes[2].path: "/a/./b" is not in its clean form (no empty, "." or ".." segments), which is the form requests are matched in: write "/a/b"`,
			`routes[3].path: "/q?x": a route matches paths only`,
			`routes[5].path: "/dup/" is also the path of routes[4]`,
			`routes[6].path: missing: write a path prefix`,
		}},
		{"policies, located by the library's errors", `{"listen": ":1", "upstream": "http://u", "routes": [
		  {"path": "/a/", "policy": {"allowedOrigins": ["*"], "allowCredentials": true}},
		  {"path": "/b/", "policy": {"allowedOrigins": ["https://ok.example", "https://a.example/", "http://b.example", "https://a.example/"], "allowCredentials": true, "allowedMethods": ["PUT", "TRACE"], "allowedHeaders": ["Cookie"], "exposedHeaders": ["*"], "maxAge": 90000, "preflightStatus": 302}},
		  {"path": "/c/", "policy": {}}]}`, []string{
			`routes[0].policy.allowedOrigins[0]: "*": "*" cannot be used with allowCredentials`,
			`routes[1].policy.allowedOrigins[1]: "https://a.example/": trailing slash: an origin has no path; write "https://a.example" instead`,
			`routes[1].policy.allowedOrigins[2]: "http://b.example": plain-http origins can be impersonated by anyone on the network path, who would then ride your users' credentials: write "https://b.example", or set dangerouslyAllowInsecureOrigins`,
			`routes[1].policy.allowedOrigins[3]: "https://a.example/": trailing slash`,
			`routes[1].policy.allowedMethods[1]: "TRACE": browsers never send CONNECT, TRACE or TRACK`,
			`routes[1].policy.allowedHeaders[0]: "Cookie": browsers never let scripts set this header`,
			`routes[1].policy.exposedHeaders[0]: "*": with allowCredentials browsers read "*" literally`,
			`routes[1].policy.maxAge: "90000": above 86400 seconds`,
			`routes[1].policy.preflightStatus: "302": browsers fail every preflight whose status is not 2xx`,
			`routes[2].policy.allowedOrigins: no origin is allowed: list origins such as "https://app.example.com"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Parse([]byte(tt.file))
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Parse = %v, %v; want *config.Error", c, err)
			}
			var got []string
			for _, p := range ce.Problems {
				got = append(got, p.String())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d problems, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("problem %d:\n got %s\nwant %s…", i, got[i], w)
				}
			}
		})
	}
}

func TestRestartRequired(t *testing.T) {
	old, err := config.Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	same, _ := config.Parse([]byte(strings.Replace(minimal, "https://app.example.com", "https://other.example", 1)))
	if ps := config.RestartRequired(old, same); len(ps) != 0 {
		t.Errorf("a policy change needs no restart, got %v", ps)
	}
	moved, err := config.Parse([]byte(strings.Replace(strings.Replace(minimal, "127.0.0.1:8080", "127.0.0.1:8081", 1), `"routes"`, `"timeouts": {"readHeader": "3s", "upstreamConnect": "1s"}, "routes"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range config.RestartRequired(old, moved) {
		got = append(got, p.Location)
	}
	if want := []string{"listen", "timeouts.readHeader"}; !reflect.DeepEqual(got, want) {
		t.Errorf("restart-only changes = %v, want %v", got, want)
	}
}

// TestExamples: the sample configurations the README shows are valid.
func TestExamples(t *testing.T) {
	files, err := filepath.Glob("../../examples/*.json")
	if err != nil || len(files) < 2 {
		t.Fatalf("examples: %v %v", files, err)
	}
	modes := map[config.Mode]bool{}
	for _, f := range files {
		c, err := config.Load(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		modes[c.Mode] = true
	}
	if !modes[config.Enforce] || !modes[config.ReportOnly] {
		t.Errorf("the examples cover modes %v; want one per mode", modes)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := config.Load(filepath.Join(t.TempDir(), "none.json"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing file = %v, want ErrNotExist", err)
	}
}
