package difftest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Servers are the origins cases run against, all on 127.0.0.1: the two API
// origins A and B, and P, the page's own origin, which serves the page
// (SetPage) and, under /d/, the cases that start or pass there. Every
// server answers every case added with Add.
type Servers struct {
	A, B, P *httptest.Server
	Origins Origins

	mu    sync.RWMutex
	cases map[string]*Case
	page  http.Handler
	seen  func(server string, r *http.Request)
}

// OnRequest makes the servers call f with every request to a case, before
// answering it, and the name of the server that got it ("A", "B" or
// "P"): what a browser really sent at each hop.
func (s *Servers) OnRequest(f func(server string, r *http.Request)) {
	s.mu.Lock()
	s.seen = f
	s.mu.Unlock()
}

// record hands r to the OnRequest function, if any.
func (s *Servers) record(server string, r *http.Request) {
	s.mu.RLock()
	f := s.seen
	s.mu.RUnlock()
	if f != nil {
		f(server, r)
	}
}

// NewServers starts the three servers.
func NewServers() *Servers {
	s := &Servers{cases: map[string]*Case{}}
	// The handler needs every URL, which exist once the servers listen.
	var h http.Handler
	var ready sync.WaitGroup
	ready.Add(1)
	serve := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ready.Wait()
			s.record(name, r)
			h.ServeHTTP(w, r)
		})
	}
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ready.Wait()
		if strings.HasPrefix(r.URL.Path, "/d/") {
			s.record("P", r)
			h.ServeHTTP(w, r)
			return
		}
		s.mu.RLock()
		p := s.page
		s.mu.RUnlock()
		if p == nil {
			http.NotFound(w, r)
			return
		}
		p.ServeHTTP(w, r)
	})
	s.A, s.B, s.P = httptest.NewServer(serve("A")), httptest.NewServer(serve("B")), httptest.NewServer(page)
	s.Origins = Origins{A: s.A.URL, B: s.B.URL, P: s.P.URL}
	h = Handler(s.lookup, s.Origins)
	ready.Done()
	return s
}

// SetPage makes P answer every path outside /d/ with h: the page the
// cases run from.
func (s *Servers) SetPage(h http.Handler) {
	s.mu.Lock()
	s.page = h
	s.mu.Unlock()
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

// Client returns an HTTP client that reaches the servers.
func (s *Servers) Client() *http.Client { return s.A.Client() }

// Close stops the servers.
func (s *Servers) Close() {
	s.A.Close()
	s.B.Close()
	s.P.Close()
}
