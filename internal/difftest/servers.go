package difftest

import (
	"net/http"
	"net/http/httptest"
	"sync"
)

// Servers are the two API origins, A and B, that cases run against, both on
// 127.0.0.1, both answering every case added with Add.
type Servers struct {
	A, B    *httptest.Server
	Origins Origins

	mu    sync.RWMutex
	cases map[string]*Case
}

// NewServers starts the two servers.
func NewServers() *Servers {
	s := &Servers{cases: map[string]*Case{}}
	// The handler needs both URLs, which exist once both servers listen.
	var h http.Handler
	var ready sync.WaitGroup
	ready.Add(1)
	serve := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ready.Wait()
		h.ServeHTTP(w, r)
	})
	s.A, s.B = httptest.NewServer(serve), httptest.NewServer(serve)
	s.Origins = Origins{A: s.A.URL, B: s.B.URL}
	h = Handler(s.lookup, s.Origins)
	ready.Done()
	return s
}

// Add makes the servers answer c.
func (s *Servers) Add(c *Case) {
	s.mu.Lock()
	s.cases[c.ID] = c
	s.mu.Unlock()
}

func (s *Servers) lookup(id string) (*Case, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.cases[id]
	return c, ok
}

// Client returns an HTTP client that reaches both servers.
func (s *Servers) Client() *http.Client { return s.A.Client() }

// Close stops both servers.
func (s *Servers) Close() {
	s.A.Close()
	s.B.Close()
}
