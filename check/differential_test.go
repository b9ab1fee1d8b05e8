package check_test

import (
	"context"
	"encoding/json"
	"path/filepath"
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
	srv := difftest.NewServers()
	defer srv.Close()
	for i := range corpus.Records {
		srv.Add(&corpus.Records[i].Case)
	}
	o := srv.Origins
	const page = "http://127.0.0.1:9"

	agree := 0
	for _, r := range corpus.Records {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		got, err := difftest.Explain(ctx, srv.Client(), &r.Case, o, page)
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
