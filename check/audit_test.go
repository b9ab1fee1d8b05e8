package check_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	cors "github.com/corskit/cors"
	"github.com/corskit/cors/check"
)

// vulnerable trusts null, reflects any origin that ends with "example.com"
// (a suffix match without a dot boundary), and reflects every other origin
// too, always with credentials and without Vary.
func vulnerable(w http.ResponseWriter, r *http.Request) {
	o := r.Header.Get("Origin")
	if o == "" {
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", o)
	w.Header().Set("Access-Control-Allow-Credentials", "true")
	w.Header().Set("Access-Control-Allow-Methods", "GET, PUT")
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
	}
}

// suffixOnly trusts null and origins ending in "example.com", with credentials.
func suffixOnly(w http.ResponseWriter, r *http.Request) {
	o := r.Header.Get("Origin")
	w.Header().Add("Vary", "Origin")
	if o == "null" || strings.HasSuffix(o, "example.com") {
		w.Header().Set("Access-Control-Allow-Origin", o)
		w.Header().Set("Access-Control-Allow-Credentials", "true")
	}
}

func findings(rep *check.Report) map[string]check.Finding {
	out := map[string]check.Finding{}
	for _, f := range rep.Findings {
		key := f.Class + "/" + f.Probe
		if old, ok := out[key]; !ok || f.Severity > old.Severity {
			out[key] = f
		}
	}
	return out
}

func TestAuditVulnerable(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    map[string]check.Severity // class/probe → severity
		absent  []string
	}{
		{"reflects everything", vulnerable, map[string]check.Severity{
			"origin-reflection/simple":    check.Critical,
			"origin-reflection/preflight": check.Critical,
			"null-origin/simple":          check.High,
			"null-origin/preflight":       check.High,
			"ends-with/simple":            check.High,
			"starts-with/simple":          check.High,
			"substring/simple":            check.High,
			"unescaped-dot/simple":        check.High,
			"any-subdomain/simple":        check.Medium,
			"http-origin-trusted/simple":  check.Medium,
			"missing-vary/simple":         check.Low,
		}, nil},
		{"suffix match and null", suffixOnly, map[string]check.Severity{
			"null-origin/simple":   check.High,
			"ends-with/simple":     check.High,
			"any-subdomain/simple": check.Medium,
		}, []string{"origin-reflection/simple", "starts-with/simple", "missing-vary/simple"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			rep, err := check.Audit(context.Background(), srv.Client(), srv.URL+"/api", check.AuditOptions{
				Trusted: []string{"https://www.example.com"}, Label: "zqxj",
			})
			if err != nil {
				t.Fatal(err)
			}
			got := findings(rep)
			for key, sev := range tt.want {
				f, ok := got[key]
				if !ok {
					t.Errorf("missing finding %s", key)
					continue
				}
				if f.Severity != sev {
					t.Errorf("%s: severity %s, want %s", key, f.Severity, sev)
				}
				if f.Origin == "" || f.Evidence.Status == 0 || f.Evidence.Header.Get("Access-Control-Allow-Origin") == "" && f.Class != "missing-vary" {
					t.Errorf("%s: thin evidence %+v", key, f)
				}
			}
			for _, key := range tt.absent {
				if _, ok := got[key]; ok {
					t.Errorf("unexpected finding %s: %+v", key, got[key])
				}
			}
			if max, _ := rep.Max(); max < check.High {
				t.Errorf("max severity %s", max)
			}
		})
	}
}

func TestAuditCorskitSane(t *testing.T) {
	m, err := cors.New(cors.Config{
		AllowedOrigins:   []string{"https://app.example.com"},
		AllowedMethods:   []string{http.MethodPut},
		AllowedHeaders:   []string{"Content-Type"},
		AllowCredentials: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Handler(http.NotFoundHandler()))
	defer srv.Close()
	rep, err := check.Audit(context.Background(), srv.Client(), srv.URL, check.AuditOptions{Trusted: []string{"https://app.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if high := rep.AtLeast(check.Low); len(high) > 0 {
		t.Errorf("findings against a sane policy: %+v", high)
	}
	if rep.Requests == 0 {
		t.Error("no requests sent")
	}
}

func TestAuditWildcardAndDuplicates(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			w.Header().Add("Access-Control-Allow-Origin", "*")
			w.Header().Add("Access-Control-Allow-Origin", "*")
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Credentials", "true")
	}))
	defer srv.Close()
	rep, err := check.Audit(context.Background(), srv.Client(), srv.URL, check.AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := findings(rep)
	for _, key := range []string{"wildcard-with-credentials/simple", "multiple-acao/preflight"} {
		if _, ok := got[key]; !ok {
			t.Errorf("missing %s in %v", key, rep.Findings)
		}
	}
	if max, _ := rep.Max(); max > check.Low {
		t.Errorf("max severity %s, want at most low", max)
	}
}

func TestAuditUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := check.Audit(context.Background(), nil, url, check.AuditOptions{})
	if _, ok := err.(*check.NetworkError); !ok {
		t.Errorf("err = %v, want a NetworkError", err)
	}
	_, err = check.Audit(context.Background(), nil, "not a url", check.AuditOptions{})
	if _, ok := err.(*check.InputError); !ok {
		t.Errorf("err = %v, want an InputError", err)
	}
}
