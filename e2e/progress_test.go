package e2e

// The suite's progress and its time budget.
//
// A case is a page a test opens (browser(t), openTab) and keeps until the
// test ends. The suite counts its cases per test and engine, and prints to
// stderr, so that it shows without -v:
//
//   - every progressEvery, a progress line: the time since the start, the
//     cases done in each engine, and the test running now with its cases
//     done out of the cases the same test ran in an engine that has
//     finished it (the engines run the same cases, except where a test
//     says otherwise), or a test busy outside any case (see busy), e.g.
//     "e2e: 2m30s: 431 cases done (chromium 240, firefox 191); running TestConformance/engine=firefox: 57/110 done, 2 open, the oldest for 3s";
//   - at the end, each test's cases and time per engine: the measured cost
//     per case from which the Makefile's -timeout is derived.
//
// The budget. A loaded machine slows every case alike (a run that takes
// 181 s idle has taken 1,080 s beside other builds); that must not fail
// the run. So nothing bounds the run's total but a backstop, go test's
// -timeout, set in the Makefile far above the measured cost of every
// case. What does fail a run is a hang, caught much sooner by bounds that
// each cover one step: a case's every wait (tabTimeout, consoleSettle), a
// browser's start (browserStartTimeout), and, for code outside every such
// bound, stallLimit: when no case has begun or ended for that long, the
// suite names the cases still open and since when, prints every
// goroutine's stack, stops the browsers and exits with status 1.

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	progressEvery = 30 * time.Second
	// stallLimit is far above the longest step with no case in it: a
	// browser's start (browserStartTimeout) and TestGate's build of
	// corsgate, which a loaded machine can make take minutes.
	stallLimit = 10 * time.Minute
)

// suiteProgress counts the suite's cases.
var suiteProgress = &progress{tests: map[string]*testCases{}, open: map[*openCase]bool{}}

type progress struct {
	mu    sync.Mutex
	start time.Time
	last  time.Time // when a case last began or ended
	order []string  // the tests as "TestX/engine=e", in the order they began
	tests map[string]*testCases
	open  map[*openCase]bool
}

// testCases are one test's cases in one engine.
type testCases struct {
	engine      engineName
	done, open  int
	first, last time.Time // the first case's beginning, the last case's end
}

type openCase struct {
	key, name string
	since     time.Time
}

// busy records that the test name is working outside any case, on waits
// it bounds itself (starting browsers of its own, say), until the function
// it returns is called: the progress line shows it, and no stall is called
// meanwhile.
func (p *progress) busy(name string) (done func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = time.Now()
	oc := &openCase{name: name, since: p.last}
	p.open[oc] = true
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.last = time.Now()
		delete(p.open, oc)
	}
}

// begin counts the case t.Name() = name in engine e as begun; the function
// it returns counts it as done.
func (p *progress) begin(name string, e engineName) (end func()) {
	top, _, _ := strings.Cut(name, "/")
	key := top + "/engine=" + string(e)
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	tc := p.tests[key]
	if tc == nil {
		tc = &testCases{engine: e, first: now}
		p.tests[key] = tc
		p.order = append(p.order, key)
	}
	tc.open++
	p.last = now
	oc := &openCase{key: key, name: name, since: now}
	p.open[oc] = true
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		tc.open--
		tc.done++
		tc.last = time.Now()
		p.last = tc.last
		delete(p.open, oc)
	}
}

// line is the progress line at now. p.mu is held.
func (p *progress) line(now time.Time) string {
	perEngine := map[engineName]int{}
	total := 0
	for _, tc := range p.tests {
		perEngine[tc.engine] += tc.done
		total += tc.done
	}
	var engines []string
	for _, e := range allEngines {
		if n, ok := perEngine[e]; ok {
			engines = append(engines, fmt.Sprintf("%s %d", e, n))
		}
	}
	var running []string
	for i, key := range p.order {
		tc := p.tests[key]
		if tc.open == 0 && (i != len(p.order)-1 || p.busyCount() > 0) {
			continue
		}
		of := "?"
		if n := p.finishedElsewhere(i); n > 0 {
			of = fmt.Sprint(n)
		}
		r := fmt.Sprintf("%s: %d/%s done", key, tc.done, of)
		if tc.open > 0 {
			oldest := now
			for oc := range p.open {
				if oc.key == key && oc.since.Before(oldest) {
					oldest = oc.since
				}
			}
			r += fmt.Sprintf(", %d open, the oldest for %v", tc.open, now.Sub(oldest).Round(time.Second))
		}
		running = append(running, r)
	}
	for oc := range p.open {
		if oc.key == "" {
			running = append(running, fmt.Sprintf("%s for %v", oc.name, now.Sub(oc.since).Round(time.Second)))
		}
	}
	s := fmt.Sprintf("e2e: %v: %d cases done", now.Sub(p.start).Round(time.Second), total)
	if len(engines) > 0 {
		s += " (" + strings.Join(engines, ", ") + ")"
	}
	if len(running) > 0 {
		s += "; running " + strings.Join(running, "; ")
	}
	return s
}

