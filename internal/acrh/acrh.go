// Package acrh checks the Access-Control-Request-Headers of a preflight
// against the request headers a policy allows.
//
// Browsers send the header as one line of lower-case, sorted, de-duplicated
// names joined by "," (Fetch §4.8 step 5), but hand-written tests, curl users
// and proxies send other spellings: mixed case, any order, spaces after the
// commas, duplicates, several header lines. The Matcher accepts all of those,
// as RFC 9110 §5.6.1's list syntax says it should, yet bounds its work by
// constants and by the length of the names it is sent, so that a hostile
// 1 MiB header of commas, spaces or repeated names costs what a short one
// costs:
//
//   - at most MaxOWS bytes of white space on either side of a name;
//   - at most MaxEmpty empty elements in all the lines together;
//   - at most MaxElements names in all the lines together.
//
// A name may be of any length: the Fetch standard sets no limit, and
// fetch(url, {headers: {[longName]: "x"}}) sends one. Its bytes are looked
// at once each (and, for a name with upper-case bytes, once more), so a long
// name costs time in proportion to its length and nothing else.
//
// The part of a line in the browsers' own form is taken first, by walking it
// and the sorted allowed names together (see browserPrefix); when any name
// is allowed, a whole line in that form is taken by one pass over its bytes
// (see anyLine). The rest, if any, is scanned element by element: each name
// is compared with the allowed ones as it is, then, if it has upper-case
// bytes, lower-cased into a stack buffer and compared again. A check never
// allocates and costs O(1) per name.
package acrh

import (
	"slices"

	"github.com/corskit/cors/internal/fetch"
)

// The limits that bound the work of Matcher.Check, each independent of the
// request's length. Browsers never come close to the first two (they send
// no white space and no empty element); a page would have to set more than
// 64 headers that are not CORS-safelisted to reach the third. A request that
// exceeds one is malformed. The configuration side agrees: cors.New refuses
// a policy that allows more than MaxElements names, so that every set of
// names a policy allows can be requested at once.
const (
	MaxOWS      = 16 // white-space bytes before or after one name
	MaxEmpty    = 16 // empty elements, including empty lines, in total
	MaxElements = 64 // names, duplicates included, in total
)

// lowerBuf is the size of the stack buffer in which allows lower-cases a
// requested name with upper-case bytes before looking it up in the map of
// many allowed names. A longer name, which only a hand-made request sends
// in mixed case, is compared with each allowed name of its length instead.
const lowerBuf = 128

// Result is the outcome of Check.
type Result uint8

const (
	// Allowed means every requested name is allowed.
	Allowed Result = iota
	// NotAllowed means a well-formed name is not allowed by the policy.
	NotAllowed
	// Malformed means the header is not a list of tokens within the limits.
	Malformed
)

// A Matcher decides which request-header names a policy allows. The zero
// Matcher allows none. A Matcher is immutable and safe for concurrent use.
type Matcher struct {
	any           bool                // "*": every token name...
	authorization bool                // ...and, with any, Authorization too
	few           []string            // lower-case names, sorted, when there are few
	names         map[string]struct{} // lower-case names, when there are many
	maxLen        int
	browserForm   bool // browserPrefix may take names from few
}

// fewLimit is the number of names up to which comparing each in turn beats
// hashing the requested name.
const fewLimit = 8

// NewMatcher returns a Matcher that allows the given names, compared without
// regard to case. any means every name is allowed except Authorization,
// which is allowed only when it is listed too or when anyIncludesAuth is set
// (as it is for credentialed policies, where "*" is reflected rather than
// sent literally).
func NewMatcher(names []string, any, anyIncludesAuth bool) *Matcher {
	m := &Matcher{any: any, authorization: anyIncludesAuth}
	for _, n := range names {
		l := lower(n)
		if any {
			if l == "authorization" {
				m.authorization = true
			}
			continue
		}
		if m.names == nil {
			m.names = make(map[string]struct{}, len(names))
		}
		m.names[l] = struct{}{}
		if len(l) > m.maxLen {
			m.maxLen = len(l)
		}
	}
	if len(m.names) <= fewLimit {
		for n := range m.names {
			m.few = append(m.few, n)
		}
		m.names = nil
		slices.Sort(m.few)
		// browserPrefix must not take what the scanner calls malformed:
		// every name must be a token. With any, there are no names to
		// merge with.
		m.browserForm = !any
		for _, n := range m.few {
			if !fetch.IsToken(n) {
				m.browserForm = false
			}
		}
	}
	return m
}

