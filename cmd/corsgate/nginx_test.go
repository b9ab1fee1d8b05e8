package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/corskit/cors/check"
	"github.com/corskit/cors/cmd/corsgate/internal/load"
	"github.com/corskit/cors/cmd/corsgate/internal/nginxtest"
)

// These tests put corsgate, as a process, in front of Debian's nginx (see
// nginxtest.Backend): a real backend that corsgate knows nothing about.

const appOrigin = "http://app.localhost:3000"

// nginxRoutes: the API for the app's origin with credentials; static files
// for anyone.
const nginxRoutes = `[
  {"path": "/api/", "policy": {"allowedOrigins": ["` + appOrigin + `"], "allowedMethods": ["PUT", "DELETE"], "allowedHeaders": ["Content-Type"], "exposedHeaders": ["X-Request-Id"], "allowCredentials": true, "maxAge": 600}},
  {"path": "/static/", "policy": {"allowedOrigins": ["*"]}}
]`

var (
	apiAnswer = http.Header{"Access-Control-Allow-Origin": {appOrigin}, "Access-Control-Allow-Credentials": {"true"},
		"Access-Control-Expose-Headers": {"x-request-id"}, "Vary": {"Origin"}}
	apiPreflight = http.Header{"Access-Control-Allow-Origin": {appOrigin}, "Access-Control-Allow-Credentials": {"true"},
		"Access-Control-Allow-Methods": {"PUT,DELETE"}, "Access-Control-Allow-Headers": {"content-type"}, "Access-Control-Max-Age": {"600"},
		"Vary": {"Origin, Access-Control-Request-Method, Access-Control-Request-Headers"}}
)

