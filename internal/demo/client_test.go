package demo_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/corskit/cors/internal/demo"
)

func TestClient(t *testing.T) {
	const api = "http://localhost:3000"
	srv := httptest.NewServer(demo.NewClient(api+"/", client))
	defer srv.Close()

	tests := []struct {
		path        string
		wantStatus  int
		wantType    string
		wantContent []string
	}{
		{"/", 200, "text/html; charset=utf-8", []string{`<script src="app.js"`, `id="run-all"`, `href="app.css"`}},
		{"/app.js", 200, "text/javascript; charset=utf-8", []string{"data-result-", "calls.json", "XMLHttpRequest"}},
		{"/app.css", 200, "text/css; charset=utf-8", []string{"system-ui"}},
		{"/calls.json", 200, "application/json; charset=utf-8", []string{`"api":"` + api + `"`}},
		{"/index.html", 404, "", nil},
		{"/nope", 404, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			res, err := http.Get(srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d", res.StatusCode, tc.wantStatus)
			}
			if tc.wantType != "" && res.Header.Get("Content-Type") != tc.wantType {
				t.Errorf("Content-Type = %q, want %q", res.Header.Get("Content-Type"), tc.wantType)
			}
			for _, s := range tc.wantContent {
				if !strings.Contains(string(body), s) {
					t.Errorf("body lacks %q", s)
				}
			}
			// The page loads nothing from elsewhere: no CDN, works offline.
			if strings.Contains(string(body), "https://") && tc.path != "/calls.json" {
				t.Errorf("%s refers to an external URL", tc.path)
			}
		})
	}
}

// The page learns the API's URL, and its own origin, from /calls.json.
func TestClientCallsJSON(t *testing.T) {
	const api = "http://localhost:3000"
	srv := httptest.NewServer(demo.NewClient(api, client))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/calls.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	var got demo.Page
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	want := demo.Page{API: api, Origin: srv.URL, Trusted: client, Calls: demo.Calls(api, client, srv.URL)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("calls.json = %+v\nwant %+v", got, want)
	}
}
