package check_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/corskit/cors/internal/difftest"
)

// TestDifferentialCorpus replays the committed corpus of generated cases
// (internal/difftest/testdata) through check.Explain, against the same
// servers, once for each engine it holds answers from, and requires the
// verdict, console lines and (Chromium) CorsError reason that engine gave
// for each. The page is on the servers' third origin (difftest.Servers.P),
// as in the browsers. Re-record with "make record-differential";
// DIFFTEST_CORPUS=path replays another corpus recorded the same way.
func TestDifferentialCorpus(t *testing.T) {
	path := filepath.Join("..", "internal", "difftest", "testdata", "differential.json")
	if p := os.Getenv("DIFFTEST_CORPUS"); p != "" {
		path = p // another corpus recorded the same way
	}
	corpus, err := difftest.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(corpus.Records) < 300 {
		t.Fatalf("the corpus has %d cases, want at least 300", len(corpus.Records))
	}
	srv := difftest.NewServers()
	defer srv.Close()
	for i := range corpus.Records {
		srv.Add(&corpus.Records[i].Case)
	}
	o := srv.Origins
	page := o.P // the page's own origin, where some cases start

	for _, engine := range difftest.Engines {
		t.Run(engine, func(t *testing.T) {
			agree, recorded := 0, 0
			for _, r := range corpus.Records {
				want := r.Verdict(engine)
				if want == nil {
					continue
				}
				recorded++
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				got, err := difftest.Explain(ctx, srv.Client(), &r.Case, o, page, engine)
				cancel()
				if err != nil {
					t.Errorf("%s: %v", r.Case.ID, err)
					continue
				}
				if !got.Equal(*want) {
					js, _ := json.Marshal(r.Case)
					t.Errorf("%s: check.Explain disagrees with %s\n %8s: %s\n    check: %s\n     case: %s", r.Case.ID, corpus.Browsers[engine], engine, want, got, js)
					continue
				}
				agree++
			}
			if recorded < 300 {
				t.Errorf("the corpus has %s's answers for %d cases, want at least 300 (make record-differential ENGINE=%s)", engine, recorded, engine)
			}
			t.Logf("check.Explain agrees with %s on %d of %d recorded cases", corpus.Browsers[engine], agree, recorded)
		})
	}
}
