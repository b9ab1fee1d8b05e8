package fetch_test

import (
	"testing"

	"github.com/corskit/cors/internal/fetch"
)

func TestMaxRedirects(t *testing.T) {
	if fetch.MaxRedirects != 20 {
		t.Errorf("MaxRedirects = %d, want 20 (Fetch §4.4)", fetch.MaxRedirects)
	}
}

func TestRedirectMethod(t *testing.T) {
	tests := []struct {
		status     int
		method     string
		wantMethod string
		wantDrop   bool
	}{
		{301, "POST", "GET", true},
		{302, "POST", "GET", true},
		{303, "POST", "GET", true},
		{303, "PUT", "GET", true},
		{303, "DELETE", "GET", true},
		{303, "PATCH", "GET", true},
		{303, "GET", "GET", false},
		{303, "HEAD", "HEAD", false},
		{301, "PUT", "PUT", false},
		{302, "DELETE", "DELETE", false},
		{301, "GET", "GET", false},
		{302, "HEAD", "HEAD", false},
		{307, "POST", "POST", false},
		{308, "POST", "POST", false},
		{307, "PUT", "PUT", false},
		// Not normalised: "post" is not POST (NormalizeMethod upper-cases it
		// before this rule ever sees it).
		{301, "post", "post", false},
	}
	for _, tt := range tests {
		m, drop := fetch.RedirectMethod(tt.status, tt.method)
		if m != tt.wantMethod || drop != tt.wantDrop {
			t.Errorf("RedirectMethod(%d, %q) = %q, %v; want %q, %v", tt.status, tt.method, m, drop, tt.wantMethod, tt.wantDrop)
		}
	}
}

func TestIsRequestBodyHeader(t *testing.T) {
	for _, name := range []string{"Content-Type", "content-type", "Content-Language", "CONTENT-ENCODING", "Content-Location"} {
		if !fetch.IsRequestBodyHeader(name) {
			t.Errorf("IsRequestBodyHeader(%q) = false", name)
		}
	}
	for _, name := range []string{"Content-Length", "Content-Disposition", "Authorization", "Accept", "X-Content-Type", ""} {
		if fetch.IsRequestBodyHeader(name) {
			t.Errorf("IsRequestBodyHeader(%q) = true", name)
		}
	}
}

func TestRedirectRemovesHeader(t *testing.T) {
	tests := []struct {
		name                  string
		dropBody, crossOrigin bool
		want                  bool
	}{
		{"Content-Type", true, false, true},
		{"Content-Type", false, true, false},
		{"Content-Type", false, false, false},
		{"Authorization", false, true, true},
		{"authorization", false, true, true},
		{"Authorization", true, false, false},
		{"Authorization", false, false, false},
		{"X-Token", true, true, false},
		{"Accept", true, true, false},
	}
	for _, tt := range tests {
		if got := fetch.RedirectRemovesHeader(tt.name, tt.dropBody, tt.crossOrigin); got != tt.want {
			t.Errorf("RedirectRemovesHeader(%q, dropBody %v, crossOrigin %v) = %v, want %v", tt.name, tt.dropBody, tt.crossOrigin, got, tt.want)
		}
	}
}

func TestRedirectTaintsOrigin(t *testing.T) {
	a := fetch.Origin{Scheme: "https", Host: "a.example"}
	b := fetch.Origin{Scheme: "https", Host: "b.example"}
	c := fetch.Origin{Scheme: "https", Host: "c.example"}
	bPort := fetch.Origin{Scheme: "https", Host: "b.example", Port: "8443"}
	tests := []struct {
		name              string
		request           string
		current, location fetch.Origin
		want              bool
	}{
		{"same-origin hop", a.String(), b, b, false},
		{"cross-origin hop of a cross-origin request", a.String(), b, c, true},
		{"back to the page's origin", a.String(), b, a, true},
		{"another port is another origin", a.String(), b, bPort, true},
		{"hop away from the page's own origin", a.String(), a, b, false},
		{"opaque request origin", fetch.NullOrigin, b, c, true},
		{"opaque request origin, same-origin hop", fetch.NullOrigin, b, b, false},
	}
	for _, tt := range tests {
		if got := fetch.RedirectTaintsOrigin(tt.request, tt.current, tt.location); got != tt.want {
			t.Errorf("%s: RedirectTaintsOrigin(%q, %v, %v) = %v, want %v", tt.name, tt.request, tt.current, tt.location, got, tt.want)
		}
	}
}
