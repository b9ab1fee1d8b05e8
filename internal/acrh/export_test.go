package acrh

// CheckWork is Check, also returning the steps it took: one per element and
// one per byte looked at, compared or hashed (see work). The tests bound
// the work with it instead of timing it.
func (m *Matcher) CheckWork(lines []string) (Result, int) {
	var w work
	r, _ := m.check(lines, &w)
	return r, w.steps
}
