package difftest_test

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/corskit/cors/internal/difftest"
)

// The generator is deterministic and its cases survive JSON, which the
// committed corpus relies on.
func TestGenerateDeterministic(t *testing.T) {
	a, b := difftest.Generate(7, 50), difftest.Generate(7, 50)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different cases")
	}
	if reflect.DeepEqual(a, difftest.Generate(8, 50)) {
		t.Fatal("different seeds, same cases")
	}
	js, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var back []difftest.Case
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, back) {
		t.Fatal("cases do not round-trip through JSON")
	}
}

// Console lines recorded on other ports compare equal once normalised: an
// origin is replaced only where it ends (:4001 is not the start of :40012),
// and a redirect's location with user:password, as WebKit prints it, is
// not taken for the origin without it.
func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		o          difftest.Origins
		line, want string
	}{
		{difftest.Origins{A: "http://127.0.0.1:4001", B: "http://127.0.0.1:40012"},
			"Access to fetch at 'http://127.0.0.1:40012/d/x/1' (redirected from 'http://127.0.0.1:4001/d/x/0') from origin 'http://127.0.0.1:9' has",
			"Access to fetch at '{B}/d/x/1' (redirected from '{A}/d/x/0') from origin '{PAGE}' has"},
		{difftest.Origins{A: "http://127.0.0.1:4001", B: "http://127.0.0.1:4002"},
			"Cross-origin redirection to http://127.0.0.1:4002/d/x/1 denied by Cross-Origin Resource Sharing policy: redirection URL http://u:p@127.0.0.1:4002/d/x/1 has credentials",
			"Cross-origin redirection to {B}/d/x/1 denied by Cross-Origin Resource Sharing policy: redirection URL {B:u:p}/d/x/1 has credentials"},
	} {
		if got := difftest.Normalize(tc.line, tc.o, "http://127.0.0.1:9"); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}

// The committed corpus holds exactly the cases the generator makes from
// its seed, each with all three engines' answers: a change to the
// generator must come with a re-recording (make record-differential).
func TestCorpusIsGenerated(t *testing.T) {
	c, err := difftest.Load(filepath.Join("testdata", "differential.json"))
	if err != nil {
		t.Fatal(err)
	}
	cases := difftest.Generate(c.Seed, len(c.Records))
	for i, r := range c.Records {
		if !reflect.DeepEqual(r.Case, cases[i]) {
			a, _ := json.Marshal(r.Case)
			b, _ := json.Marshal(cases[i])
			t.Fatalf("case %d of the corpus is not what Generate(%d, %d) makes now: re-record it (make record-differential)\n corpus: %s\n   made: %s", i, c.Seed, len(c.Records), a, b)
		}
		for _, e := range difftest.Engines {
			if r.Verdict(e) == nil {
				t.Errorf("%s: no answer from %s", r.Case.ID, e)
			}
		}
	}
	families := map[string]int{}
	for _, r := range c.Records {
		families[r.Case.Family]++
	}
	t.Logf("%d cases: %v", len(c.Records), families)
	for _, f := range []string{"random", "redirect", "tainted", "header-value", "method", "mode", "wpt"} {
		if families[f] < 25 {
			t.Errorf("family %s has %d cases, want at least 25", f, families[f])
		}
	}
}
