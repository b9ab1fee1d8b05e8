package cors_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/cors"
)

// TestNewRejects covers every class of invalid configuration in design.md
// §1 "Validation": each must be refused with the right field, value and
// reason, and a message that says what to write instead.
func TestNewRejects(t *testing.T) {
	creds := func(origins ...string) cors.Config {
		return cors.Config{AllowedOrigins: origins, AllowCredentials: true}
	}
	origins := func(origins ...string) cors.Config { return cors.Config{AllowedOrigins: origins} }
	ok := []string{"https://ok.example"}
	tests := []struct {
		name   string
		cfg    cors.Config
		field  string
		value  string
		reason cors.ConfigReason
		hint   string // a fragment the message must contain
	}{
		{"no origins at all", cors.Config{}, "AllowedOrigins", "", cors.MissingOrigins, `"*"`},
		{"wildcard with credentials", creds("*"), "AllowedOrigins", "*", cors.WildcardOriginWithCredentials, "list the origins"},
		{"wildcard beside others", origins("*", "https://a.example"), "AllowedOrigins", "*", cors.WildcardOriginNotAlone, "remove"},
		{"wildcard with func", cors.Config{AllowedOrigins: []string{"*"}, AllowOriginFunc: func(*http.Request, string) bool { return true }}, "AllowedOrigins", "*", cors.WildcardOriginNotAlone, "never consulted"},
		{"path", origins("https://example.com/api"), "AllowedOrigins", "https://example.com/api", cors.InvalidOrigin, `write "https://example.com"`},
		{"trailing slash", origins("https://example.com/"), "AllowedOrigins", "https://example.com/", cors.InvalidOrigin, "trailing slash"},
		{"query", origins("https://example.com?x=1"), "AllowedOrigins", "https://example.com?x=1", cors.InvalidOrigin, "query"},
		{"fragment", origins("https://example.com#top"), "AllowedOrigins", "https://example.com#top", cors.InvalidOrigin, "fragment"},
		{"userinfo", origins("https://user:pw@example.com"), "AllowedOrigins", "https://user:pw@example.com", cors.InvalidOrigin, `write "https://example.com"`},
		{"upper-case host", origins("https://Example.COM"), "AllowedOrigins", "https://Example.COM", cors.InvalidOrigin, `write "https://example.com"`},
		{"upper-case scheme", origins("HTTPS://example.com"), "AllowedOrigins", "HTTPS://example.com", cors.InvalidOrigin, `write "https://example.com"`},
		{"default https port", origins("https://example.com:443"), "AllowedOrigins", "https://example.com:443", cors.InvalidOrigin, `write "https://example.com"`},
		{"default http port", origins("http://example.com:80"), "AllowedOrigins", "http://example.com:80", cors.InvalidOrigin, "default port"},
		{"port zero", origins("https://example.com:0"), "AllowedOrigins", "https://example.com:0", cors.InvalidOrigin, "bad port"},
		{"port too big", origins("https://example.com:65536"), "AllowedOrigins", "https://example.com:65536", cors.InvalidOrigin, "bad port"},
		{"port not numeric", origins("https://example.com:http"), "AllowedOrigins", "https://example.com:http", cors.InvalidOrigin, "bad port"},
		{"empty port", origins("https://example.com:"), "AllowedOrigins", "https://example.com:", cors.InvalidOrigin, "bad port"},
		{"bad host", origins("https://exa_mple..com"), "AllowedOrigins", "https://exa_mple..com", cors.InvalidOrigin, "empty label"},
		{"non-ascii host", origins("https://bücher.example"), "AllowedOrigins", "https://bücher.example", cors.InvalidOrigin, `write "https://xn--bcher-kva.example"`},
		{"ipv4-mapped ipv6, dotted", origins("http://[::ffff:127.127.127.127]:90"), "AllowedOrigins", "http://[::ffff:127.127.127.127]:90", cors.InvalidOrigin, `write "http://[::ffff:7f7f:7f7f]:90"`},
		{"ipv4 trailing dot", origins("https://127.0.0.1.:90"), "AllowedOrigins", "https://127.0.0.1.:90", cors.InvalidOrigin, `write "https://127.0.0.1:90"`},
		{"invalid punycode", origins("http://xn--f"), "AllowedOrigins", "http://xn--f", cors.InvalidOrigin, "not a valid internationalised domain name"},
		{"invalid punycode under a wildcard", origins("https://*.xn--f.example"), "AllowedOrigins", "https://*.xn--f.example", cors.InvalidOrigin, "not a valid internationalised domain name"},
		{"bad ipv4", origins("http://127.1"), "AllowedOrigins", "http://127.1", cors.InvalidOrigin, "IPv4"},
		{"non-canonical ipv6", origins("http://[0:0:0:0:0:0:0:1]:8080"), "AllowedOrigins", "http://[0:0:0:0:0:0:0:1]:8080", cors.InvalidOrigin, `write "http://[::1]:8080"`},
		{"missing scheme", origins("example.com"), "AllowedOrigins", "example.com", cors.InvalidOrigin, `write "https://example.com"`},
		{"white space", origins(" https://example.com"), "AllowedOrigins", " https://example.com", cors.InvalidOrigin, "white space"},
		{"star in middle of host", origins("https://exa*mple.com"), "AllowedOrigins", "https://exa*mple.com", cors.InvalidOrigin, "wildcard can only"},
		{"star label inside", origins("https://a.*.example.com"), "AllowedOrigins", "https://a.*.example.com", cors.InvalidOrigin, "wildcard can only"},
		{"star as whole host", origins("https://*"), "AllowedOrigins", "https://*", cors.InvalidOrigin, `write "*" alone`},
		{"star in scheme", origins("*://example.com"), "AllowedOrigins", "*://example.com", cors.InvalidOrigin, "scheme"},
		{"star prefix without dot", origins("https://*example.com"), "AllowedOrigins", "https://*example.com", cors.InvalidOrigin, "wildcard can only"},
		{"star before ip", origins("http://*.127.0.0.1"), "AllowedOrigins", "http://*.127.0.0.1", cors.InvalidOrigin, "IP address"},
		{"65 header names", cors.Config{AllowedOrigins: ok, AllowedHeaders: headerNames(65)}, "AllowedHeaders", "", cors.TooManyHeaders, "at most 64"},
		{"star in path", origins("https://example.com/*"), "AllowedOrigins", "https://example.com/*", cors.InvalidOrigin, "wildcard can only"},
		{"null", origins("null"), "AllowedOrigins", "null", cors.NullOrigin, "DangerouslyAllowNullOrigin"},
		{"file", origins("file:///home/me/index.html"), "AllowedOrigins", "file:///home/me/index.html", cors.FileOrigin, `"null"`},
		{"file host", origins("file://host"), "AllowedOrigins", "file://host", cors.FileOrigin, `"null"`},
		{"insecure with credentials", creds("http://example.com"), "AllowedOrigins", "http://example.com", cors.InsecureOriginWithCredentials, `write "https://example.com"`},
		{"insecure subdomains with credentials", creds("http://*.example.com"), "AllowedOrigins", "http://*.example.com", cors.InsecureOriginWithCredentials, "DangerouslyAllowInsecureOrigins"},
		{"private ip is insecure", creds("http://192.168.1.10:8080"), "AllowedOrigins", "http://192.168.1.10:8080", cors.InsecureOriginWithCredentials, "https://"},
		{"public suffix com", creds("https://*.com"), "AllowedOrigins", "https://*.com", cors.PublicSuffixWildcardWithCredentials, "public suffix"},
		{"public suffix github.io", creds("https://*.github.io"), "AllowedOrigins", "https://*.github.io", cors.PublicSuffixWildcardWithCredentials, "DangerouslyAllowPublicSuffixWildcards"},
		{"public suffix co.uk", creds("https://*.co.uk"), "AllowedOrigins", "https://*.co.uk", cors.PublicSuffixWildcardWithCredentials, "public suffix"},
		{"forbidden CONNECT", cors.Config{AllowedOrigins: ok, AllowedMethods: []string{"CONNECT"}}, "AllowedMethods", "CONNECT", cors.ForbiddenMethod, "remove it"},
		{"forbidden trace any case", cors.Config{AllowedOrigins: ok, AllowedMethods: []string{"trace"}}, "AllowedMethods", "trace", cors.ForbiddenMethod, "remove it"},
		{"forbidden TRACK", cors.Config{AllowedOrigins: ok, AllowedMethods: []string{"TRACK"}}, "AllowedMethods", "TRACK", cors.ForbiddenMethod, "remove it"},
		{"method not a token", cors.Config{AllowedOrigins: ok, AllowedMethods: []string{"GET,PUT"}}, "AllowedMethods", "GET,PUT", cors.InvalidMethod, `"PUT"`},
		{"empty method", cors.Config{AllowedOrigins: ok, AllowedMethods: []string{""}}, "AllowedMethods", "", cors.InvalidMethod, "token"},
		{"header not a token", cors.Config{AllowedOrigins: ok, AllowedHeaders: []string{"Content-Type: application/json"}}, "AllowedHeaders", "Content-Type: application/json", cors.InvalidHeaderName, "token"},
		{"forbidden header", cors.Config{AllowedOrigins: ok, AllowedHeaders: []string{"Cookie"}}, "AllowedHeaders", "Cookie", cors.ForbiddenHeaderName, "remove it"},
		{"forbidden sec- header", cors.Config{AllowedOrigins: ok, AllowedHeaders: []string{"Sec-Fetch-Mode"}}, "AllowedHeaders", "Sec-Fetch-Mode", cors.ForbiddenHeaderName, "remove it"},
		{"forbidden proxy- header", cors.Config{AllowedOrigins: ok, AllowedHeaders: []string{"Proxy-Authorization"}}, "AllowedHeaders", "Proxy-Authorization", cors.ForbiddenHeaderName, "remove it"},
		{"response header as request header", cors.Config{AllowedOrigins: ok, AllowedHeaders: []string{"Access-Control-Allow-Origin"}}, "AllowedHeaders", "Access-Control-Allow-Origin", cors.ResponseHeaderAsRequestHeader, "ExposedHeaders"},
		{"exposed not a token", cors.Config{AllowedOrigins: ok, ExposedHeaders: []string{"X Id"}}, "ExposedHeaders", "X Id", cors.InvalidHeaderName, "token"},
		{"exposed set-cookie", cors.Config{AllowedOrigins: ok, ExposedHeaders: []string{"Set-Cookie"}}, "ExposedHeaders", "Set-Cookie", cors.ForbiddenHeaderName, "remove it"},
		{"exposed wildcard with credentials", cors.Config{AllowedOrigins: ok, AllowCredentials: true, ExposedHeaders: []string{"*"}}, "ExposedHeaders", "*", cors.WildcardExposeWithCredentials, "by name"},
		{"max age too large", cors.Config{AllowedOrigins: ok, MaxAge: 86401}, "MaxAge", "86401", cors.MaxAgeTooLarge, "at most 86400"},
		{"preflight status 301", cors.Config{AllowedOrigins: ok, PreflightStatus: 301}, "PreflightStatus", "301", cors.InvalidPreflightStatus, "204"},
		{"preflight status 199", cors.Config{AllowedOrigins: ok, PreflightStatus: 199}, "PreflightStatus", "199", cors.InvalidPreflightStatus, "200"},
		{"preflight status 403", cors.Config{AllowedOrigins: ok, PreflightStatus: 403}, "PreflightStatus", "403", cors.InvalidPreflightStatus, "2xx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := cors.New(tt.cfg)
			if err == nil {
				t.Fatalf("New accepted %+v", tt.cfg)
			}
			if m != nil {
				t.Errorf("New returned a Middleware along with an error")
			}
			var ce *cors.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *ConfigError", err)
			}
			all := cors.ConfigErrors(err)
			if len(all) != 1 {
				t.Fatalf("want exactly one problem, got %d: %v", len(all), err)
			}
			got := all[0]
			if got.Field != tt.field || got.Value != tt.value || got.Reason != tt.reason {
				t.Errorf("got Field=%q Value=%q Reason=%q; want %q %q %q", got.Field, got.Value, got.Reason, tt.field, tt.value, tt.reason)
			}
			if !strings.Contains(got.Message, tt.hint) {
				t.Errorf("message %q lacks %q", got.Message, tt.hint)
			}
			if !strings.HasPrefix(err.Error(), "cors: "+tt.field) {
				t.Errorf("Error() = %q, want it to start with the field", err.Error())
			}
		})
	}
}

