package check_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/corskit/cors/internal/difftest"
)

// TestDifferentialCorpus replays the committed corpus of generated cases
// (internal/difftest/testdata) through check.Explain, against the same
// servers, and requires the verdict, CorsError reason and console line that
// Chromium gave for each. The page is http://127.0.0.1:9, a loopback origin
// like the one the corpus was recorded from. Re-record with "make
// record-differential".
func TestDifferentialCorpus(t *testing.T) {
	corpus, err := difftest.Load(filepath.Join("..", "internal", "difftest", "testdata", "chromium156.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(corpus.Records) < 300 {
		t.Fatalf("the corpus has %d cases, want at least 300", len(corpus.Records))
	}
	cases := map[string]*difftest.Case{}
	for i := range corpus.Records {
		cases[corpus.Records[i].Case.ID] = &corpus.Records[i].Case
	}
	var mu sync.Mutex
	lookup := func(id string) (*difftest.Case, bool) {
		mu.Lock()
		defer mu.Unlock()
		c, ok := cases[id]
		return c, ok
	}
	late := &lateHandler{}
	a, b := httptest.NewServer(late), httptest.NewServer(late)
	defer a.Close()
	defer b.Close()
	o := difftest.Origins{A: a.URL, B: b.URL}
	late.set(difftest.Handler(lookup, o))
	const page = "http://127.0.0.1:9"

	agree := 0
	for _, r := range corpus.Records {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		got, err := difftest.Explain(ctx, a.Client(), &r.Case, o, page)
		cancel()
		if err != nil {
			t.Errorf("%s: %v", r.Case.ID, err)
			continue
		}
		if got != r.Chromium {
			js, _ := json.Marshal(r.Case)
			t.Errorf("%s: check.Explain disagrees with %s\n Chromium: %+v\n    check: %+v\n     case: %s", r.Case.ID, corpus.Browser, r.Chromium, got, js)
			continue
		}
		agree++
	}
	t.Logf("check.Explain agrees with %s on %d of %d recorded cases", corpus.Browser, agree, len(corpus.Records))
}

// lateHandler lets two servers start before the handler that needs both
// of their URLs exists.
type lateHandler struct {
	mu sync.RWMutex
	h  http.Handler
}

func (l *lateHandler) set(h http.Handler) { l.mu.Lock(); l.h = h; l.mu.Unlock() }

func (l *lateHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.RLock()
	h := l.h
	l.mu.RUnlock()
	if h == nil {
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	h.ServeHTTP(w, r)
}
