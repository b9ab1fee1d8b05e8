package urlpath_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/corskit/cors/cmd/corsgate/internal/urlpath"
)

// The path tricks, each with what Normalize makes of it in both modes: the
// path forwarded (and matched), or the refusal ("ambiguous" or
// "malformed"). The gateway's tests send the same table through the
// gateway to a backend (internal/gateway's TestPathTricks).
var tricks = []struct {
	name, raw          string
	reject, forward    string // escaped result, or "!ambiguous" / "!malformed"
	matchReject, match string // the Match form when it differs from the result
}{
	{"already normal", "/api/items.json", "/api/items.json", "/api/items.json", "", ""},
	{"root", "/", "/", "/", "", ""},
	{"trailing slash kept", "/api/", "/api/", "/api/", "", ""},
	{"sub-delims and : @ stay raw", "/a/b!$&'()*+,=:@c", "/a/b!$&'()*+,=:@c", "/a/b!$&'()*+,=:@c", "", ""},
	{"dot segment", "/api/./x", "/api/x", "/api/x", "", ""},
	{"dot-dot segment", "/api/../partner/x", "/partner/x", "/partner/x", "", ""},
	{"dot-dot at the end keeps a slash", "/api/x/..", "/api/", "/api/", "", ""},
	{"dot at the end keeps a slash", "/api/x/.", "/api/x/", "/api/x/", "", ""},
	{"encoded dot-dot", "/api/%2e%2e/partner/x", "/partner/x", "/partner/x", "", ""},
	{"encoded dot-dot, upper case", "/api/%2E%2E/partner/x", "/partner/x", "/partner/x", "", ""},
	{"half-encoded dot-dot", "/api/.%2e/partner/x", "/partner/x", "/partner/x", "", ""},
	{"three dots are a name", "/api/.../x", "/api/.../x", "/api/.../x", "", ""},
	{"dot-dot inside a name", "/api/a..b/x", "/api/a..b/x", "/api/a..b/x", "", ""},
	{"above the root", "/..", "!malformed", "!malformed", "", ""},
	{"above the root after a segment", "/api/../../etc/passwd", "!malformed", "!malformed", "", ""},
	{"encoded above the root", "/%2e%2e/etc/passwd", "!malformed", "!malformed", "", ""},
	{"duplicate slashes", "//api//x", "/api/x", "/api/x", "", ""},
	{"duplicate slashes hide a dot-dot", "/api//..//partner/x", "/partner/x", "/partner/x", "", ""},
	{"encoded slash", "/api/..%2Fpartner/x", "!ambiguous", "/api/..%2Fpartner/x", "", ""},
	{"encoded slash, lower case", "/api/..%2fpartner/x", "!ambiguous", "/api/..%2Fpartner/x", "", ""},
	{"encoded slash alone", "/api%2Fx", "!ambiguous", "/api%2Fx", "", ""},
	{"double-encoded slash", "/api/..%252Fpartner/x", "!ambiguous", "/api/..%252Fpartner/x", "", ""},
	{"double-encoded dot", "/api/%252e%252e/partner", "!ambiguous", "/api/%252e%252e/partner", "", ""},
	{"double encoding hidden by an encoded hex digit", "/api/%25%32F", "!ambiguous", "/api/%252F", "", ""},
	{"double encoding hidden behind a decoded letter", "/%250%61", "!ambiguous", "/%250a", "", ""},
	{"an encoded percent sign alone", "/100%25/x", "/100%25/x", "/100%25/x", "", ""},
	{"encoded backslash", "/api/..%5Cpartner/x", "!ambiguous", "/api/..%5Cpartner/x", "", ""},
	{"raw backslash", `/api/..\partner/x`, "!ambiguous", "/api/..%5Cpartner/x", "", ""},
	{"path parameter dot-dot (Tomcat)", "/partner/..;/api/x", "!ambiguous", "/partner/..;/api/x", "", ""},
	{"path parameter", "/api/x;jsessionid=1", "!ambiguous", "/api/x;jsessionid=1", "", ""},
	{"encoded semicolon is data", "/api/x%3Bjsessionid=1", "/api/x%3Bjsessionid=1", "/api/x%3Bjsessionid=1", "/api/x;jsessionid=1", "/api/x;jsessionid=1"},
	{"encoded unreserved decoded", "/%61pi/%7Euser", "/api/~user", "/api/~user", "", ""},
	{"hex made upper case", "/caf%c3%a9", "/caf%C3%A9", "/caf%C3%A9", "/caf\u00e9", "/caf\u00e9"},
	{"raw non-ASCII encoded", "/caf\u00e9", "/caf%C3%A9", "/caf%C3%A9", "/caf\u00e9", "/caf\u00e9"},
	{"raw characters not allowed in a path", "/a\"<>`{}|^[]#", "/a%22%3C%3E%60%7B%7D%7C%5E%5B%5D%23", "/a%22%3C%3E%60%7B%7D%7C%5E%5B%5D%23", "/a\"<>`{}|^[]#", "/a\"<>`{}|^[]#"},
	{"encoded space", "/a%20b", "/a%20b", "/a%20b", "/a b", "/a b"},
	{"encoded NUL", "/api/x%00.json", "!malformed", "!malformed", "", ""},
	{"encoded newline", "/api/x%0d%0aX-Injected:1", "!malformed", "!malformed", "", ""},
	{"a lone percent", "/api/100%", "!malformed", "!malformed", "", ""},
	{"a bad escape", "/api/%zz", "!malformed", "!malformed", "", ""},
	{"a short escape", "/api/%2", "!malformed", "!malformed", "", ""},
	{"asterisk form", "*", "!malformed", "!malformed", "", ""},
	{"authority form", "example.com:443", "!malformed", "!malformed", "", ""},
	{"empty", "", "!malformed", "!malformed", "", ""},
}