// TestNewReportsEverything checks that all problems come back at once, in
// field order, and that a bad Reconfigure leaves the old policy in force.
func TestNewReportsEverything(t *testing.T) {
	bad := cors.Config{
		AllowedOrigins:   []string{"*", "https://x.example/"},
		AllowCredentials: true,
		AllowedMethods:   []string{"TRACE"},
		AllowedHeaders:   []string{"Host"},
		ExposedHeaders:   []string{"*"},
		MaxAge:           1 << 20,
		PreflightStatus:  500,
	}
	_, err := cors.New(bad)
	var reasons []cors.ConfigReason
	for _, e := range cors.ConfigErrors(err) {
		reasons = append(reasons, e.Reason)
	}
	want := []cors.ConfigReason{
		cors.WildcardOriginWithCredentials, cors.WildcardOriginNotAlone, cors.InvalidOrigin,
		cors.ForbiddenMethod, cors.ForbiddenHeaderName, cors.WildcardExposeWithCredentials,
		cors.MaxAgeTooLarge, cors.InvalidPreflightStatus,
	}
	if !slices.Equal(reasons, want) {
		t.Fatalf("reasons = %v\nwant      %v", reasons, want)
	}

	m, err := cors.New(cors.Config{AllowedOrigins: []string{"https://a.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Reconfigure(bad); err == nil {
		t.Fatal("Reconfigure accepted a bad config")
	}
	if got := m.Config().AllowedOrigins; !slices.Equal(got, []string{"https://a.example"}) {
		t.Fatalf("old policy not kept: %v", got)
	}
}

// TestNewAccepts lists configurations that look unusual but are legal, and
// the Dangerously flags that unlock what validation otherwise refuses.
func TestNewAccepts(t *testing.T) {
	tests := []struct {
		name string
		cfg  cors.Config
	}{
		{"loopback http with credentials", cors.Config{AllowedOrigins: []string{"http://localhost:3000", "http://127.0.0.1:8080", "http://[::1]:5173", "http://*.localhost", "http://localhost:*"}, AllowCredentials: true}},
		{"wildcard subdomain and port", cors.Config{AllowedOrigins: []string{"https://*.example.com:*"}, AllowCredentials: true}},
		{"public suffix without credentials", cors.Config{AllowedOrigins: []string{"https://*.github.io"}}},
		{"insecure without credentials", cors.Config{AllowedOrigins: []string{"http://example.com"}}},
		{"non-default port on https", cors.Config{AllowedOrigins: []string{"https://example.com:80"}}},
		{"extension scheme", cors.Config{AllowedOrigins: []string{"chrome-extension://abcdefghijklmnop"}}},
		{"func only", cors.Config{AllowOriginFunc: func(*http.Request, string) bool { return false }}},
		{"dangerous null", cors.Config{AllowedOrigins: []string{"null"}, DangerouslyAllowNullOrigin: true}},
		{"dangerous insecure", cors.Config{AllowedOrigins: []string{"http://example.com"}, AllowCredentials: true, DangerouslyAllowInsecureOrigins: true}},
		{"dangerous public suffix", cors.Config{AllowedOrigins: []string{"https://*.github.io"}, AllowCredentials: true, DangerouslyAllowPublicSuffixWildcards: true}},
		{"negative max age", cors.Config{AllowedOrigins: []string{"*"}, MaxAge: -1}},
		{"max age at cap", cors.Config{AllowedOrigins: []string{"*"}, MaxAge: 86400}},
		{"status 200", cors.Config{AllowedOrigins: []string{"*"}, PreflightStatus: 200}},
		{"any method and header with credentials", cors.Config{AllowedOrigins: []string{"https://a.example"}, AllowedMethods: []string{"*"}, AllowedHeaders: []string{"*"}, AllowCredentials: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := cors.New(tt.cfg)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			// The decision API agrees with Handler under each of these
			// policies too: for a request without Origin, from a stranger,
			// and from each origin the policy lists, actual and preflight.
			origins := []string{"", "https://stranger.example"}
			for _, o := range tt.cfg.AllowedOrigins {
				origins = append(origins, strings.NewReplacer("*.", "a.", ":*", ":8443").Replace(o))
			}
			for _, o := range origins {
				agreeRequest(t, m, get(o))
				if o != "" {
					agreeRequest(t, m, preflight(o, "PUT", acrh, "x-a,authorization"))
					agreeRequest(t, m, preflight(o, "GET"))
				}
			}
		})
	}
}

// TestConfigNormalised checks what Config returns: the normal form that
// documentation promises, and that New accepts it back unchanged.
func TestConfigNormalised(t *testing.T) {
	m, err := cors.New(cors.Config{
		AllowedOrigins: []string{"https://b.example", "https://a.example", "https://b.example"},
		AllowedMethods: []string{"put", "GET", "patch", "PATCH", "delete", "post", "PUT"},
		AllowedHeaders: []string{"X-Token", "content-type", "x-token"},
		ExposedHeaders: []string{"X-Request-Id", "Content-Length", "Cache-Control"},
		MaxAge:         600,
	})
	if err != nil {
		t.Fatal(err)
	}
	got := m.Config()
	want := cors.Config{
		AllowedOrigins:  []string{"https://b.example", "https://a.example"},
		AllowedMethods:  []string{"PUT", "patch", "PATCH", "DELETE"},
		AllowedHeaders:  []string{"content-type", "x-token"},
		ExposedHeaders:  []string{"x-request-id"},
		MaxAge:          600,
		PreflightStatus: 204,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Config() = %+v\nwant       %+v", got, want)
	}
	again, err := cors.New(got)
	if err != nil {
		t.Fatalf("New(Config()) = %v", err)
	}
	if !reflect.DeepEqual(again.Config(), want) {
		t.Fatalf("not a fixed point: %+v", again.Config())
	}
	// The returned slices are copies.
	got.AllowedOrigins[0] = "https://mutated.example"
	if m.Config().AllowedOrigins[0] != "https://b.example" {
		t.Fatal("Config() shares its slices with the policy")
	}
}

func TestConfigJSON(t *testing.T) {
	in := `{
		"allowedOrigins": ["https://app.example.com", "https://*.example.org"],
		"allowedMethods": ["PUT", "DELETE"],
		"allowedHeaders": ["authorization", "content-type"],
		"exposedHeaders": ["x-request-id"],
		"allowCredentials": true,
		"maxAge": 600,
		"allowPrivateNetwork": true,
		"preflightStatus": 200,
		"preflightPassthrough": true
	}`
	var c cors.Config
	if err := json.Unmarshal([]byte(in), &c); err != nil {
		t.Fatal(err)
	}
	want := cors.Config{
		AllowedOrigins:       []string{"https://app.example.com", "https://*.example.org"},
		AllowedMethods:       []string{"PUT", "DELETE"},
		AllowedHeaders:       []string{"authorization", "content-type"},
		ExposedHeaders:       []string{"x-request-id"},
		AllowCredentials:     true,
		MaxAge:               600,
		AllowPrivateNetwork:  true,
		PreflightStatus:      200,
		PreflightPassthrough: true,
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("decoded %+v\nwant     %+v", c, want)
	}
	m, err := cors.New(c)
	if err != nil {
		t.Fatal(err)
	}
	c.OnReject = func(*http.Request, cors.Reason) {}
	out, err := json.Marshal(m.Config())
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	var back cors.Config
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, want) {
		t.Fatalf("round trip %s gave %+v", out, back)
	}
	for _, key := range []string{`"allowedOrigins"`, `"allowCredentials"`, `"maxAge"`, `"preflightStatus"`} {
		if !strings.Contains(string(out), key) {
			t.Errorf("JSON %s lacks key %s", out, key)
		}
	}
	if strings.Contains(string(out), "OnReject") || strings.Contains(string(out), "AllowOriginFunc") {
		t.Errorf("JSON %s includes a function field", out)
	}
}

func TestAllowAllConfig(t *testing.T) {
	got := cors.AllowAll().Config()
	want := cors.Config{
		AllowedOrigins:  []string{"*"},
		AllowedMethods:  []string{"PUT", "PATCH", "DELETE"},
		AllowedHeaders:  []string{"*", "authorization"},
		PreflightStatus: 204,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("AllowAll().Config() = %+v\nwant %+v", got, want)
	}
}

// headerNames returns n distinct header names, X-H00….
func headerNames(n int) []string {
	var names []string
	for i := 0; i < n; i++ {
		names = append(names, fmt.Sprintf("X-H%02d", i))
	}
	return names
}

// TestConfigErrorLocation: each problem names its field's JSON key and,
// for an entry of a list, its index there as written (duplicates
// included), so that a program reporting against a file need not search
// for the value; JSONMessage names other fields by their JSON keys.
func TestConfigErrorLocation(t *testing.T) {
	type loc struct {
		field  string
		index  int
		reason cors.ConfigReason
	}
	tests := []struct {
		name string
		cfg  cors.Config
		want []loc
	}{
		{"origins", cors.Config{AllowedOrigins: []string{"https://ok.example", "https://bad.example/", "*"}, AllowCredentials: true}, []loc{
			{"AllowedOrigins", 1, cors.InvalidOrigin},
			{"AllowedOrigins", 2, cors.WildcardOriginWithCredentials},
			{"AllowedOrigins", 2, cors.WildcardOriginNotAlone},
		}},
		{"the same bad value twice", cors.Config{AllowedOrigins: []string{"null", "https://ok.example", "null"}}, []loc{
			{"AllowedOrigins", 0, cors.NullOrigin},
			{"AllowedOrigins", 2, cors.NullOrigin},
		}},
		{"no origins", cors.Config{}, []loc{{"AllowedOrigins", -1, cors.MissingOrigins}}},
		{"methods and headers", cors.Config{
			AllowedOrigins: []string{"https://ok.example"},
			AllowedMethods: []string{"PUT", "GET", "TRACE"},
			AllowedHeaders: []string{"X-A", "Host", "x y"},
			ExposedHeaders: []string{"X-B", "Set-Cookie"},
		}, []loc{
			{"AllowedMethods", 2, cors.ForbiddenMethod},
			{"AllowedHeaders", 1, cors.ForbiddenHeaderName},
			{"AllowedHeaders", 2, cors.InvalidHeaderName},
			{"ExposedHeaders", 1, cors.ForbiddenHeaderName},
		}},
		{"not entries", cors.Config{AllowedOrigins: []string{"https://ok.example"}, AllowedHeaders: headerNames(65), MaxAge: 1 << 20, PreflightStatus: 302}, []loc{
			{"AllowedHeaders", -1, cors.TooManyHeaders},
			{"MaxAge", -1, cors.MaxAgeTooLarge},
			{"PreflightStatus", -1, cors.InvalidPreflightStatus},
		}},
	}
	// The keys encoding/json writes, with every field set.
	all, err := json.Marshal(cors.Config{AllowedOrigins: []string{"x"}, AllowedMethods: []string{"x"}, AllowedHeaders: []string{"x"}, ExposedHeaders: []string{"x"}, AllowCredentials: true, MaxAge: 1, AllowPrivateNetwork: true, PreflightStatus: 1, PreflightPassthrough: true, DangerouslyAllowInsecureOrigins: true, DangerouslyAllowPublicSuffixWildcards: true, DangerouslyAllowNullOrigin: true})
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]any
	if err := json.Unmarshal(all, &keys); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cors.New(tt.cfg)
			var got []loc
			for _, ce := range cors.ConfigErrors(err) {
				got = append(got, loc{ce.Field, ce.Index, ce.Reason})
				if _, ok := keys[ce.Key]; !ok || !strings.EqualFold(ce.Key, ce.Field) {
					t.Errorf("%s: Key %q is not its JSON key (the keys are %v)", ce.Field, ce.Key, slices.Sorted(maps.Keys(keys)))
				}
				if ce.Index >= 0 {
					list := map[string][]string{"AllowedOrigins": tt.cfg.AllowedOrigins, "AllowedMethods": tt.cfg.AllowedMethods, "AllowedHeaders": tt.cfg.AllowedHeaders, "ExposedHeaders": tt.cfg.ExposedHeaders}[ce.Field]
					if ce.Index >= len(list) || list[ce.Index] != ce.Value {
						t.Errorf("%s[%d] is not %q", ce.Field, ce.Index, ce.Value)
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}

	_, err = cors.New(cors.Config{AllowedOrigins: []string{"null"}})
	ce := cors.ConfigErrors(err)[0]
	if !strings.Contains(ce.Message, "DangerouslyAllowNullOrigin") || !strings.Contains(ce.JSONMessage(), "dangerouslyAllowNullOrigin") || strings.Contains(ce.JSONMessage(), "DangerouslyAllowNullOrigin") {
		t.Errorf("Message %q, JSONMessage %q: want the Go name in one and the JSON key in the other", ce.Message, ce.JSONMessage())
	}
	_, err = cors.New(cors.Config{AllowedOrigins: []string{"*"}, AllowCredentials: true})
	if m := cors.ConfigErrors(err)[0].JSONMessage(); !strings.Contains(m, "allowCredentials") || strings.Contains(m, "AllowCredentials") {
		t.Errorf("JSONMessage %q still names AllowCredentials", m)
	}
}
