// Package admin serves corsgate's admin listener:
//
//	GET /healthz  200 "ok" while the process serves
//	GET /readyz   200 "ready" once a configuration is loaded and the proxy
//	              listens; 503 before that and from the start of a shutdown,
//	              so load balancers stop sending new requests
//	GET /metrics  Prometheus text format
//	GET /config   JSON: the file, its SHA-256, when it was loaded, the
//	              configuration in force (defaults filled in), and the last
//	              reload attempt with its problems, if it was refused
//
// Bind it to a loopback or private address: /config shows the policies.
package admin

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/corskit/cors/cmd/corsgate/internal/config"
)

// Reload is the outcome of one reload attempt.
type Reload struct {
	At      time.Time `json:"at"`
	Trigger string    `json:"trigger"` // "SIGHUP" or "file change"
	OK      bool      `json:"ok"`
	// Problems are the refused file's problems, each "location: message".
	Problems []string `json:"problems,omitempty"`
	// Error is a failure that is not a problem of the file (it could not
	// be read, or names a listener that needs a restart).
	Error string `json:"error,omitempty"`
}

// State is what the admin listener shows. It is safe for concurrent use.
type State struct {
	mu       sync.Mutex
	file     string
	cfg      *config.Config
	loadedAt time.Time
	last     *Reload
	ready    bool
}

// NewState returns the state for the configuration file at path.
func NewState(path string) *State { return &State{file: path} }

// Loaded records the configuration now in force.
func (s *State) Loaded(c *config.Config, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg, s.loadedAt = c, at
}

// Reloaded records a reload attempt.
func (s *State) Reloaded(r Reload) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last = &r
}

// SetReady says whether the proxy takes new requests.
func (s *State) SetReady(ready bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ready = ready
}

type view struct {
	File       string       `json:"file"`
	SHA256     string       `json:"sha256"`
	LoadedAt   time.Time    `json:"loadedAt"`
	Config     *config.File `json:"config"`
	LastReload *Reload      `json:"lastReload"`
}

// Handler returns the admin mux; metrics serves /metrics.
func (s *State) Handler(metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		text(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		ready := s.ready && s.cfg != nil
		s.mu.Unlock()
		if !ready {
			text(w, http.StatusServiceUnavailable, "not ready")
			return
		}
		text(w, http.StatusOK, "ready")
	})
	mux.Handle("GET /metrics", metrics)
	mux.HandleFunc("GET /config", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		v := view{File: s.file, LoadedAt: s.loadedAt, LastReload: s.last}
		if s.cfg != nil {
			v.SHA256, v.Config = s.cfg.SHA256, &s.cfg.File
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(v)
	})
	return mux
}

func text(w http.ResponseWriter, status int, s string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write([]byte(s + "\n"))
}
