package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	cors "github.com/corskit/cors"
)

// TestExplainDestination runs explain --destination against the middleware:
// an asset route without a policy and one with the static-asset policy the
// package documentation recommends.
func TestExplainDestination(t *testing.T) {
	assets, err := cors.New(cors.Config{AllowedOrigins: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	var cookies []string // the Cookie header of each request the server got
	files := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cookies = append(cookies, r.Header.Get("Cookie"))
		w.Header().Set("Content-Type", "text/javascript")
	})
	mux := http.NewServeMux()
	mux.Handle("/plain/", files)
	mux.Handle("/cors/", assets.Handler(files))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	const origin = "http://localhost:8080"

	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string // substrings
		stderr string   // substring
		cookie string   // the Cookie the server must have got, with --cookie k=v
	}{
		{"font without policy", []string{"/plain/f.woff2", "--destination", "font"}, 1, []string{
			"verdict:   BLOCKED",
			"console:   Access to font at '" + srv.URL + "/plain/f.woff2' from origin '" + origin + "' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
			"request:   font: mode cors, credentials same-origin",
			">   Sec-Fetch-Dest: font",
		}, "not sent", ""},
		{"font with policy", []string{"/cors/f.woff2", "--destination", "FONT"}, 0, []string{"verdict:   ALLOWED", "The font loads"}, "", ""},
		{"module without policy", []string{"/plain/m.js", "--destination", "script", "--module"}, 1, []string{"console:   Access to script at '" + srv.URL + "/plain/m.js'"}, "", ""},
		{"module with policy", []string{"/cors/m.js", "--destination", "script", "--module"}, 0, []string{"verdict:   ALLOWED"}, "", ""},
		{"image without crossorigin", []string{"/cors/i.png", "--destination", "image"}, 0, []string{
			"verdict:   LOADS, but opaque",
			"request:   image: mode no-cors, credentials include",
			"tainted",
			"neither asks for nor reads it",
			">   Sec-Fetch-Mode: no-cors",
		}, "", "k=v"},
		{"image with crossorigin, no policy", []string{"/plain/i.png", "--destination", "image", "--crossorigin", "anonymous"}, 1, []string{"console:   Access to image at '" + srv.URL + "/plain/i.png'"}, "", ""},
		{"image with crossorigin and policy", []string{"/cors/i.png", "--destination", "image", "--crossorigin", "Anonymous"}, 0, []string{"verdict:   ALLOWED", "getImageData"}, "", ""},
		{"stylesheet use-credentials and *", []string{"/cors/s.css", "--destination", "style", "--crossorigin", "use-credentials"}, 1, []string{
			"reason:    WildcardOriginNotAllowed",
			"console:   Access to CSS stylesheet at '" + srv.URL + "/cors/s.css'",
		}, "", "k=v"},
		{"fetch named", []string{"/cors/x", "--destination", "fetch"}, 0, []string{"verdict:   ALLOWED"}, "not sent without --credentials", ""},
		{"unknown destination", []string{"/cors/x", "--destination", "video"}, 2, nil, "--destination: \"video\" is not a destination", ""},
		{"bad crossorigin", []string{"/cors/x", "--destination", "image", "--crossorigin", "yes"}, 2, nil, "--crossorigin: ", ""},
		{"crossorigin without destination", []string{"/cors/x", "--crossorigin", "anonymous"}, 2, nil, "--crossorigin: only an element", ""},
		{"module without script", []string{"/cors/x", "--destination", "image", "--module"}, 2, nil, "--module: ", ""},
		{"element with credentials", []string{"/cors/x", "--destination", "image", "--credentials"}, 2, nil, "--credentials: ", ""},
		{"element with a header", []string{"/cors/x", "--destination", "font", "-H", "X-A: 1"}, 2, nil, "-H: ", ""},
		{"element with xhr", []string{"/cors/x", "--destination", "script", "--xhr"}, 2, nil, "--xhr: ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cookies = nil
			args := []string{"explain", srv.URL + tt.args[0], "--origin", origin}
			if tt.code != 2 {
				args = append(args, "--cookie", "k=v")
			}
			args = append(args, tt.args[1:]...)
			var out, errb bytes.Buffer
			if code := run(args, &out, &errb); code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errb.String())
			}
			for _, s := range tt.stdout {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, out.String())
				}
			}
			if !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, errb.String())
			}
			if tt.code == 2 {
				if len(cookies) != 0 || strings.Count(errb.String(), "\n") != 1 {
					t.Errorf("a usage error sent %d requests, stderr %q", len(cookies), errb.String())
				}
				return
			}
			if len(cookies) != 1 || cookies[0] != tt.cookie {
				t.Errorf("the server got Cookie %q, want one request with %q", cookies, tt.cookie)
			}
			if strings.Contains(out.String(), "\nreadable:") && tt.args[2] != "fetch" {
				t.Errorf("readable headers shown for an element load:\n%s", out.String())
			}
		})
	}
}

func TestExplainDestinationJSON(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	var out, errb bytes.Buffer
	if code := run([]string{"explain", srv.URL, "--origin", "https://a.example", "--destination", "image", "--json"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var v map[string]any
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"allowed": true, "opaque": true, "destination": "image", "mode": "no-cors", "credentialsMode": "include", "message": ""}
	for k, w := range want {
		if v[k] != w {
			t.Errorf("%s = %v, want %v", k, v[k], w)
		}
	}
}
