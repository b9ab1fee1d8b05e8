package acrh_test

import (
	"strings"
	"testing"

	"github.com/corskit/cors/internal/acrh"
	"github.com/corskit/cors/internal/fetch"
)

// reference is the obviously-correct version of Matcher.Check: split every
// line on commas, trim, and judge each element in order, applying the same
// documented limits by counting.
func reference(allowed []string, any, anyAuth bool, lines []string) acrh.Result {
	set := map[string]bool{}
	auth := anyAuth
	for _, a := range allowed {
		set[strings.ToLower(a)] = true
		if strings.EqualFold(a, "authorization") {
			auth = true
		}
	}
	empty, elems := 0, 0
	for _, line := range lines {
		for _, part := range strings.Split(line, ",") {
			trimmed := strings.TrimLeft(part, " \t")
			if len(part)-len(trimmed) > acrh.MaxOWS {
				return acrh.Malformed
			}
			end := 0
			for end < len(trimmed) && fetch.IsTokenByte(trimmed[end]) {
				end++
			}
			name, rest := trimmed[:end], trimmed[end:]
			if strings.Trim(rest, " \t") != "" || len(rest) > acrh.MaxOWS {
				return acrh.Malformed
			}
			if name == "" {
				empty++
				if empty > acrh.MaxEmpty {
					return acrh.Malformed
				}
				continue
			}
			elems++
			if elems > acrh.MaxElements {
				return acrh.Malformed
			}
			lower := strings.ToLower(name)
			switch {
			case any && lower == "authorization":
				if !auth {
					return acrh.NotAllowed
				}
			case any:
			case !set[lower]:
				return acrh.NotAllowed
			}
		}
	}
	return acrh.Allowed
}

var allowed = []string{"content-type", "x-token", "authorization", "x-a"}

// many is enough names for the Matcher to use its map.
var many = []string{"content-type", "x-token", "authorization", "x-a", "x-b", "x-c", "x-d", "x-e", "x-f", "x-g", "X-Request-Id", "If-Match"}

// prefixed are names that are prefixes of one another, to trip a matcher
// that compares only the start of a name.
var prefixed = []string{"x-a", "x-a-b", "x-ab", "a", "x-a-"}

// long holds a name longer than any a browser has reason to send, which is
// still a name: the Fetch standard sets no limit on its length.
var long = []string{strings.Repeat("l", 300), "x-a"}

// manyLong is enough names for the map, some too long for the stack buffer
// that lower-cases a mixed-case request.
var manyLong = append([]string{strings.Repeat("l", 300), strings.Repeat("m", 128), strings.Repeat("n", 129)}, many...)

