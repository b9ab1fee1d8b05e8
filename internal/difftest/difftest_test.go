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

func TestNormalize(t *testing.T) {
	o := difftest.Origins{A: "http://127.0.0.1:4001", B: "http://127.0.0.1:40012"}
	got := difftest.Normalize("Access to fetch at 'http://127.0.0.1:40012/d/x/1' (redirected from 'http://127.0.0.1:4001/d/x/0') from origin 'http://127.0.0.1:9' has", o, "http://127.0.0.1:9")
	want := "Access to fetch at '{B}/d/x/1' (redirected from '{A}/d/x/0') from origin '{PAGE}' has"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// A redirect's location with user:password, as WebKit prints it, is
// normalised too, and is not taken for the origin without it.
func TestNormalizeUserinfo(t *testing.T) {
	o := difftest.Origins{A: "http://127.0.0.1:4001", B: "http://127.0.0.1:4002"}
	got := difftest.Normalize("Cross-origin redirection to http://127.0.0.1:4002/d/x/1 denied by Cross-Origin Resource Sharing policy: redirection URL http://u:p@127.0.0.1:4002/d/x/1 has credentials", o, "http://127.0.0.1:9")
	want := "Cross-origin redirection to {B}/d/x/1 denied by Cross-Origin Resource Sharing policy: redirection URL {B:u:p}/d/x/1 has credentials"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