func TestNginxEnforce(t *testing.T) {
	ng := nginxtest.Start(t, nginxtest.Backend())
	path := filepath.Join(t.TempDir(), "corsgate.json")
	writeConfig(t, path, ng.URL, "enforce", nginxRoutes, "")
	g := startGate(t, path)

	app := map[string]string{"Origin": appOrigin}
	tests := []struct {
		name, method, path string
		header             map[string]string
		status             int
		body               string // a prefix; "" for none
		want               http.Header
	}{
		{"JSON from nginx", "GET", "/api/items.json", app, 200, `{"items":[1,2,3],"from":"nginx"}`, apiAnswer},
		{"preflight answered at the gateway", "OPTIONS", "/api/items.json",
			map[string]string{"Origin": appOrigin, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"}, 204, "", apiPreflight},
		{"preflight from a stranger", "OPTIONS", "/api/items.json",
			map[string]string{"Origin": "http://evil.localhost", "Access-Control-Request-Method": "PUT"}, 403, "", http.Header{}},
		{"nginx's wrong CORS headers replaced", "GET", "/api/wrong/x", app, 200, `{"wrong":true}`,
			http.Header{"Access-Control-Allow-Origin": {appOrigin}, "Access-Control-Allow-Credentials": {"true"},
				"Access-Control-Expose-Headers": {"x-request-id"}, "Vary": {"Accept-Encoding", "Origin"}}},
		{"nginx's wrong CORS headers removed for a stranger", "GET", "/api/wrong/x", map[string]string{"Origin": "http://evil.localhost"}, 200, `{"wrong":true}`,
			http.Header{"Vary": {"Accept-Encoding", "Origin"}}},
		{"nginx's 500 readable", "GET", "/api/fail", app, 500, `{"error":"boom"}`, apiAnswer},
		{"nginx's 404 readable", "GET", "/api/none", app, 404, "<html>", apiAnswer},
		{"a static file for anyone", "GET", "/static/notes.txt", map[string]string{"Origin": "http://other.localhost"}, 200, "notes from nginx",
			http.Header{"Access-Control-Allow-Origin": {"*"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := send(t, tt.method, g.URL+tt.path, tt.header)
			if resp.StatusCode != tt.status || !strings.HasPrefix(body, tt.body) {
				t.Errorf("%d %q, want %d %q…", resp.StatusCode, body, tt.status, tt.body)
			}
			if got := check.CORSHeaders(resp.Header); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("CORS headers\n got %v\nwant %v", got, tt.want)
			}
		})
	}

	// nginx stopped: 502, readable by the page; back: 200.
	ng.Stop()
	resp, body := send(t, "GET", g.URL+"/api/items.json", app)
	if resp.StatusCode != 502 || !reflect.DeepEqual(check.CORSHeaders(resp.Header), apiAnswer) {
		t.Errorf("nginx down: %d %q %v", resp.StatusCode, body, check.CORSHeaders(resp.Header))
	}
	if err := ng.Restart(); err != nil {
		t.Fatal(err)
	}
	if resp, _ := send(t, "GET", g.URL+"/api/items.json", app); resp.StatusCode != 200 {
		t.Errorf("nginx back: %d", resp.StatusCode)
	}
}

func TestNginxReportOnly(t *testing.T) {
	ng := nginxtest.Start(t, nginxtest.Backend())
	path := filepath.Join(t.TempDir(), "corsgate.json")
	writeConfig(t, path, ng.URL, "report-only", nginxRoutes, "")
	g := startGate(t, path)

	// nginx's own answer passes untouched: two ACAO lines and all.
	resp, _ := send(t, "GET", g.URL+"/api/wrong/x", map[string]string{"Origin": appOrigin})
	want := http.Header{"Access-Control-Allow-Origin": {"*", appOrigin}, "Access-Control-Allow-Credentials": {"true"},
		"Access-Control-Allow-Methods": {"GET, POST, PUT, DELETE, OPTIONS"}, "Vary": {"Accept-Encoding"}}
	if got := check.CORSHeaders(resp.Header); resp.StatusCode != 200 || !reflect.DeepEqual(got, want) {
		t.Errorf("report-only changed the answer: %d %v", resp.StatusCode, got)
	}
	rec := g.waitLog(t, "report-only: the policy would answer differently", 0)
	wantDiffs := []any{
		`Access-Control-Allow-Origin: response "*, ` + appOrigin + `", policy "` + appOrigin + `"`,
		`Access-Control-Expose-Headers: response (none), policy "x-request-id"`,
		`Vary: response "Accept-Encoding", policy "Origin"`,
	}
	if !reflect.DeepEqual(rec["differences"], wantDiffs) || rec["route"] != "/api/" {
		t.Errorf("difference record %v", rec)
	}
	// A preflight goes to nginx, which has no answer for it.
	resp, _ = send(t, "OPTIONS", g.URL+"/api/none", map[string]string{"Origin": appOrigin, "Access-Control-Request-Method": "PUT"})
	if resp.StatusCode != 405 || len(check.CORSHeaders(resp.Header)) != 0 {
		t.Errorf("preflight through report-only: %d %v, want nginx's bare 405", resp.StatusCode, check.CORSHeaders(resp.Header))
	}
	_, m := send(t, "GET", g.Admin+"/metrics", nil)
	for _, want := range []string{
		`corsgate_report_only_differences_total{field="Access-Control-Allow-Origin",route="/api/"} 2`,
		`corsgate_report_only_differences_total{field="status",route="/api/"} 1`,
		`corsgate_report_only_differences_total{field="Vary",route="/api/"} 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// TestFaultsUnderLoad: a bounded loopback load while nginx is stopped and
// started again and the configuration is reloaded with valid and invalid
// files, by file change and by SIGHUP. Every request must get an answer in
// bounded time; the only failures are 502 (and 504) on actual requests;
// and every response's CORS headers are exactly those of policy A or of
// policy B, never a mixture.
func TestFaultsUnderLoad(t *testing.T) {
	ng := nginxtest.Start(t, nginxtest.Backend())
	dir := t.TempDir()
	path := filepath.Join(dir, "corsgate.json")
	policy := func(expose string, creds bool, maxAge int) string {
		return fmt.Sprintf(`[{"path": "/api/", "policy": {"allowedOrigins": [%q], "allowedMethods": ["PUT"], "exposedHeaders": [%q], "allowCredentials": %v, "maxAge": %d}}]`,
			appOrigin, expose, creds, maxAge)
	}
	a, b := policy("X-Policy-A", true, 600), policy("X-Policy-B", false, 60)
	writeConfig(t, path, ng.URL, "enforce", a, `"timeouts": {"upstreamConnect": "2s", "upstreamResponseHeader": "5s"},`)
	g := startGate(t, path)

	type answer struct{ kind, policy string }
	sets := map[string]answer{}
	key := func(h http.Header) string { return fmt.Sprint(check.CORSHeaders(h)) }
	sets[key(http.Header{"Access-Control-Allow-Origin": {appOrigin}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Expose-Headers": {"x-policy-a"}, "Vary": {"Origin"}})] = answer{"actual", "A"}
	sets[key(http.Header{"Access-Control-Allow-Origin": {appOrigin}, "Access-Control-Expose-Headers": {"x-policy-b"}, "Vary": {"Origin"}})] = answer{"actual", "B"}
	sets[key(http.Header{"Access-Control-Allow-Origin": {appOrigin}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Allow-Methods": {"PUT"},
		"Access-Control-Max-Age": {"600"}, "Vary": {"Origin, Access-Control-Request-Method, Access-Control-Request-Headers"}})] = answer{"preflight", "A"}
	sets[key(http.Header{"Access-Control-Allow-Origin": {appOrigin}, "Access-Control-Allow-Methods": {"PUT"},
		"Access-Control-Max-Age": {"60"}, "Vary": {"Origin, Access-Control-Request-Method, Access-Control-Request-Headers"}})] = answer{"preflight", "B"}

	const (
		rate     = 250
		duration = 9 * time.Second
		timeout  = 10 * time.Second // a request that takes longer has hung
	)
	c := load.Client(32, timeout)
	mk := func(seq int) (*http.Request, error) {
		if seq%5 == 4 {
			r, err := http.NewRequest("OPTIONS", g.URL+"/api/items.json", nil)
			if err == nil {
				r.Header.Set("Origin", appOrigin)
				r.Header.Set("Access-Control-Request-Method", "PUT")
			}
			return r, err
		}
		r, err := http.NewRequest("GET", g.URL+"/api/items.json", nil)
		if err == nil {
			r.Header.Set("Origin", appOrigin)
		}
		return r, err
	}

	var mu sync.Mutex
	counts := map[string]int{}
	var problems []string
	var worst time.Duration
	each := func(r load.Result) {
		mu.Lock()
		defer mu.Unlock()
		worst = max(worst, r.Latency)
		kind := "actual"
		if r.Seq%5 == 4 {
			kind = "preflight"
		}
		if r.Err != nil {
			problems = append(problems, fmt.Sprintf("request %d (%s): no answer: %v", r.Seq, kind, r.Err))
			return
		}
		got, ok := sets[key(r.Header)]
		switch {
		case !ok || got.kind != kind:
			problems = append(problems, fmt.Sprintf("request %d (%s, status %d): CORS headers of no single policy: %v", r.Seq, kind, r.Status, check.CORSHeaders(r.Header)))
		case kind == "preflight" && r.Status != 204, kind == "actual" && r.Status != 200 && r.Status != 502 && r.Status != 504:
			problems = append(problems, fmt.Sprintf("request %d (%s): status %d", r.Seq, kind, r.Status))
		}
		counts[fmt.Sprintf("%s %s %d", kind, got.policy, r.Status)]++
	}

	// The faults, while the load runs.
	faults := []struct {
		at   time.Duration
		name string
		do   func()
	}{
		{1 * time.Second, "stop nginx", ng.Stop},
		{2 * time.Second, "start nginx", func() {
			if err := ng.Restart(); err != nil {
				t.Error(err)
			}
		}},
		{3 * time.Second, "write policy B", func() {
			writeConfig(t, path, ng.URL, "enforce", b, `"timeouts": {"upstreamConnect": "2s", "upstreamResponseHeader": "5s"},`)
		}},
		{4 * time.Second, "write an invalid file", func() { writeConfig(t, path, ng.URL, "enforce", policy("X Bad", true, 99999), "") }},
		{4500 * time.Millisecond, "SIGHUP on the invalid file", func() { g.signal(t, syscall.SIGHUP) }},
		{5 * time.Second, "stop nginx", ng.Stop},
		{5500 * time.Millisecond, "write policy A", func() {
			writeConfig(t, path, ng.URL, "enforce", a, `"timeouts": {"upstreamConnect": "2s", "upstreamResponseHeader": "5s"},`)
		}},
		{6500 * time.Millisecond, "start nginx", func() {
			if err := ng.Restart(); err != nil {
				t.Error(err)
			}
		}},
		{7 * time.Second, "write policy B, then SIGHUP", func() {
			writeConfig(t, path, ng.URL, "enforce", b, `"timeouts": {"upstreamConnect": "2s", "upstreamResponseHeader": "5s"},`)
			g.signal(t, syscall.SIGHUP)
		}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), duration+2*timeout)
	defer cancel()
	done := make(chan struct{})
	go func() {
		start := time.Now()
		for _, f := range faults {
			time.Sleep(time.Until(start.Add(f.at)))
			t.Logf("%5.1fs %s", time.Since(start).Seconds(), f.name)
			f.do()
		}
		close(done)
	}()
	load.Rate(ctx, c, rate, duration, 64, mk, each)
	<-done

	t.Logf("answers (kind, policy, status): %v; slowest %v", counts, worst)
	for i, p := range problems {
		if i == 20 {
			t.Errorf("… and %d more", len(problems)-20)
			break
		}
		t.Error(p)
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	if want := int(duration.Seconds() * rate); total+len(problems) != want {
		t.Errorf("%d answers and %d failures, want %d requests", total, len(problems), want)
	}
	// The faults must have been seen, or the test proved nothing.
	for _, k := range []string{"actual A 200", "actual B 200", "actual A 502", "preflight A 204", "preflight B 204"} {
		if counts[k] == 0 {
			t.Errorf("no %q answer: the run did not exercise this", k)
		}
	}
	if worst >= timeout {
		t.Errorf("slowest answer %v", worst)
	}
	// Both refusals and the reloads are on record.
	_, m := send(t, "GET", g.Admin+"/metrics", nil)
	for _, want := range []string{`corsgate_config_reloads_total{result="failed"} 2`, `corsgate_config_reloads_total{result="ok"} 3`} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}
