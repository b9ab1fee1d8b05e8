package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/corskit/cors/e2e/internal/driver"
)

// launcherEnv makes a copy of the test binary the subject of
// TestBrowsersDieWithTheTest: its TestMain starts each selected engine as
// the suite does, opens a page in each, prints every process the browsers
// run as (launchedPrefix and JSON, on stdout), and the test then waits to
// be killed.
const launcherEnv = "CORSKIT_E2E_LAUNCHER"

const launchedPrefix = "corskit-e2e-launched "

// launchReport is what the launcher prints.
type launchReport struct {
	Engines []string    `json:"engines"` // the engines it started
	Leaders []int       `json:"leaders"` // each program's pid, the id of its process group
	Dirs    []string    `json:"dirs"`    // the programs' temporary directories (profiles)
	Procs   []procEntry `json:"procs"`   // every process below the launcher, the supervisors included
	Error   string      `json:"error,omitempty"`
}

// procEntry names one process: a pid and its start time, which together
// cannot name another process after the first has gone.
type procEntry struct {
	PID   int    `json:"pid"`
	Start uint64 `json:"start"`
	Comm  string `json:"comm"`
	PGid  int    `json:"pgid"`
}

func launcherMode() bool { return os.Getenv(launcherEnv) != "" }

// launchAndReport is the launcher's part, run by TestMain before the tests:
// the start of each engine the way the tests start it (startBrowser,
// findEngine), with a page open so that the content processes run.
func launchAndReport() {
	rep := launchReport{}
	fail := func(err error) {
		rep.Error = err.Error()
		b, _ := json.Marshal(rep)
		fmt.Printf("%s%s\n", launchedPrefix, b)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	sel, err := selectedEngines()
	if err != nil {
		fail(err)
	}
	var groups []*driver.Group
	for _, e := range sel {
		if e == chromium {
			if shared.path == "" {
				continue
			}
			shared.once.Do(startBrowser)
			if shared.err != nil {
				fail(fmt.Errorf("starting Chromium: %w", shared.err))
			}
			tctx, _ := chromedp.NewContext(shared.ctx)
			if err := chromedp.Do(tctx, chromedp.Navigate("about:blank")); err != nil {
				fail(fmt.Errorf("a Chromium tab: %w", err))
			}
			groups = append(groups, shared.group)
		} else {
			start, err := findEngine(e)
			if err != nil {
				continue
			}
			s := &startedEngine{}
			engines.started[e] = s
			s.once.Do(func() { s.b, s.err = start() })
			if s.err != nil {
				fail(fmt.Errorf("starting %s: %w", e, s.err))
			}
			if _, err := s.b.NewPage(ctx); err != nil {
				fail(fmt.Errorf("a %s page: %w", e, err))
			}
			groups = append(groups, s.b.Groups()...)
		}
		rep.Engines = append(rep.Engines, string(e))
	}
	for _, g := range groups {
		pid, err := g.Leader()
		if err != nil {
			fail(err)
		}
		rep.Leaders = append(rep.Leaders, pid)
		if d := g.Dir(); d != "" {
			rep.Dirs = append(rep.Dirs, d)
		}
	}
	rep.Procs = descendants(os.Getpid())
	b, _ := json.Marshal(rep)
	fmt.Printf("%s%s\n", launchedPrefix, b)
}

// descendants lists every process below pid, from /proc.
func descendants(pid int) []procEntry {
	kids := map[int][]procEntry{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := driver.ReadProcStat(p); ok {
			kids[st.PPid] = append(kids[st.PPid], procEntry{PID: p, Start: st.StartTime, Comm: st.Comm, PGid: st.PGid})
		}
	}
	var out []procEntry
	for todo := []int{pid}; len(todo) > 0; {
		p := todo[0]
		todo = todo[1:]
		for _, k := range kids[p] {
			out = append(out, k)
			todo = append(todo, k.PID)
		}
	}
	return out
}

// alive reports whether p still runs: the same pid with the same start
// time, and not a zombie (a zombie has ended; only its exit status is
// left for its parent to collect).
func alive(p procEntry) bool {
	st, ok := driver.ReadProcStat(p.PID)
	return ok && st.StartTime == p.Start && st.State != 'Z'
}

// TestBrowsersDieWithTheTest: every process a browser of the suite runs as
// (the browser and its children, webkit.py and WebKit's processes, Xvfb,
// and their supervisors) dies with the test process, when it is killed by
// SIGKILL and when go test's -timeout ends it: two ways of ending in which
// no cleanup runs; and their profiles go too. It starts the engines as the
// suite does, in a copy of the test binary (see launcherEnv), ends that
// copy, and then looks in /proc for each process it reported, and for any
// process in the browsers' process groups, and for the profiles.
func TestBrowsersDieWithTheTest(t *testing.T) {
	if launcherMode() {
		// TestMain has started the browsers and reported them: wait for
		// SIGKILL or for the -timeout.
		for {
			time.Sleep(time.Hour)
		}
	}
	sel, err := selectedEngines()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range sel {
		why := error(nil)
		if e == chromium {
			_, why = chromiumPath()
		} else {
			_, why = findEngine(e)
		}
		switch {
		case why == nil:
			want = append(want, string(e))
		case os.Getenv("CI") == "true":
			t.Fatalf("CI=true and %s cannot run: %v", e, why)
		default:
			t.Logf("not covered: %s cannot run here: %v", e, why)
		}
	}
	if len(want) == 0 {
		t.Skip("no engine can run here")
	}
	for _, tc := range []struct {
		name    string
		timeout string // the launcher's -test.timeout; "" kills it with SIGKILL
	}{
		{"SIGKILL", ""},
		{"timeout", "1s"},
	} {
		// One after the other: each starts every engine, which is slow
		// enough on a loaded machine.
		t.Run(tc.name, func(t *testing.T) {
			defer suiteProgress.busy(t.Name())()
			testBrowsersDie(t, want, tc.timeout)
		})
	}
}

func testBrowsersDie(t *testing.T, want []string, timeout string) {
	args := []string{"-test.run=^TestBrowsersDieWithTheTest$", "-test.count=1", "-test.timeout=15m"}
	if timeout != "" {
		args[2] = "-test.timeout=" + timeout
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), launcherEnv+"=1")
	// The launcher dies with this test too: its parent-death signal follows
	// this goroutine's thread, which it keeps until the test ends (and
	// which then ends with it).
	runtime.LockOSThread()
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ended := make(chan error, 1)
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			if l, ok := strings.CutPrefix(sc.Text(), launchedPrefix); ok {
				lines <- l
			}
		}
		ended <- cmd.Wait()
	}()
	killLauncher := func() { // the launcher is ours; it is ended once
		cmd.Process.Kill()
	}
	t.Cleanup(func() {
		killLauncher()
		<-ended
	})

	// Liveness bounds only: each engine's start has its own (see
	// browserStartTimeout).
	var rep launchReport
	select {
	case l := <-lines:
		if err := json.Unmarshal([]byte(l), &rep); err != nil {
			t.Fatalf("the launcher's report %q: %v", l, err)
		}
	case err := <-ended:
		ended <- err
		t.Fatalf("the launcher ended without a report (%v): %s", err, stderr.String())
	case <-time.After(10 * time.Minute):
		t.Fatalf("no report from the launcher within 10 minutes: %s", stderr.String())
	}
	if rep.Error != "" {
		t.Fatalf("the launcher: %s", rep.Error)
	}
	if !slices.Equal(rep.Engines, want) {
		t.Fatalf("the launcher started %q, want %q", rep.Engines, want)
	}
	// Every group runs, and the test covers what it claims: a browser's
	// children in its group (Chromium's and Firefox's at least).
	members := map[int]int{}
	for _, p := range rep.Procs {
		members[p.PGid]++
	}
	for _, l := range rep.Leaders {
		if members[l] == 0 {
			t.Errorf("process group %d has no process: %+v", l, rep.Procs)
		}
	}
	if slices.Contains(want, string(chromium)) || slices.Contains(want, string(firefox)) {
		most := 0
		for _, l := range rep.Leaders {
			most = max(most, members[l])
		}
		if most < 2 {
			t.Errorf("no browser has children in its group; the test would prove nothing about them: %+v", rep.Procs)
		}
	}
	t.Logf("%d processes in %d groups under the launcher (%s)", len(rep.Procs), len(rep.Leaders), strings.Join(rep.Engines, ", "))

	if timeout == "" {
		killLauncher()
	}
	var exit error
	select {
	case exit = <-ended:
		ended <- exit
	case <-time.After(2 * time.Minute):
		t.Fatalf("the launcher did not end within 2 minutes")
	}
	if timeout != "" && !strings.Contains(stderr.String(), "panic: test timed out after "+timeout) {
		t.Fatalf("the launcher did not end by its -timeout (%v): %s", exit, stderr.String())
	}

	// Whatever remains after a minute has escaped. Every wait here is a
	// liveness bound, not a measure: the supervisors act at once.
	if len(rep.Dirs) < len(rep.Engines) {
		t.Errorf("%d profiles for %d engines: %q", len(rep.Dirs), len(rep.Engines), rep.Dirs)
	}
	var left []procEntry
	var dirs []string
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		left, dirs = left[:0], dirs[:0]
		for _, p := range append(rep.Procs, inGroups(rep.Leaders, rep.Procs)...) {
			if alive(p) {
				left = append(left, p)
			}
		}
		for _, d := range rep.Dirs {
			if _, err := os.Stat(d); !os.IsNotExist(err) {
				dirs = append(dirs, d)
			}
		}
		if len(left)+len(dirs) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, p := range left {
		if !slices.Contains(rep.Procs, p) && !groupProvenOurs(p.PGid, rep.Procs) {
			// A newcomer in a group none of whose recorded members
			// lives: the id may have been reused by a program this test
			// did not start, so it is reported, not killed.
			t.Errorf("still running: pid %d (%s), in process group %d, which was a browser's (not killed: the id may have been reused)", p.PID, p.Comm, p.PGid)
			continue
		}
		t.Errorf("still running: pid %d (%s), process group %d", p.PID, p.Comm, p.PGid)
		syscall.Kill(p.PID, syscall.SIGKILL) // started by this test
	}
	for _, d := range dirs {
		t.Errorf("still there: %s", d)
		os.RemoveAll(d) // made by this test
	}
}

// inGroups lists the processes now in one of the groups that did not run
// when the report was made but started no earlier than the oldest of them.
func inGroups(leaders []int, known []procEntry) []procEntry {
	if len(known) == 0 {
		return nil
	}
	oldest := known[0].Start
	for _, p := range known {
		oldest = min(oldest, p.Start)
	}
	var out []procEntry
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, ok := driver.ReadProcStat(pid)
		if !ok || !slices.Contains(leaders, st.PGid) || st.StartTime < oldest {
			continue
		}
		p := procEntry{PID: pid, Start: st.StartTime, Comm: st.Comm, PGid: st.PGid}
		if !slices.Contains(known, p) {
			out = append(out, p)
		}
	}
	return out
}

// groupProvenOurs reports whether process group pgid is still the one the
// report saw: one of its recorded members lives (pid and start time), so
// the id has not been freed and taken by another program since.
func groupProvenOurs(pgid int, known []procEntry) bool {
	return slices.ContainsFunc(known, func(p procEntry) bool { return p.PGid == pgid && alive(p) })
}

// lockedBuffer is a bytes.Buffer a process may write while a test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
