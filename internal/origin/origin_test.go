package origin_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/corskit/cors/internal/origin"
)

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want origin.Pattern
	}{
		{"https://example.com", origin.Pattern{Scheme: "https", Host: "example.com"}},
		{"http://localhost:3000", origin.Pattern{Scheme: "http", Host: "localhost", Port: "3000"}},
		{"http://localhost:*", origin.Pattern{Scheme: "http", Host: "localhost", Port: "*"}},
		{"https://*.example.com", origin.Pattern{Scheme: "https", Host: "example.com", Subdomains: true}},
		{"https://*.example.com:*", origin.Pattern{Scheme: "https", Host: "example.com", Port: "*", Subdomains: true}},
		{"https://*.example.com:8443", origin.Pattern{Scheme: "https", Host: "example.com", Port: "8443", Subdomains: true}},
		{"http://[::1]:8080", origin.Pattern{Scheme: "http", Host: "[::1]", Port: "8080"}},
		{"http://[::1]:*", origin.Pattern{Scheme: "http", Host: "[::1]", Port: "*"}},
		{"http://127.0.0.1:*", origin.Pattern{Scheme: "http", Host: "127.0.0.1", Port: "*"}},
		{"https://xn--bcher-kva.example", origin.Pattern{Scheme: "https", Host: "xn--bcher-kva.example"}},
		{"https://example.com.", origin.Pattern{Scheme: "https", Host: "example.com."}},
		{"chrome-extension://abcdef", origin.Pattern{Scheme: "chrome-extension", Host: "abcdef"}},
	} {
		got, err := origin.Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if s := got.String(); s != tt.in {
			t.Errorf("Parse(%q).String() = %q", tt.in, s)
		}
	}
}

func TestParseSuggestsWithWildcards(t *testing.T) {
	for in, want := range map[string]string{
		"https://*.Example.com":     `write "https://*.example.com"`,
		"https://*.example.com:443": `write "https://*.example.com"`,
		"https://*.example.com/":    `write "https://*.example.com"`,
		"https://EXAMPLE.com:*":     `write "https://example.com:*"`,
	} {
		_, err := origin.Parse(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want it to say %s", in, err, want)
		}
	}
}

var patterns = []string{
	"https://app.example.com",
	"https://*.example.org",
	"http://localhost:*",
	"https://*.api.example.net:*",
	"https://*.example.org:8443",
	"http://[::1]:3000",
	"http://127.0.0.1:*",
}

func mustSet(t testing.TB, ss ...string) *origin.Set {
	var ps []origin.Pattern
	for _, s := range ss {
		p, err := origin.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return origin.NewSet(ps)
}

func TestContains(t *testing.T) {
	s := mustSet(t, patterns...)
	for _, tt := range []struct {
		o    string
		want bool
	}{
		{"https://app.example.com", true},
		{"https://evilapp.example.com", false},
		{"https://app.example.com.evil.com", false},
		{"https://app.example.co", false},
		{"https://app.example.comm", false},
		{"http://app.example.com", false},
		{"https://app.example.com:443", false},
		{"https://app.example.com/", false},
		{"https://a.example.org", true},
		{"https://a.b.c.example.org", true},
		{"https://example.org", false},
		{"https://evilexample.org", false},
		{"https://.example.org", false},
		{"https://a..example.org", false},
		{"https://a.example.org.", false},
		{"https://A.example.org", false},
		{"https://a_b.example.org", true},
		{"https://a/b.example.org", false},
		{"https://a.example.org:8443", true},
		{"https://a.example.org:8444", false},
		{"http://localhost", true},
		{"http://localhost:1", true},
		{"http://localhost:65535", true},
		{"http://localhost:65536", false},
		{"http://localhost:0", false},
		{"http://localhost:08080", false},
		{"http://localhost:", false},
		{"http://localhost:abc", false},
		{"https://localhost:3000", false},
		{"http://localhost.evil:3000", false},
		{"https://x.api.example.net:1234", true},
		{"https://api.example.net", false},
		{"http://[::1]:3000", true},
		{"http://[::1]:3001", false},
		{"http://[::1]", false},
		{"http://127.0.0.1:9999", true},
		{"http://127.0.0.2:9999", false},
		{"", false},
		{"null", false},
		{"://", false},
		{"https://", false},
	} {
		if got := s.Contains(tt.o); got != tt.want {
			t.Errorf("Contains(%q) = %v, want %v", tt.o, got, tt.want)
		}
	}
}

func TestContainsAllocates(t *testing.T) {
	s := mustSet(t, patterns...)
	big := mustSet(t, manySubdomainPatterns()...)
	for _, o := range []string{"https://app.example.com", "https://a.b.example.org", "http://localhost:8080", "https://evil.com", "https://x.y.d7.example.com"} {
		if n := testing.AllocsPerRun(100, func() { s.Contains(o); big.Contains(o) }); n != 0 {
			t.Errorf("Contains(%q) allocates %v times", o, n)
		}
	}
}

// manySubdomainPatterns is enough "*." patterns to use the indexed lookup.
func manySubdomainPatterns() []string {
	var ps []string
	for i := 0; i < 20; i++ {
		ps = append(ps, fmt.Sprintf("https://*.d%d.example.com", i))
	}
	return append(ps, "https://*.example.org:*", "http://*.localhost:*")
}

// referenceMatch matches an origin against one pattern by its documented
// meaning, with plain string operations: the scheme and "://"; then the
// host, exactly, or for "*." one or more DNS labels and a dot in front of
// it; then no port (the scheme's default), that port, or for ":*" none or
// any port from 1 to 65535 written without leading zeros. It shares no code
// with Set, compiles nothing, and allocates little, so that the fuzz target
// spends its time in the code under test (a regular-expression reference,
// compiled per input, held FuzzContains to about 1,000 inputs a second).
func referenceMatch(p origin.Pattern, o string) bool {
	rest, ok := strings.CutPrefix(o, p.Scheme+"://")
	if !ok {
		return false
	}
	host := rest
	switch p.Port {
	case "":
	case origin.AnyPort:
		if i := strings.LastIndexByte(rest, ':'); i > strings.LastIndexByte(rest, ']') {
			if !isAnyPort(rest[i+1:]) {
				return false
			}
			host = rest[:i]
		}
	default:
		if host, ok = strings.CutSuffix(rest, ":"+p.Port); !ok {
			return false
		}
	}
	if !p.Subdomains {
		return host == p.Host
	}
	labels, ok := strings.CutSuffix(host, "."+p.Host)
	return ok && isLabels(labels)
}

// isAnyPort reports whether s is a port an origin can carry: 1 to 65535 in
// decimal, without a leading zero.
func isAnyPort(s string) bool {
	if s == "" || len(s) > 5 || s[0] == '0' || strings.Trim(s, "0123456789") != "" {
		return false
	}
	n, _ := strconv.Atoi(s)
	return n <= 65535
}

// isLabels reports whether s is one or more DNS labels of lower-case
// letters, digits, "-" and "_", joined by dots.
func isLabels(s string) bool {
	for _, l := range strings.Split(s, ".") {
		if l == "" || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			return false
		}
	}
	return true
}

