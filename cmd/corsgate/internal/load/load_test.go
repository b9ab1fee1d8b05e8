package load_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/corskit/cors/cmd/corsgate/internal/load"
)

func TestQuantile(t *testing.T) {
	var l load.Latencies
	for i := 100; i >= 1; i-- {
		l.Add(time.Duration(i) * time.Millisecond)
	}
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}, {0.001, time.Millisecond}} {
		if got, n := l.Quantile(tt.q); got != tt.want || n != 100 {
			t.Errorf("Quantile(%v) = %v, %d; want %v, 100", tt.q, got, n, tt.want)
		}
	}
}

// TestRate: every due request is sent and reported once, and a stalled
// server is charged from each request's due time.
func TestRate(t *testing.T) {
	var served atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if served.Add(1) == 1 {
			time.Sleep(300 * time.Millisecond) // the first request stalls
		}
	}))
	defer srv.Close()
	var results, slow atomic.Int32
	mk := func(int) (*http.Request, error) { return http.NewRequest("GET", srv.URL, nil) }
	load.Rate(context.Background(), load.Client(1, 5*time.Second), 100, time.Second, 1, mk, func(r load.Result) {
		results.Add(1)
		if r.Err != nil || r.Status != 200 {
			t.Errorf("result %+v", r)
		}
		if r.Seq == 5 && r.Latency >= 200*time.Millisecond {
			slow.Add(1) // due at 50 ms, sent after the stall: charged for the wait
		}
	})
	if results.Load() != 100 || served.Load() != 100 {
		t.Errorf("%d results, %d served; want 100", results.Load(), served.Load())
	}
	if slow.Load() != 1 {
		t.Error("request 5 queued behind the stall was not charged for it")
	}
}
