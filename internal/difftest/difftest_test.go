package difftest_test

import (
	"encoding/json"
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
