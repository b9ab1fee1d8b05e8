package nginxtest_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/corskit/cors/cmd/corsgate/internal/nginxtest"
)

func get(url string) (int, string, error) {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b) + "|" + resp.Header.Get("Content-Type"), err
}

func TestStartStopRestart(t *testing.T) {
	s := nginxtest.Start(t, nginxtest.Config{
		Server: `location = /hello.json { default_type application/json; return 200 '{"hello":"nginx"}'; }`,
		Files:  map[string]string{"data/a.txt": "file a"},
	})
	for _, tt := range []struct{ path, want string }{
		{"/data/a.txt", "file a|text/plain"},
		{"/hello.json", `{"hello":"nginx"}|application/json`},
	} {
		if code, body, err := get(s.URL + tt.path); err != nil || code != 200 || body != tt.want {
			t.Errorf("GET %s = %d %q %v, want 200 %q", tt.path, code, body, err, tt.want)
		}
	}
	s.Stop()
	if _, _, err := get(s.URL + "/data/a.txt"); err == nil {
		t.Error("nginx still answers after Stop")
	}
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	if code, _, err := get(s.URL + "/data/a.txt"); err != nil || code != 200 {
		t.Errorf("after Restart: %d %v", code, err)
	}
}