// FuzzContains compares the hand-optimised Set with referenceMatch, a
// plain string-operation reference, for a fixed list of patterns plus one
// the fuzzer writes, in both the linear and the indexed lookup.
func FuzzContains(f *testing.F) {
	for _, seed := range [][2]string{
		{"https://*.example.com", "https://a.example.com"},
		{"https://*.example.com", "https://example.com"},
		{"http://localhost:*", "http://localhost:8080"},
		{"https://example.com", "https://example.com.evil.com"},
		{"https://*.a.b", "https://x.y.a.b"},
		{"https://*.a.b:*", "https://x..a.b:1"},
		{"https://*.a.b:*", "https://x.a.b:1"},
		{"http://[::1]:*", "http://[::1]:99999"},
		{"https://*.example.org:8443", "https://a.example.org:8443"},
		{"https://*.d3.example.com", "https://q.d3.example.com"},
		{"https://app7.example.com", "https://app7.example.com"},
		{"http://localhost:3011", "http://localhost:3011"},
		{"x", "https://a.example.org"},
		{"x", "https://a-b.c_d.example.org:8443"},
		{"x", "http://x..y.localhost:3000"},
		{"x", "https://.example.org"},
		{"x", "https://a.example.org."},
		{"x", "https://a:b.example.org"},
		{"x", "https://a/b.example.org"},
		{"x", "https://A.example.org"},
	} {
		f.Add(seed[0], seed[1])
	}
	// The base sets are parsed once; each input parses only its own
	// pattern and builds the sets that include it.
	type base struct {
		strs []string
		pats []origin.Pattern
	}
	var bases []base
	for _, strs := range [][]string{patterns, fixedSubdomainPatterns, manySubdomainPatterns(), manyExactPatterns()} {
		b := base{strs: strs}
		for _, s := range strs {
			p, err := origin.Parse(s)
			if err != nil {
				f.Fatal(err)
			}
			b.pats = append(b.pats, p)
		}
		bases = append(bases, b)
	}
	f.Fuzz(func(t *testing.T, pattern, o string) {
		extra, err := origin.Parse(pattern)
		for _, b := range bases {
			strs, pats := b.strs, b.pats
			if err == nil {
				strs = append(strs[:len(strs):len(strs)], pattern)
				pats = append(pats[:len(pats):len(pats)], extra)
			}
			want := false
			for _, p := range pats {
				want = want || referenceMatch(p, o)
			}
			if got := origin.NewSet(pats).Contains(o); got != want {
				t.Fatalf("patterns %q: Contains(%q) = %v, reference %v", strs, o, got, want)
			}
		}
	})
}

// fixedSubdomainPatterns has a few exact origins and "*." patterns with
// fixed ports only, which Set matches without splitting the origin.
var fixedSubdomainPatterns = []string{
	"https://app.example.com",
	"https://*.example.org",
	"https://*.example.org:8443",
	"http://*.localhost:3000",
}

// manyExactPatterns is enough exact origins to use the map.
func manyExactPatterns() []string {
	var ps []string
	for i := 0; i < 20; i++ {
		ps = append(ps, fmt.Sprintf("https://app%d.example.com", i), fmt.Sprintf("http://localhost:%d", 3000+i))
	}
	return ps
}
