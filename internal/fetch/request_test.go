package fetch_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/corskit/cors/internal/fetch"
)

func TestIsSafelistedRequestHeader(t *testing.T) {
	tests := []struct {
		name, value string
		want        bool
	}{
		{"Accept", "application/json", true},
		{"accept", "*/*", true},
		{"Accept", `text/html; q="x"`, false}, // '"' is an unsafe byte
		{"Accept", "a\x01", false},
		{"Accept", "a\tb", true},
		{"Accept", strings.Repeat("a", 128), true},
		{"Accept", strings.Repeat("a", 129), false},
		{"Accept-Language", "en-US,en;q=0.9", true},
		{"Content-Language", "de", true},
		{"Content-Language", "de/at", false},
		{"Content-Type", "text/plain", true},
		{"Content-Type", "Text/Plain; charset=utf-8", true},
		{"Content-Type", "  multipart/form-data ; boundary=x", true},
		{"Content-Type", "application/x-www-form-urlencoded", true},
		{"Content-Type", "application/json", false},
		{"Content-Type", "text/plain, application/json", false},
		{"Content-Type", "text/plain; x=\"y\"", false}, // '"' unsafe
		{"Content-Type", "text", false},
		{"Content-Type", "/plain", false},
		{"Range", "bytes=0-", true},
		{"Range", "bytes=0-499", true},
		{"Range", "Bytes=5-10", false}, // "bytes" is matched exactly (Fetch, "parse a single range header value" step 2)
		{"Range", "BYTES=0-1", false},
		{"Range", "bytes=-500", false}, // suffix range
		{"Range", "bytes=10-5", false},
		{"Range", "bytes=0-1,3-4", false},
		{"Range", "bytes= 0-1", false},
		{"Range", "items=0-1", false},
		{"X-Requested-With", "XMLHttpRequest", false},
		{"Authorization", "Bearer x", false},
	}
	for _, tt := range tests {
		if got := fetch.IsSafelistedRequestHeader(tt.name, tt.value); got != tt.want {
			t.Errorf("IsSafelistedRequestHeader(%q, %q) = %v, want %v", tt.name, tt.value, got, tt.want)
		}
	}
}

func TestMIMEEssence(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"text/plain", "text/plain", true},
		{"TEXT/PLAIN;charset=x", "text/plain", true},
		{" text/plain \t", "text/plain", true},
		{"text/plain ;a=b", "text/plain", true},
		{"text /plain", "", false},
		{"text/", "", false},
		{"", "", false},
		{"text/plain, application/json", "", false},
	}
	for _, tt := range tests {
		got, ok := fetch.MIMEEssence(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("MIMEEssence(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestUnsafeRequestHeaderNames(t *testing.T) {
	big := strings.Repeat("a", 128)
	tests := []struct {
		name    string
		headers []fetch.HeaderField
		want    []string
	}{
		{"none", nil, []string{}},
		{"safelisted only", []fetch.HeaderField{{"Accept", "x"}, {"Content-Type", "text/plain"}}, []string{}},
		{"sorted lower-case set", []fetch.HeaderField{{"X-B", "1"}, {"x-a", "1"}, {"X-A", "2"}, {"Content-Type", "application/json"}},
			[]string{"content-type", "x-a", "x-b"}},
		{"exactly 1024 bytes stays safe", fill(8, big), []string{}},
		{"over 1024 bytes makes all unsafe", append(fill(8, big), fetch.HeaderField{"Content-Language", "e"}),
			[]string{"accept", "accept-language", "content-language"}},
	}
	for _, tt := range tests {
		got := fetch.UnsafeRequestHeaderNames(tt.headers, nil)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := fetch.RequestHeadersValue([]string{"content-type", "x-a"}); got != "content-type,x-a" {
		t.Errorf("RequestHeadersValue = %q", got)
	}
}

// fill returns n safelisted headers with value v, alternating two names.
func fill(n int, v string) []fetch.HeaderField {
	var out []fetch.HeaderField
	for i := range n {
		name := "Accept"
		if i%2 == 1 {
			name = "Accept-Language"
		}
		out = append(out, fetch.HeaderField{Name: name, Value: v})
	}
	return out
}

func TestParseTokenList(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		ok   bool
	}{
		{"", nil, true},
		{"GET, PUT", []string{"GET", "PUT"}, true},
		{" GET,,\tPUT , ", []string{"GET", "PUT"}, true},
		{"*", []string{"*"}, true},
		{"GET;PUT", nil, false},
		{"Content-Type: application/json", nil, false},
		{`"GET"`, nil, false},
		{"X Y", nil, false},
	}
	for _, tt := range tests {
		got, ok := fetch.ParseTokenList(tt.in)
		if !slices.Equal(got, tt.want) || ok != tt.ok {
			t.Errorf("ParseTokenList(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPreflightCacheSeconds(t *testing.T) {
	tests := []struct {
		v       string
		present bool
		cap     int
		want    int
	}{
		{"", false, 7200, 5},
		{"600", true, 7200, 600},
		{"86400", true, 7200, 7200},
		{"86400", true, 86400, 86400},
		{"86400", true, 600, 600},
		{"-1", true, 7200, 0},
		{"0", true, 7200, 0},
		{"abc", true, 7200, 5},
		{"1.5", true, 7200, 5},
		{"", true, 7200, 5},
		{"+10", true, 7200, 5},
		{"99999999999999999999", true, 86400, 86400},
	}
	for _, tt := range tests {
		if got := fetch.PreflightCacheSeconds(tt.v, tt.present, tt.cap); got != tt.want {
			t.Errorf("PreflightCacheSeconds(%q, %v, %d) = %d, want %d", tt.v, tt.present, tt.cap, got, tt.want)
		}
	}
}

func TestCombinedValue(t *testing.T) {
	h := http.Header{}
	if _, ok := fetch.CombinedValue(h, "access-control-allow-origin"); ok {
		t.Error("absent header reported present")
	}
	h.Add("Access-Control-Allow-Origin", "https://a.example")
	h.Add("Access-Control-Allow-Origin", "https://a.example")
	if v, ok := fetch.CombinedValue(h, "access-control-allow-origin"); !ok || v != "https://a.example, https://a.example" {
		t.Errorf("CombinedValue = %q, %v", v, ok)
	}
}

func TestIsRedirectStatus(t *testing.T) {
	for s, want := range map[int]bool{301: true, 302: true, 303: true, 307: true, 308: true, 300: false, 304: false, 200: false} {
		if got := fetch.IsRedirectStatus(s); got != want {
			t.Errorf("IsRedirectStatus(%d) = %v", s, got)
		}
	}
}
