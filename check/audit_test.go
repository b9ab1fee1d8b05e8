package check_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cors "github.com/corskit/cors"
	"github.com/corskit/cors/check"
)

// vulnerable trusts null, reflects any origin that ends with "example.com"
// (a suffix match without a dot boundary), and reflects every other origin
// too, always with credentials and without Vary, and every requested
// header (as Express's cors() does).
func vulnerable(w http.ResponseWriter, r *http.Request) {
	o := r.Header.Get("Origin")
	if o == "" {
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", o)
	w.Header().Set("Access-Control-Allow-Credentials", "true")
	w.Header().Set("Access-Control-Allow-Methods", "GET, PUT")
	w.Header().Set("Access-Control-Allow-Headers", r.Header.Get("Access-Control-Request-Headers"))
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
	}
}

func findings(rep *check.Report) map[string]check.Finding {
	out := map[string]check.Finding{}
	for _, f := range rep.Findings {
		key := string(f.Class) + "/" + string(f.Probe)
		if old, ok := out[key]; !ok || f.Severity > old.Severity {
			out[key] = f
		}
	}
	return out
}

// regexServer answers like an nginx "if ($http_origin ~ ...)" block or an
// Express cors({origin: /.../}) policy: it echoes the Origin, with
// credentials and Vary: Origin, when re matches it (unanchored unless the
// pattern anchors itself, as both do), and preflights alike.
func regexServer(pattern string) http.HandlerFunc {
	re := regexp.MustCompile(pattern)
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		if o := r.Header.Get("Origin"); o != "" && re.MatchString(o) {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Set("Access-Control-Allow-Methods", "GET, PUT")
			w.Header().Set("Access-Control-Allow-Headers", "content-type")
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
		}
	}
}

