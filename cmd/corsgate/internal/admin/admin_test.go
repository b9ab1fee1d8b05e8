package admin_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/corskit/cors/cmd/corsgate/internal/admin"
	"github.com/corskit/cors/cmd/corsgate/internal/config"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	return w.Code, w.Body.String()
}

// TestReadiness: not ready until a configuration is loaded and the proxy
// listens, and not ready again from the start of a shutdown.
func TestReadiness(t *testing.T) {
	st := admin.NewState("/etc/corsgate.json")
	h := st.Handler(http.NotFoundHandler())
	steps := []struct {
		name   string
		do     func()
		readyz int
	}{
		{"nothing loaded", func() {}, 503},
		{"ready without a configuration", func() { st.SetReady(true) }, 503},
		{"loaded and listening", func() {
			c, err := config.Parse([]byte(`{"listen": ":1", "upstream": "http://u", "routes": [{"path": "/", "policy": {"allowedOrigins": ["*"]}}]}`))
			if err != nil {
				t.Fatal(err)
			}
			st.Loaded(c, time.Unix(1000, 0))
		}, 200},
		{"shutting down", func() { st.SetReady(false) }, 503},
	}
	for _, s := range steps {
		s.do()
		if code, _ := get(t, h, "/readyz"); code != s.readyz {
			t.Errorf("%s: /readyz %d, want %d", s.name, code, s.readyz)
		}
		if code, body := get(t, h, "/healthz"); code != 200 || body != "ok\n" {
			t.Errorf("%s: /healthz %d %q", s.name, code, body)
		}
	}
}

func TestConfigView(t *testing.T) {
	st := admin.NewState("/etc/corsgate.json")
	c, err := config.Parse([]byte(`{"listen": ":1", "upstream": "http://u", "routes": [{"path": "/", "policy": {"allowedOrigins": ["*"]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	st.Loaded(c, time.Unix(1000, 0).UTC())
	st.Reloaded(admin.Reload{At: time.Unix(2000, 0).UTC(), Trigger: "SIGHUP", Problems: []string{"routes[0].path: missing"}})
	code, body := get(t, st.Handler(http.NotFoundHandler()), "/config")
	var v struct {
		File, SHA256 string
		LoadedAt     time.Time
		Config       struct {
			Mode     string
			Timeouts map[string]string
		}
		LastReload admin.Reload
	}
	if err := json.Unmarshal([]byte(body), &v); code != 200 || err != nil {
		t.Fatalf("/config %d %v: %s", code, err, body)
	}
	if v.File != "/etc/corsgate.json" || v.SHA256 != c.SHA256 || !v.LoadedAt.Equal(time.Unix(1000, 0)) || v.Config.Mode != "enforce" ||
		v.Config.Timeouts["readHeader"] != "10s" || v.LastReload.OK || v.LastReload.Problems[0] != "routes[0].path: missing" {
		t.Errorf("/config: %s", body)
	}
}
