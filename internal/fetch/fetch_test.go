package fetch_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/corskit/cors/internal/fetch"
)

func TestNormalizeMethod(t *testing.T) {
	for in, want := range map[string]string{
		"get": "GET", "Get": "GET", "GET": "GET", "head": "HEAD", "post": "POST", "put": "PUT",
		"delete": "DELETE", "options": "OPTIONS", "OpTiOnS": "OPTIONS",
		// Everything else keeps its case (Fetch "normalize a method").
		"patch": "patch", "PATCH": "PATCH", "Patch": "Patch", "purge": "purge", "": "", "gets": "gets",
	} {
		if got := fetch.NormalizeMethod(in); got != want {
			t.Errorf("NormalizeMethod(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMethodClasses(t *testing.T) {
	for _, m := range []string{"GET", "HEAD", "POST"} {
		if !fetch.IsSafelistedMethod(m) {
			t.Errorf("%s not safelisted", m)
		}
	}
	for _, m := range []string{"get", "PUT", "OPTIONS", "PATCH", ""} {
		if fetch.IsSafelistedMethod(m) {
			t.Errorf("%q safelisted", m)
		}
	}
	for _, m := range []string{"CONNECT", "connect", "TRACE", "Trace", "TRACK", "track"} {
		if !fetch.IsForbiddenMethod(m) {
			t.Errorf("%q not forbidden", m)
		}
	}
	for _, m := range []string{"GET", "DELETE", "CONNECTX", ""} {
		if fetch.IsForbiddenMethod(m) {
			t.Errorf("%q forbidden", m)
		}
	}
}

func TestIsToken(t *testing.T) {
	for _, s := range []string{"GET", "x-token", "!#$%&'*+-.^_`|~09azAZ"} {
		if !fetch.IsToken(s) {
			t.Errorf("IsToken(%q) = false", s)
		}
	}
	for _, s := range []string{"", "a b", "a,b", "a:b", "a;b", "\"a\"", "a/b", "é", "a\x00", "a\t", "(a)", "[a]", "{a}", "a=b", "a?", "a@b", "a\\b"} {
		if fetch.IsToken(s) {
			t.Errorf("IsToken(%q) = true", s)
		}
	}
}

func TestHeaderClasses(t *testing.T) {
	for _, h := range []string{"Cookie", "cookie", "Host", "Origin", "Sec-Fetch-Mode", "sec-ch-ua", "Proxy-Authorization", "proxy-x", "Content-Length", "Access-Control-Request-Headers", "DNT", "Via"} {
		if !fetch.IsForbiddenRequestHeader(h) {
			t.Errorf("%q not forbidden", h)
		}
	}
	for _, h := range []string{"Authorization", "Content-Type", "X-Token", "User-Agent", "Accept", "secret", "proxied"} {
		if fetch.IsForbiddenRequestHeader(h) {
			t.Errorf("%q forbidden", h)
		}
	}
	if !fetch.IsForbiddenRequestHeaderValue("X-HTTP-Method-Override", "GET, trace") {
		t.Error("method override naming TRACE not forbidden")
	}
	if fetch.IsForbiddenRequestHeaderValue("X-HTTP-Method-Override", "PATCH") {
		t.Error("method override naming PATCH forbidden")
	}
	for _, h := range []string{"Cache-Control", "content-language", "Content-Length", "Content-Type", "Expires", "Last-Modified", "Pragma"} {
		if !fetch.IsSafelistedResponseHeader(h) {
			t.Errorf("%q not a safelisted response header", h)
		}
	}
	if fetch.IsSafelistedResponseHeader("ETag") || fetch.IsSafelistedResponseHeader("X-Request-Id") {
		t.Error("ETag or X-Request-Id safelisted")
	}
	if !fetch.IsForbiddenResponseHeader("set-cookie") || !fetch.IsForbiddenResponseHeader("Set-Cookie2") || fetch.IsForbiddenResponseHeader("Cookie") {
		t.Error("forbidden response headers wrong")
	}
	if !fetch.IsNonWildcardRequestHeader("Authorization") || fetch.IsNonWildcardRequestHeader("X-Auth") {
		t.Error("non-wildcard request headers wrong")
	}
	if !fetch.IsCORSResponseHeader("access-control-allow-origin") || fetch.IsCORSResponseHeader("Access-Control-Request-Method") {
		t.Error("CORS response headers wrong")
	}
}

// TestCanonicalKeys: the header constants are used as map keys, so they
// must be in net/http's canonical form.
func TestCanonicalKeys(t *testing.T) {
	for _, k := range []string{
		fetch.HeaderOrigin, fetch.HeaderVary, fetch.HeaderRequestMethod, fetch.HeaderRequestHeaders,
		fetch.HeaderRequestPrivateNetwork, fetch.HeaderAllowOrigin, fetch.HeaderAllowCredentials,
		fetch.HeaderAllowMethods, fetch.HeaderAllowHeaders, fetch.HeaderMaxAge, fetch.HeaderExposeHeaders,
		fetch.HeaderAllowPrivateNetwork,
	} {
		if c := http.CanonicalHeaderKey(k); c != k {
			t.Errorf("%q is not canonical (%q)", k, c)
		}
	}
}

func TestParseOrigin(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want fetch.Origin
	}{
		{"https://example.com", fetch.Origin{Scheme: "https", Host: "example.com"}},
		{"http://localhost:3000", fetch.Origin{Scheme: "http", Host: "localhost", Port: "3000"}},
		{"https://example.com:80", fetch.Origin{Scheme: "https", Host: "example.com", Port: "80"}},
		{"http://[2001:db8::1]:8080", fetch.Origin{Scheme: "http", Host: "[2001:db8::1]", Port: "8080"}},
		{"http://10.0.0.1", fetch.Origin{Scheme: "http", Host: "10.0.0.1"}},
		{"tauri://localhost", fetch.Origin{Scheme: "tauri", Host: "localhost"}},
		{"https://a_b.example", fetch.Origin{Scheme: "https", Host: "a_b.example"}},
		// What browsers send, accepted as written.
		{"http://[::ffff:7f7f:7f7f]:90", fetch.Origin{Scheme: "http", Host: "[::ffff:7f7f:7f7f]", Port: "90"}},
		{"http://[1::2:0:0:3:4]", fetch.Origin{Scheme: "http", Host: "[1::2:0:0:3:4]"}},
		{"https://xn--bcher-kva.example", fetch.Origin{Scheme: "https", Host: "xn--bcher-kva.example"}},
		{"https://example.com.", fetch.Origin{Scheme: "https", Host: "example.com."}},
		{"http://example.1a", fetch.Origin{Scheme: "http", Host: "example.1a"}},
	} {
		got, err := fetch.ParseOrigin(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseOrigin(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if got.String() != tt.in {
			t.Errorf("String() = %q, want %q", got.String(), tt.in)
		}
	}
	for in, problem := range map[string]string{
		"":                                             "empty",
		"https://example.com/":                         "trailing slash",
		"https://example.com/x":                        "path",
		"https://example.com?q":                        "query",
		"https://example.com#f":                        "fragment",
		"https://u@example.com":                        "userinfo",
		"https://EXAMPLE.com":                          "upper case",
		"Https://example.com":                          "upper case",
		"https://example.com:443":                      "default port",
		"http://example.com:80":                        "default port",
		"https://example.com:0":                        "bad port",
		"https://example.com:00443":                    "bad port",
		"https://example.com:+443":                     "bad port",
		"https://example.com:1e3":                      "bad port",
		"https://example.com:70000":                    "bad port",
		"https://":                                     "empty host",
		"https://-a.com":                               "label",
		"https://a-.com":                               "label",
		"https://a..com":                               "empty label",
		"https://a b.com":                              "not allowed",
		"https://" + strings.Repeat("a", 64) + ".com":  "63",
		"https://" + strings.Repeat("a.", 127) + "com": "253",
		"http://1.2.3":                                 `write "http://1.2.0.3"`,
		"http://01.2.3.4":                              `write "http://1.2.3.4"`,
		"http://[::1%eth0]":                            "zone",
		"http://[0::1]":                                `write "http://[::1]"`,
		"http://[::1":                                  "unterminated",
		"http://[::1]x":                                "after the IPv6",
		"http://[1.2.3.4]":                             "IPv6",
		"example.com":                                  "missing scheme",
		"1http://example.com":                          "invalid scheme",
		"https:example.com":                            `"://"`,
		"https://exa*mple.com":                         "*",
		"https://bücher.example":                       `write "https://xn--bcher-kva.example"`,
		"https://BÜCHER.example":                       `write "https://xn--bcher-kva.example"`,
		"https://XN--BCHER-KVA.example":                `write "https://xn--bcher-kva.example"`,
		"http://[::ffff:127.127.127.127]:90":           `write "http://[::ffff:7f7f:7f7f]:90"`,
		"http://[::FFFF:7F7F:7F7F]":                    `write "http://[::ffff:7f7f:7f7f]"`,
		"http://[0:0:1:0:0:0:0:1]":                     `write "http://[0:0:1::1]"`,
		"http://[1:0:0:2:0:0:0:3]":                     `write "http://[1:0:0:2::3]"`,
		"http://[1:0:0:2:0:0:3:4]":                     `write "http://[1::2:0:0:3:4]"`,
		"https://127.0.0.1.:90":                        `write "https://127.0.0.1:90"`,
		"http://127.1":                                 `write "http://127.0.0.1"`,
		"http://0x7f.0.0.1":                            `write "http://127.0.0.1"`,
		"http://0177.0.0.1":                            `write "http://127.0.0.1"`,
		"http://2130706433":                            `write "http://127.0.0.1"`,
		"http://example.0x1":                           "browsers reject it",
		"http://256.0.0.1":                             "browsers reject it",
		"http://1.2.3.4.5":                             "browsers reject it",
		"http://example.123":                           "browsers reject it",
		"http://0xfffffffffffffffffff":                 "browsers reject it",
		"http://xn--f":                                 "not a valid internationalised domain name",
		"http://a.xn--f.example":                       "not a valid internationalised domain name",
		" https://example.com":                         "white space",
		"https://example.com\n":                        "white space",
		"https://example.com:8080:8080":                "not allowed",
	} {
		_, err := fetch.ParseOrigin(in)
		if err == nil {
			t.Errorf("ParseOrigin(%q) succeeded", in)
			continue
		}
		if !strings.Contains(err.Error(), problem) {
			t.Errorf("ParseOrigin(%q) = %q, want it to mention %q", in, err, problem)
		}
	}
}

func TestIsLoopbackHost(t *testing.T) {
	for h, want := range map[string]bool{
		"localhost": true, "localhost.": true, "app.localhost": true, "127.0.0.1": true, "127.1.2.3": true, "[::1]": true,
		"alocalhost": false, "localhost.evil.com": false, "10.0.0.1": false, "[::2]": false, "example.com": false, "::1": false,
	} {
		if got := fetch.IsLoopbackHost(h); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", h, got, want)
		}
	}
}

func TestDefaultPort(t *testing.T) {
	for s, want := range map[string]string{"http": "80", "https": "443", "ws": "80", "wss": "443", "chrome-extension": ""} {
		if got := fetch.DefaultPort(s); got != want {
			t.Errorf("DefaultPort(%q) = %q, want %q", s, got, want)
		}
	}
}

// FuzzParseOrigin: whatever ParseOrigin accepts serialises back to itself,
// and never panics.
func FuzzParseOrigin(f *testing.F) {
	for _, s := range []string{"https://example.com", "http://[::1]:80", "http://127.0.0.1:8080", "https://a.b.c:65535", "x://y", "https://EXAMPLE.com/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := fetch.ParseOrigin(s)
		if err != nil {
			return
		}
		if o.String() != s {
			t.Fatalf("ParseOrigin(%q).String() = %q", s, o.String())
		}
	})
}

func TestParseOriginSuggestsOneFix(t *testing.T) {
	_, err := fetch.ParseOrigin("https://App.Example.com/")
	if err == nil || !strings.Contains(err.Error(), `write "https://app.example.com"`) {
		t.Fatalf("got %v", err)
	}
}

func TestListHas(t *testing.T) {
	for _, tt := range []struct {
		lines []string
		name  string
		want  bool
	}{
		{nil, "Origin", false},
		{[]string{"Origin"}, "Origin", true},
		{[]string{"accept-encoding, origin"}, "Origin", true},
		{[]string{"Accept-Encoding", " Origin\t"}, "origin", true},
		{[]string{"Accept-Encoding,Originate"}, "Origin", false},
		{[]string{"*"}, "*", true},
		{[]string{",,"}, "Origin", false},
		{[]string{"X-Origin"}, "Origin", false},
	} {
		if got := fetch.ListHas(tt.lines, tt.name); got != tt.want {
			t.Errorf("ListHas(%q, %q) = %v, want %v", tt.lines, tt.name, got, tt.want)
		}
	}
	lines := []string{"Accept-Encoding, Accept-Language", "Origin"}
	if n := testing.AllocsPerRun(100, func() { fetch.ListHas(lines, "origin") }); n != 0 {
		t.Errorf("ListHas allocates %v times", n)
	}
}

func TestPreflightMethod(t *testing.T) {
	for _, tt := range []struct {
		method string
		h      map[string][]string
		ok     bool
	}{
		{"OPTIONS", map[string][]string{"Access-Control-Request-Method": {"PUT"}}, true},
		{"OPTIONS", map[string][]string{"Access-Control-Request-Method": {""}}, true},
		{"OPTIONS", map[string][]string{"Allow": {"GET"}}, false},
		{"options", map[string][]string{"Access-Control-Request-Method": {"PUT"}}, false},
		{"GET", map[string][]string{"Access-Control-Request-Method": {"PUT"}}, false},
	} {
		acrm, ok := fetch.PreflightMethod(tt.method, tt.h)
		if ok != tt.ok || (ok && acrm[0] != tt.h["Access-Control-Request-Method"][0]) {
			t.Errorf("PreflightMethod(%q, %v) = %q, %v; want ok=%v", tt.method, tt.h, acrm, ok, tt.ok)
		}
	}
}