// TestAuditRootCause runs the audit against servers that model the regex
// and reflection mistakes of real nginx and Express configurations, and
// requires one finding per root cause, named for the real cause, sorted by
// severity.
func TestAuditRootCause(t *testing.T) {
	trusted := []string{"https://www.example.com"}
	tests := []struct {
		name    string
		handler http.Handler
		want    []string // class/severity, in report order
	}{
		// Any origin echoed with credentials, and null too: one critical
		// finding, not one per probe.
		{"reflects everything", http.HandlerFunc(vulnerable), []string{"origin-reflection/critical", "missing-vary/low"}},
		// Express origin: /example\.com$/ — dots escaped, start unanchored:
		// "unanchored" (ends-with), never "unescaped dot", even though
		// wwwxexample.com passes too.
		{"escaped dots, unanchored start", regexServer(`example\.com$`), []string{"ends-with/high"}},
		// nginx ~ "^https://www\.example\.com" — unanchored end.
		{"unanchored end", regexServer(`^https://www\.example\.com`), []string{"starts-with/high"}},
		// ^https://www.example.com$ — anchored, first dot unescaped.
		{"unescaped dot", regexServer(`^https://www.example\.com$`), []string{"unescaped-dot/high"}},
		// ^https://([a-z]+\.)*example\.com$ — any subdomain, anchored.
		{"any subdomain", regexServer(`^https://([a-z]+\.)*example\.com$`), []string{"any-subdomain/medium"}},
		// Correct: exactly the trusted origin.
		{"exact", regexServer(`^https://www\.example\.com$`), nil},
		// null trusted on purpose by a sloppy list, plus the exact origin.
		{"null", regexServer(`^(null|https://www\.example\.com)$`), []string{"null-origin/high"}},
		// http:// twin accepted.
		{"http twin", regexServer(`^https?://www\.example\.com$`), []string{"http-origin-trusted/medium"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			rep, err := check.Audit(context.Background(), srv.Client(), srv.URL+"/api", check.AuditOptions{Trusted: trusted})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rep.Findings {
				got = append(got, string(f.Class)+"/"+f.Severity.String())
				if len(f.Probes) == 0 || f.Evidence.Status == 0 {
					t.Errorf("%s: no probes or evidence: %+v", f.Class, f)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("findings %q, want %q", got, tt.want)
			}
			if rep.Summary.Findings != len(rep.Findings) {
				t.Errorf("summary %+v for %d findings", rep.Summary, len(rep.Findings))
			}
		})
	}
}

// TestAuditReflectionEvidence: the one reflection finding lists the probes
// it folds in (null, look-alikes, subdomain…) as evidence.
func TestAuditReflectionEvidence(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(vulnerable))
	defer srv.Close()
	rep, err := check.Audit(context.Background(), srv.Client(), srv.URL, check.AuditOptions{Trusted: []string{"https://www.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	f := rep.Findings[0]
	if f.Class != check.ClassReflection || f.Severity != check.Critical {
		t.Fatalf("first finding %s/%s", f.Class, f.Severity)
	}
	origins := map[string]bool{}
	for _, p := range f.Probes {
		origins[p.Origin] = true
	}
	for _, o := range []string{"null", "http://www.example.com", "https://www.example.com:8443"} {
		if !origins[o] {
			t.Errorf("probe %s not in the reflection finding's evidence: %+v", o, f.Probes)
		}
	}
	if len(f.Probes) < 20 {
		t.Errorf("only %d probes folded in", len(f.Probes))
	}
}

// TestAuditDeterministic: two audits of one target send the same origins and
// report the same findings; another seed changes the origins.
func TestAuditDeterministic(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Header.Get("Origin")]++
		mu.Unlock()
		vulnerable(w, r)
	}))
	defer srv.Close()
	run := func(seed string) []byte {
		rep, err := check.Audit(context.Background(), srv.Client(), srv.URL, check.AuditOptions{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(rep.Findings)
		return b
	}
	a, b := run(""), run("")
	if string(a) != string(b) {
		t.Errorf("two runs differ:\n%s\n%s", a, b)
	}
	n := len(seen)
	if c := run("other"); string(c) == string(a) || len(seen) == n {
		t.Errorf("another seed sent the same origins")
	}
}

// TestAuditHangingServer: a server that never answers stops the audit with
// a NetworkError after the first timeouts, long before every probe's
// timeout has run out: it counts the requests sent, not the time taken.
func TestAuditHangingServer(t *testing.T) {
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(hang)
	c := srv.Client()
	c.Timeout = 200 * time.Millisecond
	rep, err := check.Audit(context.Background(), c, srv.URL, check.AuditOptions{})
	if _, ok := err.(*check.NetworkError); !ok {
		t.Fatalf("err = %v, want a NetworkError", err)
	}
	if rep.Requests > 3 {
		t.Errorf("%d requests sent to a server that does not answer", rep.Requests)
	}
	// An overall deadline stops it too, whatever the per-request timeout:
	// without it, this audit would wait an hour for its first answer (and
	// go test's -timeout would end the test).
	c.Timeout = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = check.Audit(ctx, c, srv.URL, check.AuditOptions{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("past the deadline: err = %v, want one that wraps context.DeadlineExceeded", err)
	}
}

// TestAuditTrustedRefused: a --trusted origin the server does not allow is
// reported, as a functional problem.
func TestAuditTrustedRefused(t *testing.T) {
	srv := httptest.NewServer(regexServer(`^https://app\.example\.com$`))
	defer srv.Close()
	rep, err := check.Audit(context.Background(), srv.Client(), srv.URL, check.AuditOptions{Trusted: []string{"https://app.example.com", "https://admin.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 1 {
		t.Fatalf("findings %+v", rep.Findings)
	}
	f := rep.Findings[0]
	if f.Class != check.ClassTrustedRefused || f.Origin != "https://admin.example.com" || f.Category != "functional" {
		t.Errorf("finding %+v", f)
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

// TestAuditWildcardAndDuplicates: "*" with credentials and duplicate ACAO
// are broken configurations (browsers refuse the responses), reported as
// medium functional findings with a fix that does not reflect Origin.
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
		f, ok := got[key]
		if !ok {
			t.Errorf("missing %s in %v", key, rep.Findings)
			continue
		}
		if f.Severity != check.Medium || f.Category != "functional" {
			t.Errorf("%s: %s %s", key, f.Severity, f.Category)
		}
	}
	if f := got["wildcard-with-credentials/simple"]; !strings.Contains(f.Summary, "Not exploitable") || !strings.Contains(f.Fix, "never echo Origin unchecked") {
		t.Errorf("wildcard with credentials: %q / %q", f.Summary, f.Fix)
	}
	for i := 1; i < len(rep.Findings); i++ {
		if rep.Findings[i].Severity > rep.Findings[i-1].Severity {
			t.Errorf("not sorted by severity: %v", rep.Findings)
		}
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

// TestAuditAgreesWithExplain: the audit never claims a verdict Explain
// would not give. For servers that answer with "*" and credentials, echo
// without Access-Control-Allow-Credentials, refuse a trusted origin, or get
// an allow-list wrong, every probe a finding cites is explained as the
// browser would make it: a security finding's origin is allowed (with
// credentials when the finding says so), a refused trusted origin is
// blocked, "*" with credentials blocks exactly the credentialed call; and a
// trusted origin the audit does not report is allowed. One root cause is
// one finding, whether simple requests, preflights or both showed it.
func TestAuditAgreesWithExplain(t *testing.T) {
	const trusted = "https://app.example.com"
	starWithCredentials := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		w.Header().Set("Access-Control-Allow-Methods", "GET, PUT")
		w.Header().Set("Access-Control-Allow-Headers", "content-type")
	})
	echoNoCredentials := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o == trusted {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Methods", "PUT")
			w.Header().Set("Access-Control-Allow-Headers", "content-type")
		}
		w.Header().Add("Vary", "Origin")
	})
	tests := []struct {
		name    string
		handler http.Handler
		classes []check.Class // the findings, in report order
	}{
		{"star with credentials", starWithCredentials, []check.Class{check.ClassWildcardCreds}},
		{"echo without credentials", echoNoCredentials, nil},
		{"trusted refused", regexServer(`^https://other\.example\.com$`), []check.Class{check.ClassTrustedRefused}},
		{"reflects everything", http.HandlerFunc(vulnerable), []check.Class{check.ClassReflection, check.ClassMissingVary}},
		{"unanchored end", regexServer(`^https://app\.example\.com`), []check.Class{check.ClassStartsWith}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			target := srv.URL + "/api"
			rep, err := check.Audit(context.Background(), srv.Client(), target, check.AuditOptions{Trusted: []string{trusted}})
			if err != nil {
				t.Fatal(err)
			}
			var classes []check.Class
			refused := false
			for _, f := range rep.Findings {
				classes = append(classes, f.Class)
				refused = refused || f.Class == check.ClassTrustedRefused
			}
			if !slices.Equal(classes, tt.classes) {
				t.Fatalf("findings %v, want %v", classes, tt.classes)
			}
			explain := func(origin string, creds bool, kind check.ProbeKind) *check.Result {
				t.Helper()
				req := check.Request{URL: target, Origin: origin, Credentials: creds}
				if kind == check.PreflightProbe {
					req.Method, req.Header = "PUT", http.Header{"Content-Type": {"application/json"}}
				}
				res, err := check.Explain(context.Background(), srv.Client(), req)
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			for _, f := range rep.Findings {
				for _, p := range f.Probes {
					switch {
					case f.Category == check.Security && f.Class != check.ClassWildcard && f.Class != check.ClassMissingVary:
						if res := explain(p.Origin, p.Credentials, p.Kind); !res.Allowed {
							t.Errorf("%s says %s may read (%s, credentials %v); Explain blocks it: %s", f.Class, p.Origin, p.Kind, p.Credentials, res.Message)
						}
					case f.Class == check.ClassTrustedRefused:
						if res := explain(p.Origin, false, check.SimpleProbe); res.Allowed {
							t.Errorf("%s says %s is blocked; Explain allows it", f.Class, p.Origin)
						}
					case f.Class == check.ClassWildcardCreds:
						if res := explain(trusted, true, check.SimpleProbe); res.Allowed || res.Reason != check.WildcardOriginNotAllowed {
							t.Errorf("%s: Explain with credentials: %v %s", f.Class, res.Allowed, res.Reason)
						}
						if res := explain(trusted, false, check.SimpleProbe); !res.Allowed {
							t.Errorf("%s says calls without credentials can read it; Explain blocks them: %s", f.Class, res.Message)
						}
					}
				}
				if f.Class == check.ClassWildcardCreds && len(f.Probes) != 2 {
					t.Errorf("wildcard with credentials: %d probes, want the simple and the preflight probe in one finding", len(f.Probes))
				}
			}
			if res := explain(trusted, false, check.SimpleProbe); !refused && !res.Allowed {
				t.Errorf("the audit does not report %s, but Explain blocks its calls: %s", trusted, res.Message)
			}
		})
	}
}