// anyLine takes line whole, for a Matcher that allows any name, if it is
// in the browsers' form: tokens joined by single commas, with no white space
// and no empty element, none of them an Authorization that any does not
// cover. Each byte costs one lookup in listBytes; each name, an emptiness
// check and, when Authorization is not covered, one comparison. Anything
// else (whole is false) is left to Check's scanner, from the start of the
// line, so a line is looked at at most twice. It stops at the first name
// past MaxElements, so a line of many short names costs what one just past
// the limit costs.
func (m *Matcher) anyLine(line string, w *work) (n int, whole bool) {
	for start := 0; ; {
		i := start
		for i < len(line) && listBytes[line[i]] == tokenByte {
			i++
		}
		w.add(i - start + 1)
		if n++; n > MaxElements || !m.anyName(line[start:i], w) {
			return 0, false
		}
		if i == len(line) {
			break
		}
		if listBytes[line[i]] != commaByte {
			return 0, false
		}
		start = i + 1
	}
	return n, true
}

// anyName reports whether anyLine may take name: not empty, and not an
// Authorization that any does not cover.
func (m *Matcher) anyName(name string, w *work) bool {
	return name != "" && (m.authorization || !equalFoldLower(name, "authorization", w))
}

// The classes of listBytes.
const (
	otherByte = iota
	tokenByte
	commaByte
)

// listBytes classifies the bytes of a header list for anyLine: token bytes
// (fetch.IsTokenByte), the comma, and everything else.
var listBytes = func() (t [256]uint8) {
	for b := range t {
		if fetch.IsTokenByte(byte(b)) {
			t[b] = tokenByte
		}
	}
	t[','] = commaByte
	return t
}()

// Check reports whether every name in the Access-Control-Request-Headers
// lines is allowed. On failure it also returns the offending element, a
// substring of the input (possibly truncated for a malformed one).
func (m *Matcher) Check(lines []string) (Result, string) {
	return m.check(lines, nil)
}

// check is Check, counting its work in w when w is not nil.
func (m *Matcher) check(lines []string, w *work) (Result, string) {
	// Browsers send one line. When the fast form takes it whole, that is
	// the answer, without the scanner's loop; when it stops part way, the
	// scanner resumes there rather than starting over. (A whole line holds
	// at most fewLimit names from browserPrefix, and anyLine takes none
	// past MaxElements, so the limit on names holds.)
	if len(lines) == 1 {
		switch {
		case m.browserForm:
			i, n, whole := m.browserPrefix(lines[0], w)
			if whole {
				return Allowed, ""
			}
			return m.scan(lines, i, n, w)
		case m.any:
			if _, whole := m.anyLine(lines[0], w); whole {
				return Allowed, ""
			}
			return m.scan(lines, 0, 0, w)
		}
	}
	return m.scan(lines, -1, 0, w)
}

// scan is Check's general case. When first >= 0, the fast form has
// already taken lines[0] up to first, elems names, and the scanner takes
// the rest of it from there.
func (m *Matcher) scan(lines []string, first, elems int, w *work) (Result, string) {
	empty := 0
	for k, line := range lines {
		w.add(1)
		i := 0
		if k == 0 && first >= 0 {
			i = first
		} else if m.browserForm || m.any {
			n, whole := 0, false
			if m.browserForm {
				i, n, whole = m.browserPrefix(line, w)
			} else {
				n, whole = m.anyLine(line, w)
			}
			// The names taken are allowed, so the limit on their number is
			// the only rule they can break.
			if elems += n; elems > MaxElements {
				return Malformed, ""
			}
			if whole {
				continue
			}
		}
		for {
			// Each element costs one step and a step per byte looked at:
			// the white space before and after it, which MaxOWS bounds,
			// and its name.
			ows := 0
			for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
				i++
				if ows++; ows > MaxOWS {
					w.add(ows)
					return Malformed, excerpt(line, i)
				}
			}
			start := i
			for i < len(line) && listBytes[line[i]] == tokenByte {
				i++
			}
			name := line[start:i]
			w.add(ows + len(name) + 1)
			ows = 0
			for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
				i++
				if ows++; ows > MaxOWS {
					w.add(ows)
					return Malformed, excerpt(line, start)
				}
			}
			w.add(ows)
			if i < len(line) && line[i] != ',' {
				return Malformed, excerpt(line, start)
			}
			if name == "" {
				if empty++; empty > MaxEmpty {
					return Malformed, ""
				}
			} else {
				if elems++; elems > MaxElements {
					return Malformed, name
				}
				if !m.allows(name, w) {
					return NotAllowed, name
				}
			}
			if i >= len(line) {
				break
			}
			i++ // the comma
		}
	}
	return Allowed, ""
}

