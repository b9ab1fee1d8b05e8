package bench

import (
	"net/http"
	"testing"
)

// BenchmarkFloor times the floors (floor.go): "floor-unshared" gives each
// response its own backing array, as corskit must; "floor-shared" reuses
// package-level slices, as rs/cors does (TestHeaderSlicesNotShared shows why
// that is a bug).
func BenchmarkFloor(b *testing.B) {
	for _, f := range Floors {
		s, ok := ScenarioByName(f.Scenario)
		if !ok {
			b.Fatalf("no scenario %q", f.Scenario)
		}
		for _, v := range []struct {
			name string
			mw   func(http.Handler) http.Handler
		}{{"floor-unshared", f.Unshared}, {"floor-shared", f.Shared}} {
			b.Run("scenario="+s.Name+"/mw="+v.name, func(b *testing.B) {
				serve(b, v.mw(Noop), s.Request())
			})
		}
	}
}

// TestFloorAnswers checks that each floor writes the headers corskit
// writes for its scenario, so that it is a fair lower bound.
func TestFloorAnswers(t *testing.T) {
	ck, _ := LibByName("corskit")
	for _, f := range Floors {
		s, _ := ScenarioByName(f.Scenario)
		mw, _ := ck.Wrap(s.Policy)
		want := NewWriter()
		mw(Noop).ServeHTTP(&want, s.Request())
		for _, v := range []func(http.Handler) http.Handler{f.Unshared, f.Shared} {
			got := NewWriter()
			v(Noop).ServeHTTP(&got, s.Request())
			if len(got.H) != len(want.H) || got.Status != want.Status {
				t.Errorf("%s: floor wrote %v (status %d), corskit %v (status %d)", f.Scenario, got.H, got.Status, want.H, want.Status)
				continue
			}
			for k, vs := range want.H {
				if len(got.H[k]) != len(vs) {
					t.Errorf("%s: floor wrote %d values of %s, corskit %d", f.Scenario, len(got.H[k]), k, len(vs))
				}
			}
		}
	}
}
