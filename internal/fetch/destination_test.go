package fetch_test

import (
	"testing"

	"github.com/corskit/cors/internal/fetch"
)

// The expected modes are the HTML standard's ("create a potential-CORS
// request", "fetch a single module script") and CSS Fonts 4's, written out.
func TestElementRequests(t *testing.T) {
	type request func() (fetch.Mode, fetch.CredentialsMode)
	element := func(s fetch.CORSSetting) request {
		return func() (fetch.Mode, fetch.CredentialsMode) { return fetch.PotentialCORSRequest(s) }
	}
	module := func(s fetch.CORSSetting) request {
		return func() (fetch.Mode, fetch.CredentialsMode) { return fetch.ModuleScriptRequest(s) }
	}
	tests := []struct {
		name        string
		req         request
		mode, creds string
	}{
		{"img without crossorigin", element(fetch.NoCORS), "no-cors", "include"},
		{"img crossorigin=anonymous", element(fetch.Anonymous), "cors", "same-origin"},
		{"img crossorigin=use-credentials", element(fetch.UseCredentials), "cors", "include"},
		{"module without crossorigin", module(fetch.NoCORS), "cors", "same-origin"},
		{"module crossorigin=anonymous", module(fetch.Anonymous), "cors", "same-origin"},
		{"module crossorigin=use-credentials", module(fetch.UseCredentials), "cors", "include"},
		{"@font-face", fetch.FontRequest, "cors", "same-origin"},
	}
	for _, tt := range tests {
		m, c := tt.req()
		if string(m) != tt.mode || string(c) != tt.creds {
			t.Errorf("%s: %s, %s; want %s, %s", tt.name, m, c, tt.mode, tt.creds)
		}
	}
}

func TestSecFetchDestAndAccept(t *testing.T) {
	for dest, want := range map[fetch.Destination][2]string{
		fetch.DestinationEmpty:  {"empty", "*/*"},
		fetch.DestinationFont:   {"font", "*/*"},
		fetch.DestinationScript: {"script", "*/*"},
		fetch.DestinationImage:  {"image", "image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"},
		fetch.DestinationStyle:  {"style", "text/css,*/*;q=0.1"},
	} {
		if got := [2]string{fetch.SecFetchDest(dest), fetch.StandardAccept(dest)}; got != want {
			t.Errorf("%q: Sec-Fetch-Dest, Accept = %q, want %q", dest, got, want)
		}
	}
}

func TestJavaScriptMIMEType(t *testing.T) {
	for ct, want := range map[string]bool{
		"text/javascript":                   true,
		"text/javascript; charset=utf-8":    true,
		"Application/JavaScript":            true,
		"text/ecmascript":                   true,
		"text/x-javascript":                 true,
		"text/javascript1.5":                true,
		"text/plain":                        false,
		"text/html; charset=utf-8":          false,
		"application/json":                  false,
		"":                                  false,
		"javascript":                        false,
		"text/plain, text/javascript":       true, // the last of combined values
		"text/javascript, text/plain":       false,
		"application/wasm":                  false,
		"text/javascript2":                  false,
		"  text/javascript  ; charset=utf8": true,
	} {
		if got := fetch.IsJavaScriptMIMEType(fetch.ResponseMIMEEssence(ct)); got != want {
			t.Errorf("%q: %v, want %v", ct, got, want)
		}
	}
}