func TestNormalize(t *testing.T) {
	for _, tt := range tricks {
		for _, m := range []struct {
			mode        urlpath.Mode
			want, match string
		}{{urlpath.Reject, tt.reject, tt.matchReject}, {urlpath.Forward, tt.forward, tt.match}} {
			p, err := urlpath.Normalize(tt.raw, m.mode)
			if strings.HasPrefix(m.want, "!") {
				if err == nil {
					t.Errorf("%s (mode %d): %q → %q, want refused (%s)", tt.name, m.mode, tt.raw, p.Escaped, m.want[1:])
				} else if urlpath.IsAmbiguous(err) != (m.want == "!ambiguous") {
					t.Errorf("%s (mode %d): %q refused as %v, want %s", tt.name, m.mode, tt.raw, err, m.want[1:])
				}
				continue
			}
			wantMatch := m.match
			if wantMatch == "" {
				wantMatch = m.want
			}
			if err != nil || p.Escaped != m.want || p.Match != wantMatch {
				t.Errorf("%s (mode %d): %q → %q (match %q), %v; want %q (match %q)", tt.name, m.mode, tt.raw, p.Escaped, p.Match, err, m.want, wantMatch)
			}
		}
	}
}

// TestNormalizeIsIdempotent: a normalised path is normal, and Go's URL
// type forwards it byte for byte (the gateway sets it as RawPath).
func TestNormalizeIsIdempotent(t *testing.T) {
	for _, tt := range tricks {
		for _, mode := range []urlpath.Mode{urlpath.Reject, urlpath.Forward} {
			p, err := urlpath.Normalize(tt.raw, mode)
			if err != nil {
				continue
			}
			again, err := urlpath.Normalize(p.Escaped, mode)
			if err != nil || again != p {
				t.Errorf("%q → %q → %q, %v", tt.raw, p.Escaped, again.Escaped, err)
			}
			dec, err := url.PathUnescape(p.Escaped)
			if err != nil {
				t.Fatal(err)
			}
			u := url.URL{Path: dec, RawPath: p.Escaped}
			if got := u.EscapedPath(); got != p.Escaped {
				t.Errorf("%q: Go would send %q, not %q", tt.raw, got, p.Escaped)
			}
		}
	}
}

func TestNormalizeAllocations(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		if _, err := urlpath.Normalize("/api/v1/items/42.json", urlpath.Reject); err != nil {
			t.Fatal(err)
		}
		if _, err := urlpath.Normalize("/api/..%2Fpartner", urlpath.Reject); err == nil {
			t.Fatal("not refused")
		}
	})
	if n != 0 {
		t.Errorf("%v allocations for a normal path and a refused one, want 0", n)
	}
}

// FuzzNormalize: whatever the input, a result is normal (idempotent),
// starts with "/", has no dot segment, no empty segment, and no raw byte
// outside a path's alphabet.
func FuzzNormalize(f *testing.F) {
	for _, tt := range tricks {
		f.Add(tt.raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, mode := range []urlpath.Mode{urlpath.Reject, urlpath.Forward} {
			p, err := urlpath.Normalize(raw, mode)
			if err != nil {
				continue
			}
			if again, err := urlpath.Normalize(p.Escaped, mode); err != nil || again != p {
				t.Fatalf("%q → %q → %q, %v", raw, p.Escaped, again.Escaped, err)
			}
			if !strings.HasPrefix(p.Escaped, "/") || strings.Contains(p.Escaped, "//") {
				t.Fatalf("%q → %q", raw, p.Escaped)
			}
			for _, s := range strings.Split(p.Escaped, "/") {
				if s == "." || s == ".." {
					t.Fatalf("%q → %q keeps a dot segment", raw, p.Escaped)
				}
			}
			if mode == urlpath.Reject && strings.ContainsAny(p.Escaped, `;\`) {
				t.Fatalf("%q → %q", raw, p.Escaped)
			}
		}
	})
}
