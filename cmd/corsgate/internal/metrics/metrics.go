// Package metrics holds corsgate's Prometheus metrics, on a registry of its
// own (not the global one), exposed by the admin listener's /metrics.
//
//	corsgate_requests_total{route,cors,decision,reason}   requests, by route and CORS verdict
//	corsgate_request_duration_seconds{route}              latency histogram, whole request
//	corsgate_upstream_errors_total{route,kind}            the upstream failed: timeout, connect, reset, other
//	corsgate_client_errors_total{route,kind}              the client failed: timeout, closed, too-large, malformed
//	corsgate_report_only_differences_total{route,field}   report-only: field the policy would answer differently
//	corsgate_config_reloads_total{result}                 result: ok, failed
//	corsgate_config_last_reload_successful                1 if the last reload was applied, else 0
//	corsgate_config_last_reload_success_timestamp_seconds when the configuration in force was loaded
//
// Every label value comes from the configuration (route paths) or from a
// fixed set, never from the request, so the number of series is bounded.
// The Go runtime and process collectors are registered too.
package metrics

import (
	"net/http"
	"time"

	"github.com/corskit/cors"
	"github.com/corskit/cors/cmd/corsgate/internal/gateway"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics implements gateway.Observer and records reloads.
type Metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	upstream    *prometheus.CounterVec
	client      *prometheus.CounterVec
	differences *prometheus.CounterVec
	reloads     *prometheus.CounterVec
	lastOK      prometheus.Gauge
	lastOKTime  prometheus.Gauge
}

var _ gateway.Observer = (*Metrics)(nil)

// New registers the metrics on a new registry.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "corsgate_requests_total",
			Help: "Requests served, by route, CORS kind (preflight, actual, websocket, none), the policy's decision (allowed, rejected, none) and the rejection reason.",
		}, []string{"route", "cors", "decision", "reason"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "corsgate_request_duration_seconds",
			Help:    "Time from the request's arrival to the end of its response, by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		upstream: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "corsgate_upstream_errors_total",
			Help: "Requests the upstream failed, by route and kind (timeout, connect, reset, other), whether answered 502/504 or cut after the response headers.",
		}, []string{"route", "kind"}),
		client: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "corsgate_client_errors_total",
			Help: "Requests the client failed or the gateway refused, by route and kind (timeout: 408 or cut; closed: 499 or cut; too-large: 413; malformed: 400 or 405).",
		}, []string{"route", "kind"}),
		differences: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "corsgate_report_only_differences_total",
			Help: "Report-only mode: responses on which the policy would have answered differently, by route and field (a header name, or status).",
		}, []string{"route", "field"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "corsgate_config_reloads_total",
			Help: "Configuration reloads, by result (ok, failed).",
		}, []string{"result"}),
		lastOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "corsgate_config_last_reload_successful",
			Help: "1 if the last reload attempt was applied, 0 if it was refused.",
		}),
		lastOKTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "corsgate_config_last_reload_success_timestamp_seconds",
			Help: "Unix time at which the configuration in force was loaded.",
		}),
	}
	m.reloads.WithLabelValues("ok")
	m.reloads.WithLabelValues("failed")
	m.reg.MustRegister(m.requests, m.duration, m.upstream, m.client, m.differences, m.reloads, m.lastOK, m.lastOKTime,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Request implements gateway.Observer.
func (m *Metrics) Request(route string, kind cors.Kind, decision gateway.Decision, reason cors.Reason, status int, elapsed time.Duration) {
	m.requests.WithLabelValues(route, kind.String(), string(decision), string(reason)).Inc()
	m.duration.WithLabelValues(route).Observe(elapsed.Seconds())
}

// Failure implements gateway.Observer.
func (m *Metrics) Failure(route string, side gateway.Side, kind string) {
	if side == gateway.Upstream {
		m.upstream.WithLabelValues(route, kind).Inc()
		return
	}
	m.client.WithLabelValues(route, kind).Inc()
}

// Difference implements gateway.Observer.
func (m *Metrics) Difference(route, field string) {
	m.differences.WithLabelValues(route, field).Inc()
}

// Loaded records the configuration loaded at start.
func (m *Metrics) Loaded(at time.Time) {
	m.lastOK.Set(1)
	m.lastOKTime.Set(float64(at.UnixNano()) / 1e9)
}

// Reloaded records a reload attempt.
func (m *Metrics) Reloaded(ok bool, at time.Time) {
	if ok {
		m.reloads.WithLabelValues("ok").Inc()
		m.Loaded(at)
		return
	}
	m.reloads.WithLabelValues("failed").Inc()
	m.lastOK.Set(0)
}