// browserPrefix takes what it can of line in the form Chromium, Firefox and
// Safari send (Fetch §4.8 step 5 and §4.10 "CORS-unsafe request-header
// names": lower-case, sorted byte-wise, without duplicates, joined by ","
// without white space) while every name is allowed. Both lists being sorted,
// it walks them together, like a merge: at each position of line it tries
// the allowed names from where the last one matched, each by its first byte
// and then as a prefix followed by "," or the end of line. It costs at most
// one comparison per allowed name, each no longer than that name, whatever
// the length of line: a hostile 1 MiB line costs what a short one does.
//
// It returns n, the number of names taken, and either whole (line is such a
// list and nothing is left) or i, the start of the first element it could
// not take, where Check's scanner resumes. Each name taken is exactly an
// allowed one (a token) with no white space around it, so the scanner would have accepted it too; FuzzCheck checks
// that the two paths agree.
func (m *Matcher) browserPrefix(line string, w *work) (i, n int, whole bool) {
	for _, a := range m.few {
		end := i + len(a)
		if end > len(line) || line[i] != a[0] {
			w.add(1)
			continue
		}
		w.add(len(a))
		if line[i:end] != a {
			continue
		}
		if end == len(line) {
			return end, n + 1, true
		}
		if line[end] == ',' {
			n++
			i = end + 1
		}
	}
	return i, n, false
}

// allows reports whether the token name is allowed, ignoring case.
// Browsers send names in lower case, so an exact comparison comes first;
// only a name with upper-case bytes is compared again ignoring case: with
// each of a few allowed names in turn, or, with many, lower-cased into a
// stack buffer for the map lookup (a name too long for the buffer is
// compared with each allowed name instead, which no browser makes
// necessary).
func (m *Matcher) allows(name string, w *work) bool {
	if m.any {
		return m.authorization || !equalFoldLower(name, "authorization", w)
	}
	if len(name) > m.maxLen {
		return false
	}
	for _, n := range m.few {
		if len(n) == len(name) {
			w.add(len(name))
		}
		if n == name {
			return true
		}
	}
	upper := false
	for i := 0; i < len(name); i++ {
		if 'A' <= name[i] && name[i] <= 'Z' {
			upper = true
			w.add(i + 1)
			break
		}
	}
	if !upper {
		w.add(2 * len(name)) // the scan above, then the map's hash
		_, ok := m.names[name]
		return ok
	}
	for _, n := range m.few {
		if equalFoldLower(name, n, w) {
			return true
		}
	}
	if len(name) > lowerBuf {
		for n := range m.names {
			if equalFoldLower(name, n, w) {
				return true
			}
		}
		return false
	}
	var buf [lowerBuf]byte
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	w.add(2 * len(name)) // lower-casing, then the map's hash
	// The compiler allocates nothing for a map index by string(bytes).
	_, ok := m.names[string(buf[:len(name)])]
	return ok
}

// equalFoldLower reports whether s equals the lower-case ASCII string t,
// ignoring the case of s.
func equalFoldLower(s, t string, w *work) bool {
	if len(s) != len(t) {
		return false
	}
	w.add(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != t[i] {
			return false
		}
	}
	return true
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// work counts the steps of a check: one per element and one per byte it
// looks at (or compares, or hashes). Tests bound the work of Check with
// it, which a clock cannot do on a loaded machine (see export_test.go).
// Check counts nothing: a nil *work costs one predictable branch per call
// of add (per element, and per allowed name compared), never one per
// byte. The tests bound only what is counted: a new loop over the input
// must add its steps here, or TestCheckLinear and TestCheckBounded cannot
// see it.
type work struct{ steps int }

func (w *work) add(n int) {
	if w != nil {
		w.steps += n
	}
}

// excerpt returns at most 64 bytes of line from i, for error reports.
func excerpt(line string, i int) string {
	if i > len(line) {
		i = len(line)
	}
	end := min(len(line), i+64)
	return line[i:end]
}
