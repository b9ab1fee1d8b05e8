package engine_test

import (
	"strings"
	"testing"

	"github.com/corskit/cors/internal/engine"
	"github.com/corskit/cors/internal/fetch"
)

// The expected values are what Chromium 156 did with each header (a
// preflight or not), recorded by hand in the e2e experiment described in
// chromium.go, not computed by the code under test.
func TestChromiumSafelistedRequestHeader(t *testing.T) {
	tests := []struct {
		name, value string
		want        bool
	}{
		{"Intervention", "x", true},
		{"Intervention", strings.Repeat("a", 128), true},
		{"Intervention", strings.Repeat("a", 129), false},
		{"DPR", "2.0", true}, {"DPR", "2", true}, {"DPR", "high", false}, {"DPR", "2.", false}, {"DPR", ".5", false},
		{"Width", "100", true}, {"Width", "1.5", false},
		{"Viewport-Width", "800", true}, {"Viewport-Width", "x", false},
		{"RTT", "50", true}, {"RTT", "5.0", false},
		{"Downlink", "1.5", true}, {"Downlink", "fast", false},
		{"ECT", "4g", true}, {"ECT", "slow-2g", true}, {"ECT", "3g", true}, {"ECT", "2g", true}, {"ECT", "4G", false}, {"ECT", "5g", false},
		{"Device-Memory", "8", true}, {"Device-Memory", "0.5", true}, {"Device-Memory", "lots", false},
		{"Save-Data", "on", true}, {"Save-Data", "ON", true}, {"Save-Data", "off", false},
		{"Lang", "en", false},
		{"X-Custom", "1", false},
		{"Content-Type", "text/plain", true},
		{"Content-Type", "application/json", false},
	}
	for _, tt := range tests {
		if got := engine.Chromium.IsSafelistedRequestHeader(tt.name, tt.value); got != tt.want {
			t.Errorf("%s: %q = %v, want %v", tt.name, tt.value, got, tt.want)
		}
	}
}

// TestChromiumTotal: in Chromium 156, eight safelisted headers of 128 bytes
// (1024 in all, Intervention and client hints among them) went without a
// preflight; one more byte in a ninth listed all nine.
func TestChromiumTotal(t *testing.T) {
	a := func(c string) string { return strings.Repeat(c, 128) }
	h := []fetch.HeaderField{
		{Name: "Intervention", Value: a("a")}, {Name: "Accept", Value: a("a")}, {Name: "Accept-Language", Value: a("b")}, {Name: "Content-Language", Value: a("c")},
		{Name: "DPR", Value: a("1")}, {Name: "Width", Value: a("2")}, {Name: "Viewport-Width", Value: a("3")}, {Name: "RTT", Value: a("4")},
	}
	if got := fetch.UnsafeRequestHeaderNames(h, engine.Chromium.IsSafelistedRequestHeader); len(got) != 0 {
		t.Errorf("1024 bytes: %v, want none", got)
	}
	h = append(h, fetch.HeaderField{Name: "Downlink", Value: "1"})
	want := "accept,accept-language,content-language,downlink,dpr,intervention,rtt,viewport-width,width"
	if got := strings.Join(fetch.UnsafeRequestHeaderNames(h, engine.Chromium.IsSafelistedRequestHeader), ","); got != want {
		t.Errorf("1025 bytes: %s, want %s", got, want)
	}
	if got := fetch.UnsafeRequestHeaderNames(h[:1], nil); len(got) != 1 {
		t.Errorf("the standard does not safelist Intervention: %v", got)
	}
}

// TestChromiumDestinations: the Accept values Chromium 156 sent and the
// "<kind>" its console lines named, per destination, as recorded in the
// e2e suite's destination experiment (TestDestinations).
func TestChromiumDestinations(t *testing.T) {
	for dest, want := range map[fetch.Destination][2]string{
		fetch.DestinationEmpty:  {"*/*", ""},
		fetch.DestinationFont:   {"*/*", "font"},
		fetch.DestinationScript: {"*/*", "script"},
		fetch.DestinationImage:  {"image/jxl,image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", "image"},
		fetch.DestinationStyle:  {"text/css,*/*;q=0.1", "CSS stylesheet"},
	} {
		if got := [2]string{engine.Chromium.Accept(dest), engine.ChromiumResourceKind(dest)}; got != want {
			t.Errorf("%q: Accept, kind = %q, want %q", dest, got, want)
		}
	}
	// The standard's value when an engine says nothing.
	if got := (engine.Rules{}).Accept(fetch.DestinationStyle); got != fetch.StandardAccept(fetch.DestinationStyle) {
		t.Errorf("zero Rules: Accept %q", got)
	}
}