// TestCheckBrowserForm covers the merge that recognises the browsers' form
// with names that defeat a careless one: prefixes of one another, and a
// long configured name.
func TestCheckBrowserForm(t *testing.T) {
	tests := []struct {
		names []string
		line  string
		want  acrh.Result
	}{
		{prefixed, "a,x-a,x-a-,x-a-b,x-ab", acrh.Allowed},
		{prefixed, "x-a-b", acrh.Allowed},
		{prefixed, "x-a,x-ab", acrh.Allowed},
		{prefixed, "x-ab,x-a", acrh.Allowed}, // unsorted: scanned
		{prefixed, "x-a-bc", acrh.NotAllowed},
		{prefixed, "x-a,x-a-c", acrh.NotAllowed},
		{prefixed, "x-", acrh.NotAllowed},
		{prefixed, "x-a,x-a-b,", acrh.Allowed},
		{prefixed, "x-a,,x-a-b", acrh.Allowed},
		{long, long[0], acrh.Allowed},
		{long, long[0] + ",x-a", acrh.Allowed},
		{long, "x-a", acrh.Allowed},
		{long, long[0] + "l", acrh.NotAllowed},
		{long, strings.ToUpper(long[0]), acrh.Allowed},
	}
	for _, tt := range tests {
		m := acrh.NewMatcher(tt.names, false, false)
		if got, _ := m.Check([]string{tt.line}); got != tt.want {
			t.Errorf("names %.40q: Check(%.60q) = %v, want %v", tt.names, tt.line, got, tt.want)
		}
		if ref := reference(tt.names, false, false, []string{tt.line}); ref != tt.want {
			t.Errorf("names %.40q: reference(%.60q) = %v, want %v (the table or the reference is wrong)", tt.names, tt.line, ref, tt.want)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, names := range [][]string{allowed, many, manyLong} {
		testCheck(t, names)
	}
}

// TestCheckLongNames: a long name is allowed when the policy lists it or
// allows any name, in the browsers' form and in any other spelling, with
// few or many allowed names (the map path lower-cases into a stack buffer
// that a long name does not fit).
func TestCheckLongNames(t *testing.T) {
	for _, n := range []int{128, 129, 300, 5000} {
		name := "x-" + strings.Repeat("l", n-2)
		other := "x-" + strings.Repeat("l", n-3) + "m"
		for _, names := range [][]string{{name}, append([]string{name}, many...)} {
			m := acrh.NewMatcher(names, false, false)
			for _, tt := range []struct {
				lines []string
				want  acrh.Result
			}{
				{[]string{name}, acrh.Allowed},
				{[]string{strings.ToUpper(name)}, acrh.Allowed},
				{[]string{" " + name + " "}, acrh.Allowed},
				{[]string{other}, acrh.NotAllowed},
				{[]string{strings.ToUpper(other)}, acrh.NotAllowed},
				{[]string{name + "x"}, acrh.NotAllowed},
			} {
				if got, _ := m.Check(tt.lines); got != tt.want {
					t.Errorf("%d-byte name, %d allowed: Check(%.30q…) = %v, want %v", n, len(names), tt.lines[0], got, tt.want)
				}
			}
		}
		any := acrh.NewMatcher(nil, true, false)
		if got, _ := any.Check([]string{name}); got != acrh.Allowed {
			t.Errorf("%d-byte name under \"*\": %v, want Allowed", n, got)
		}
	}
}

func testCheck(t *testing.T, names []string) {
	m := acrh.NewMatcher(names, false, false)
	tests := []struct {
		lines []string
		want  acrh.Result
	}{
		{nil, acrh.Allowed},
		{[]string{""}, acrh.Allowed},
		{[]string{"content-type"}, acrh.Allowed},
		{[]string{"authorization,content-type,x-token"}, acrh.Allowed},
		// The browsers' form (sorted, lower case, no spaces) and near misses
		// that the scanner must still judge.
		{[]string{"authorization,content-type,x-a,x-token"}, acrh.Allowed},
		{[]string{"x-token,content-type"}, acrh.Allowed},
		{[]string{"x-a,x-a"}, acrh.Allowed},
		{[]string{"authorization,"}, acrh.Allowed},
		{[]string{",authorization"}, acrh.Allowed},
		{[]string{"authorization,x-other"}, acrh.NotAllowed},
		{[]string{"authorization,x-other,x-token"}, acrh.NotAllowed},
		{[]string{"authorization,x-token,zzz"}, acrh.NotAllowed},
		{[]string{"authorization,content-type;x-a"}, acrh.Malformed},
		{[]string{"authorization,content-type", "x-a"}, acrh.Allowed},
		{[]string{"X-Token, Content-Type"}, acrh.Allowed},
		{[]string{"x-token,x-token,x-token"}, acrh.Allowed},
		{[]string{"x-token", "content-type"}, acrh.Allowed},
		{[]string{" \tx-token\t ,  ,content-type  "}, acrh.Allowed},
		{[]string{"x-other"}, acrh.NotAllowed},
		{[]string{"x-token,x-other"}, acrh.NotAllowed},
		{[]string{"x-toke"}, acrh.NotAllowed},
		{[]string{"x-tokens"}, acrh.NotAllowed},
		{[]string{"x-token;content-type"}, acrh.Malformed},
		{[]string{"x token"}, acrh.Malformed},
		{[]string{"x-token\r\nevil: 1"}, acrh.Malformed},
		{[]string{"\"x-token\""}, acrh.Malformed},
		{[]string{"ünicode"}, acrh.Malformed},
		{[]string{strings.Repeat(",", acrh.MaxEmpty-1)}, acrh.Allowed}, // MaxEmpty empty elements
		{[]string{strings.Repeat(",", acrh.MaxEmpty)}, acrh.Malformed},
		{slicesRepeat("", acrh.MaxEmpty), acrh.Allowed},
		{slicesRepeat("", acrh.MaxEmpty+1), acrh.Malformed},
		{[]string{strings.Repeat(" ", acrh.MaxOWS) + "x-a"}, acrh.Allowed},
		{[]string{strings.Repeat(" ", acrh.MaxOWS+1) + "x-a"}, acrh.Malformed},
		{[]string{"x-a" + strings.Repeat(" ", acrh.MaxOWS+1)}, acrh.Malformed},
		{[]string{strings.Repeat("x-a,", acrh.MaxElements-1) + "x-a"}, acrh.Allowed},
		{[]string{strings.Repeat("x-a,", acrh.MaxElements) + "x-a"}, acrh.Malformed},
		{[]string{strings.Repeat("a", 129)}, acrh.NotAllowed},
		{[]string{strings.Repeat("a", 128)}, acrh.NotAllowed},
		{[]string{strings.Repeat("A", 1000)}, acrh.NotAllowed},
		{[]string{strings.Repeat("a", 1000) + " x"}, acrh.Malformed},
	}
	for _, tt := range tests {
		got, _ := m.Check(tt.lines)
		if got != tt.want {
			t.Errorf("Check(%.60q) = %v, want %v", tt.lines, got, tt.want)
		}
		if ref := reference(names, false, false, tt.lines); ref != tt.want {
			t.Errorf("reference(%.60q) = %v, want %v (the table or the reference is wrong)", tt.lines, ref, tt.want)
		}
	}
}

func TestCheckWildcard(t *testing.T) {
	tests := []struct {
		names          []string
		anyAuth        bool
		lines          []string
		want           acrh.Result
		wantOffendingS string
	}{
		{nil, false, []string{"x-a,x-b,whatever"}, acrh.Allowed, ""},
		{nil, false, []string{"x-a,Authorization"}, acrh.NotAllowed, "Authorization"},
		{[]string{"Authorization"}, false, []string{"x-a,authorization"}, acrh.Allowed, ""},
		{nil, true, []string{"authorization"}, acrh.Allowed, ""},
		{nil, false, []string{"x-a;b"}, acrh.Malformed, "x-a;b"},
		// The browsers' form, which anyLine takes without the scanner, and
		// its near misses.
		{nil, false, []string{"content-type"}, acrh.Allowed, ""},
		{nil, false, []string{"content-type,x-a,x-b"}, acrh.Allowed, ""},
		{nil, false, []string{"authorization,content-type"}, acrh.NotAllowed, "authorization"},
		{nil, true, []string{"authorization,content-type"}, acrh.Allowed, ""},
		{nil, false, []string{"content-type,"}, acrh.Allowed, ""},
		{nil, false, []string{"content-type, x-a"}, acrh.Allowed, ""},
		{nil, false, []string{"x-a\tx-b"}, acrh.Malformed, "x-a\tx-b"},
		{nil, false, []string{strings.Repeat("a", 128)}, acrh.Allowed, ""},
		// The Fetch standard sets no limit on a name's length, and browsers
		// send long ones: only the count of names is limited.
		{nil, false, []string{strings.Repeat("a", 129)}, acrh.Allowed, ""},
		{nil, false, []string{strings.Repeat("a", 4096) + ",x-a"}, acrh.Allowed, ""},
		{nil, false, []string{"x-a, " + strings.Repeat("A", 4096)}, acrh.Allowed, ""},
		{nil, false, []string{strings.Repeat("x-a,", acrh.MaxElements-1) + "x-a"}, acrh.Allowed, ""},
		{nil, false, []string{strings.Repeat("x-a,", acrh.MaxElements) + "x-a"}, acrh.Malformed, "x-a"},
	}
	for _, tt := range tests {
		m := acrh.NewMatcher(tt.names, true, tt.anyAuth)
		got, offending := m.Check(tt.lines)
		if got != tt.want || offending != tt.wantOffendingS {
			t.Errorf("Check(%.60q) = %v %.60q, want %v %.60q", tt.lines, got, offending, tt.want, tt.wantOffendingS)
		}
	}
}

func TestCheckAllocates(t *testing.T) {
	for _, any := range []bool{false, true} {
		m := acrh.NewMatcher(allowed, any, false)
		for _, lines := range [][]string{
			{"authorization,content-type,x-token"},
			{"X-TOKEN, Content-Type"},
			{"x-nope"},
			{strings.Repeat(",", 1<<20)},
			{strings.Repeat("a", 1<<16)},
			{strings.Repeat("A", 1<<16)},
		} {
			if n := testing.AllocsPerRun(100, func() { m.Check(lines) }); n != 0 {
				t.Errorf("any=%v: Check(%.40q) allocates %v times", any, lines, n)
			}
		}
	}
	m := acrh.NewMatcher(manyLong, false, false)
	for _, lines := range [][]string{{strings.ToUpper(manyLong[0])}, {strings.ToUpper(manyLong[1])}, {"X-Token"}} {
		if n := testing.AllocsPerRun(100, func() { m.Check(lines) }); n != 0 {
			t.Errorf("many names: Check(%.40q) allocates %v times", lines, n)
		}
	}
}

// TestCheckBounded: the work does not grow with the header. 1 MiB of each
// hostile shape takes no more steps than the same shape just past its
// limit, because the limits stop the scan there; a scan of the whole
// megabyte would take a million. The steps are counted (CheckWork), so the
// bound holds on any machine, however loaded.
func TestCheckBounded(t *testing.T) {
	for _, any := range []bool{false, true} {
		testCheckBounded(t, acrh.NewMatcher(allowed, any, false))
	}
}

func testCheckBounded(t *testing.T, m *acrh.Matcher) {
	for _, tc := range []struct {
		name           string
		hostile, limit []string
	}{
		{"commas", []string{strings.Repeat(",", 1<<20)}, []string{strings.Repeat(",", acrh.MaxEmpty+1)}},
		{"spaces", []string{strings.Repeat(" ", 1<<20)}, []string{strings.Repeat(" ", acrh.MaxOWS+1)}},
		{"comma space", []string{strings.Repeat(", ", 1<<19)}, []string{strings.Repeat(", ", acrh.MaxEmpty+1)}},
		{"repeats", []string{strings.Repeat("x-a,", 1<<18)}, []string{strings.Repeat("x-a,", acrh.MaxElements+1)}},
		{"long name then commas", []string{"x-a," + strings.Repeat(",", 1<<20)}, []string{"x-a," + strings.Repeat(",", acrh.MaxEmpty+1)}},
		{"many lines", slicesRepeat("", 1<<16), slicesRepeat("", acrh.MaxEmpty+1)},
	} {
		r, hostile := m.CheckWork(tc.hostile)
		if r != acrh.Malformed {
			t.Errorf("%s: Check = %v, want Malformed", tc.name, r)
		}
		r, limit := m.CheckWork(tc.limit)
		if r != acrh.Malformed {
			t.Errorf("%s: Check at the limit = %v, want Malformed", tc.name, r)
		}
		if hostile > limit || limit == 0 {
			t.Errorf("%s: 1 MiB takes %d steps, the same shape at its limit %d", tc.name, hostile, limit)
		}
	}
}

// TestCheckLinear: a long name is not refused, so its cost grows with its
// length, but no faster: sixteen times the bytes take at most sixteen
// times the steps, where a scan that looked at each byte again for every
// byte would take 256 times. Allowed names are looked at more (compared,
// lower-cased, hashed) than refused ones; each is covered, in lower and
// upper case, with few allowed names, many, and "*".
func TestCheckLinear(t *testing.T) {
	for _, n := range []int{1 << 8, 1 << 10} {
		short := "x-" + strings.Repeat("a", n-2)
		long := "x-" + strings.Repeat("a", 16*n-2)
		for _, m := range []struct {
			name string
			// names returns the allowed names for a request of name; a
			// policy that lists it has the same other names for both.
			names func(name string) []string
			any   bool
		}{
			{"few", func(string) []string { return allowed }, false},
			{"many", func(string) []string { return many }, false},
			{"any", func(string) []string { return nil }, true},
			{"few, listed", func(name string) []string { return []string{name, "x-a", "content-type"} }, false},
			{"many, listed", func(name string) []string { return append([]string{name}, many...) }, false},
		} {
			for _, upper := range []bool{false, true} {
				s, l := short, long
				if upper {
					s, l = strings.ToUpper(s), strings.ToUpper(l)
				}
				_, ws := acrh.NewMatcher(m.names(short), m.any, false).CheckWork([]string{s})
				_, wl := acrh.NewMatcher(m.names(long), m.any, false).CheckWork([]string{l})
				if wl > 16*ws || ws < n {
					t.Errorf("%s, upper %v: a %d-byte name takes %d steps, one of %d bytes %d (%.1f×)", m.name, upper, n, ws, 16*n, wl, float64(wl)/float64(ws))
				}
			}
		}
	}
}

func slicesRepeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// FuzzCheck compares the hand-optimised scanner with the reference on
// arbitrary input, split into header lines at "\n".
func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		"", "content-type", "X-Token, content-type", "x-a,,x-a", " ,\t,", "x-a;b", "authorization",
		strings.Repeat(",", 20), strings.Repeat(" ", 20) + "x-a",
		"authorization,content-type,x-a,x-token", "a,x-a,x-a-,x-a-b,x-ab", "x-a,x-a-b", "x-a-b,x-a", long[0], "x-a\nx-token", "x-other\ncontent-type",
		strings.Repeat("x-a,", 70), "\xff", "x-a , x-token ,", "Authorization\n\n\n",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, any bool) {
		lines := strings.Split(s, "\n")
		for _, names := range [][]string{allowed, many, prefixed, long, manyLong} {
			m := acrh.NewMatcher(names, false, false)
			got, _ := m.Check(lines)
			if want := reference(names, false, false, lines); got != want {
				t.Fatalf("%d names: Check(%q) = %v, reference says %v", len(names), lines, got, want)
			}
		}
		for _, anyAuth := range []bool{false, true} {
			names := allowed
			if any && !anyAuth {
				names = []string{"x-a"} // no Authorization: "*" must not cover it
			}
			m := acrh.NewMatcher(names, any, anyAuth)
			got, _ := m.Check(lines)
			if want := reference(names, any, anyAuth, lines); got != want {
				t.Fatalf("Check(%q) any=%v anyAuth=%v = %v, reference says %v", lines, any, anyAuth, got, want)
			}
		}
	})
}
