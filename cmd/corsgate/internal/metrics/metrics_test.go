package metrics_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/corskit/cors"
	"github.com/corskit/cors/cmd/corsgate/internal/gateway"
	"github.com/corskit/cors/cmd/corsgate/internal/metrics"
)

func TestExposition(t *testing.T) {
	m := metrics.New()
	m.Loaded(time.Unix(1700000000, 0))
	m.Request("/api/", cors.PreflightRequest, gateway.Rejected, cors.MethodNotAllowed, 403, 2*time.Millisecond)
	m.Request("/api/", cors.ActualRequest, gateway.Allowed, "", 200, 30*time.Millisecond)
	m.Failure("/api/", gateway.Upstream, "timeout")
	m.Failure("/api/", gateway.Client, "too-large")
	m.Difference("/", "Access-Control-Allow-Origin")
	m.Reloaded(false, time.Unix(1700000100, 0))
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(w.Body)
	for _, want := range []string{
		`corsgate_requests_total{cors="preflight",decision="rejected",reason="method-not-allowed",route="/api/"} 1`,
		`corsgate_requests_total{cors="actual",decision="allowed",reason="",route="/api/"} 1`,
		`corsgate_request_duration_seconds_bucket{route="/api/",le="0.0025"} 1`,
		`corsgate_request_duration_seconds_count{route="/api/"} 2`,
		`corsgate_upstream_errors_total{kind="timeout",route="/api/"} 1`,
		`corsgate_client_errors_total{kind="too-large",route="/api/"} 1`,
		`corsgate_report_only_differences_total{field="Access-Control-Allow-Origin",route="/"} 1`,
		`corsgate_config_reloads_total{result="failed"} 1`,
		`corsgate_config_reloads_total{result="ok"} 0`,
		`corsgate_config_last_reload_successful 0`,
		`corsgate_config_last_reload_success_timestamp_seconds 1.7e+09`,
	} {
		if !strings.Contains(string(body), want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