// busyCount is how many busy items are open. p.mu is held.
func (p *progress) busyCount() int {
	n := 0
	for oc := range p.open {
		if oc.key == "" {
			n++
		}
	}
	return n
}

// finishedElsewhere returns the cases the test of p.order[i] ran in an
// engine that has finished it (a later test or engine has begun since),
// or 0. p.mu is held.
func (p *progress) finishedElsewhere(i int) int {
	top, _, _ := strings.Cut(p.order[i], "/")
	n := 0
	for j, key := range p.order[:len(p.order)-1] {
		if j != i && strings.HasPrefix(key, top+"/") && p.tests[key].open == 0 {
			n = max(n, p.tests[key].done)
		}
	}
	return n
}

// watch starts printing a progress line to w every every, and watching for
// a stall (no case begun or ended for stall). The function it returns
// stops it.
func (p *progress) watch(w io.Writer, every, stall time.Duration) (stop func()) {
	p.mu.Lock()
	p.start, p.last = time.Now(), time.Now()
	p.mu.Unlock()
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case now := <-tick.C:
				p.mu.Lock()
				line, quiet := p.line(now), now.Sub(p.last)
				if p.busyCount() > 0 {
					quiet = 0 // busy on its own bounded waits
				}
				p.mu.Unlock()
				fmt.Fprintln(w, line)
				if quiet > stall {
					p.stalled(w, quiet)
				}
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}

// stalled reports a hang and ends the test process.
func (p *progress) stalled(w io.Writer, quiet time.Duration) {
	now := time.Now()
	p.mu.Lock()
	var open []*openCase
	for oc := range p.open {
		open = append(open, oc)
	}
	p.mu.Unlock()
	slices.SortFunc(open, func(a, b *openCase) int { return a.since.Compare(b.since) })
	fmt.Fprintf(w, "e2e: FAIL: no case has begun or ended for %v, a hang (each case's waits are bounded by %v); %d cases open:\n", quiet.Round(time.Second), tabTimeout, len(open))
	for _, oc := range open {
		fmt.Fprintf(w, "e2e:   %s, open for %v\n", oc.name, now.Sub(oc.since).Round(time.Second))
	}
	fmt.Fprintln(w, "e2e: every goroutine:")
	pprof.Lookup("goroutine").WriteTo(w, 1)
	fmt.Fprintln(w, "e2e: stopping the browsers")
	stopped := make(chan struct{})
	go func() {
		stopBrowser()
		stopEngines()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(30 * time.Second):
		// Their supervisors kill them when this process ends.
	}
	os.Exit(1)
}

// summary prints each test's cases and time per engine.
func (p *progress) summary(w io.Writer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.order) == 0 {
		return
	}
	keys := slices.Clone(p.order)
	slices.SortStableFunc(keys, func(a, b string) int {
		return cmp.Compare(slices.Index(allEngines, p.tests[a].engine), slices.Index(allEngines, p.tests[b].engine))
	})
	width := 0
	for _, k := range keys {
		width = max(width, len(k))
	}
	total := 0
	fmt.Fprintln(w, "e2e: cases and time per test and engine (the first case's start to the last one's end):")
	for _, k := range keys {
		tc := p.tests[k]
		span := tc.last.Sub(tc.first)
		total += tc.done
		per := time.Duration(0)
		if tc.done > 0 {
			per = span / time.Duration(tc.done)
		}
		fmt.Fprintf(w, "e2e:   %-*s %5d cases %9v  %v/case\n", width, k, tc.done, span.Round(10*time.Millisecond), per.Round(10*time.Millisecond))
	}
	fmt.Fprintf(w, "e2e: %d cases in %v\n", total, time.Since(p.start).Round(time.Second))
}

// TestProgressLine: the progress line counts the cases done per engine,
// and gives the running test's total once another engine has finished it.
func TestProgressLine(t *testing.T) {
	p := &progress{tests: map[string]*testCases{}, open: map[*openCase]bool{}, start: time.Now()}
	var ends []func()
	for range 3 {
		ends = append(ends, p.begin("TestA/engine=chromium/row", chromium))
	}
	for _, end := range ends {
		end()
	}
	p.begin("TestA/engine=firefox/row", firefox)()
	open := p.begin("TestA/engine=firefox/row", firefox)
	if got, want := p.line(time.Now()), "4 cases done (chromium 3, firefox 1); running TestA/engine=firefox: 1/3 done, 1 open, the oldest for "; !strings.Contains(got, want) {
		t.Errorf("line:\n got: %s\nwant: …%s…", got, want)
	}
	open()
	busy := p.busy("TestC/own")
	if got, want := p.line(time.Now()), "5 cases done (chromium 3, firefox 2); running TestC/own for "; !strings.Contains(got, want) {
		t.Errorf("line:\n got: %s\nwant: …%s…", got, want)
	}
	busy()
	p.begin("TestB", chromium)()
	if got, want := p.line(time.Now()), "6 cases done (chromium 4, firefox 2); running TestB/engine=chromium: 1/? done"; !strings.HasSuffix(got, want) {
		t.Errorf("line:\n got: %s\nwant: …%s", got, want)
	}
}
