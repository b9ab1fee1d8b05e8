// Package load sends HTTP load for corsgate's fault tests and benchmark:
// at a fixed rate (open loop) or as fast as a fixed number of connections
// allow (closed loop).
//
// At a fixed rate, request i is due at start + i/rate whatever happened to
// the others, and its latency is measured from that due time, not from when
// a worker got to it: a server that stalls is charged for the requests that
// queued behind the stall (no "coordinated omission").
package load

import (
	"context"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// A Result is one request's outcome.
type Result struct {
	Seq     int
	Status  int
	Header  http.Header
	Err     error
	Latency time.Duration
}

// NewRequest makes request number seq.
type NewRequest func(seq int) (*http.Request, error)

// Client returns an HTTP/1.1 keep-alive client for n concurrent
// connections to one host, each request bounded by timeout.
func Client(n int, timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			MaxIdleConns:        n,
			MaxIdleConnsPerHost: n,
			MaxConnsPerHost:     n,
			IdleConnTimeout:     time.Minute,
			DisableCompression:  true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func send(c *http.Client, mk NewRequest, seq int, due time.Time) Result {
	r := Result{Seq: seq}
	req, err := mk(seq)
	if err != nil {
		r.Err = err
		return r
	}
	resp, err := c.Do(req)
	if err != nil {
		r.Err, r.Latency = err, time.Since(due)
		return r
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	r.Status, r.Header, r.Err, r.Latency = resp.StatusCode, resp.Header, err, time.Since(due)
	return r
}

// Rate sends rate requests per second for d, from at most workers
// concurrent requests, and calls each with every result (from several
// goroutines). It returns when every request sent has ended.
func Rate(ctx context.Context, c *http.Client, rate int, d time.Duration, workers int, mk NewRequest, each func(Result)) {
	n := int(d.Seconds() * float64(rate))
	type job struct {
		seq int
		due time.Time
	}
	jobs := make(chan job, n)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				each(send(c, mk, j.seq, j.due))
			}
		}()
	}
	start := time.Now()
	interval := time.Second / time.Duration(rate)
	for i := 0; i < n; i++ {
		due := start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				i = n
				continue
			}
		}
		jobs <- job{i, due}
	}
	close(jobs)
	wg.Wait()
}

// Closed sends requests from conns connections, each starting its next
// request when the last ends, for d. It returns the number of requests
// that ended within d.
func Closed(ctx context.Context, c *http.Client, conns int, d time.Duration, mk NewRequest, each func(Result)) int {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	seq, done := 0, 0
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				mu.Lock()
				s := seq
				seq++
				mu.Unlock()
				r := send(c, mk, s, time.Now())
				if ctx.Err() != nil {
					return
				}
				each(r)
				mu.Lock()
				done++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return done
}

// Latencies collects latencies from several goroutines.
type Latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

// Add records one latency.
func (l *Latencies) Add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// Quantile returns the q-quantile (0 < q ≤ 1) of the latencies recorded,
// by the nearest-rank method, and how many there are.
func (l *Latencies) Quantile(q float64) (time.Duration, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0, 0
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.999999) - 1
	i = min(max(i, 0), len(s)-1)
	return s[i], len(s)
}
