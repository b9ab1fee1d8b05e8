package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/corskit/cors/cmd/corsgate/internal/nginxtest"
	"github.com/corskit/cors/cmd/corsgate/internal/testproc"
)

// launcherEnv makes a copy of the test binary the subject of
// TestProcessesDieWithTheTest: before its tests run, it starts every
// program the tests start (benchTargets: two nginx servers with their
// workers, Caddy when caddyEnv names it, the two Go floors and two
// corsgates), prints them (launchedPrefix and JSON, on stdout), and then
// waits to be ended. Its value is the directory its files go in.
const (
	launcherEnv    = "CORSGATE_TEST_LAUNCHER"
	caddyEnv       = "CORSGATE_TEST_LAUNCHER_CADDY"
	launchedPrefix = "corsgate-test-launched "
)

// launchReport is what the launcher prints.
type launchReport struct {
	Procs []procEntry `json:"procs"` // every process below the launcher
	Error string      `json:"error,omitempty"`
}

// procEntry names one process: a pid and its start time, which together
// cannot name another process once the first has gone.
type procEntry struct {
	PID   int    `json:"pid"`
	Start uint64 `json:"start"`
	Comm  string `json:"comm"`
}

// launching is set in the launcher.
var launching bool

// init is the launcher's part: it runs before TestMain, so that the
// launcher's -test.timeout counts from when its programs run. The
// programs must not see the launcher's environment, or the corsgates,
// copies of this binary, would launch too.
func init() {
	dir, ok := os.LookupEnv(launcherEnv)
	if !ok {
		return
	}
	caddy := os.Getenv(caddyEnv)
	os.Unsetenv(launcherEnv)
	os.Unsetenv(caddyEnv)
	launching = true
	launch(dir, caddy)
}

func launch(dir, caddy string) {
	tb := &launcherTB{dir: dir}
	defer func() {
		if e := recover(); e != nil {
			tb.report(fmt.Sprint(e))
			os.Exit(1)
		}
	}()
	benchTargets(tb, caddy)
	tb.report("")
}

// launcherTB is the testing.TB the launcher starts its programs with:
// nothing is cleaned up (the launcher is ended from outside, which is the
// point), temporary directories are made in dir, which the test removes,
// and a failure ends the launcher with a report that says why.
type launcherTB struct {
	testing.TB // nil: a method not written below panics, and the launcher reports it
	dir        string
	n          int
}

func (l *launcherTB) Helper()        {}
func (l *launcherTB) Cleanup(func()) {}
func (l *launcherTB) TempDir() string {
	l.n++
	d := filepath.Join(l.dir, strconv.Itoa(l.n))
	if err := os.MkdirAll(d, 0o755); err != nil {
		l.Fatal(err)
	}
	return d
}
func (l *launcherTB) Logf(string, ...any) {}
func (l *launcherTB) Errorf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}
func (l *launcherTB) Fatal(args ...any)                 { panic(fmt.Sprint(args...)) }
func (l *launcherTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (l *launcherTB) Skipf(format string, args ...any)  { panic(fmt.Sprintf(format, args...)) }

func (l *launcherTB) report(failure string) {
	b, _ := json.Marshal(launchReport{Procs: descendants(os.Getpid()), Error: failure})
	fmt.Printf("%s%s\n", launchedPrefix, b)
}

// procStat is what /proc/PID/stat says of a process that matters here.
type procStat struct {
	comm      string
	state     byte
	ppid      int
	startTime uint64 // clock ticks after boot
}

// readProcStat reads /proc/pid/stat (proc(5)): "pid (comm) state ppid …",
// the start time being field 22.
func readProcStat(pid int) (procStat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, false
	}
	s := string(b)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return procStat{}, false
	}
	f := strings.Fields(s[closing+1:]) // f[0] is field 3
	if len(f) < 20 {
		return procStat{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	start, _ := strconv.ParseUint(f[19], 10, 64)
	return procStat{comm: s[open+1 : closing], state: f[0][0], ppid: ppid, startTime: start}, true
}

// descendants lists every process below pid.
func descendants(pid int) []procEntry {
	kids := map[int][]procEntry{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := readProcStat(p); ok {
			kids[st.ppid] = append(kids[st.ppid], procEntry{PID: p, Start: st.startTime, Comm: st.comm})
		}
	}
	var out []procEntry
	for todo := []int{pid}; len(todo) > 0; todo = todo[1:] {
		for _, k := range kids[todo[0]] {
			out = append(out, k)
			todo = append(todo, k.PID)
		}
	}
	return out
}

// alive reports whether p still runs: the same pid with the same start
// time, and not a zombie (which has ended, and waits only to be reaped).
func alive(p procEntry) bool {
	st, ok := readProcStat(p.PID)
	return ok && st.startTime == p.Start && st.state != 'Z'
}

// TestProcessesDieWithTheTest: every program corsgate's tests start (nginx
// and its workers, corsgate, Caddy, the benchmark's floors) dies with the
// test process when it is killed by SIGKILL and when go test's -timeout
// ends it, two ways of ending in which no cleanup function runs. It starts
// them as the tests do, in a copy of the test binary (launcherEnv), ends
// that copy, and looks in /proc for each process it reported. Before
// package testproc, nginx's master and workers, Caddy and the floors were
// left running in both ways, parented to init.
func TestProcessesDieWithTheTest(t *testing.T) {
	if launching {
		// launch has run: wait for SIGKILL or for the -timeout.
		for {
			time.Sleep(time.Hour)
		}
	}
	nginxtest.Require(t)
	caddy := requireCaddy(t)
	for _, tc := range []struct {
		name    string
		timeout string // the launcher's -test.timeout; "" kills it with SIGKILL
	}{
		{"SIGKILL", ""},
		{"timeout", "1s"},
	} {
		t.Run(tc.name, func(t *testing.T) { testProcessesDie(t, caddy, tc.timeout) })
	}
}

func testProcessesDie(t *testing.T, caddy, timeout string) {
	dir := t.TempDir()
	args := []string{"-test.run=^TestProcessesDieWithTheTest$", "-test.count=1", "-test.timeout=15m"}
	if timeout != "" {
		args[2] = "-test.timeout=" + timeout
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), launcherEnv+"="+dir, caddyEnv+"="+caddy)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	launcher, err := testproc.Start(cmd, syscall.SIGKILL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { launcher.Stop(syscall.SIGKILL, 0) })
	reports := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			if l, ok := strings.CutPrefix(sc.Text(), launchedPrefix); ok {
				reports <- l
			}
		}
	}()

	// Liveness bounds only: what is measured is what is left, not when.
	var rep launchReport
	select {
	case l := <-reports:
		if err := json.Unmarshal([]byte(l), &rep); err != nil {
			t.Fatalf("the launcher's report %q: %v", l, err)
		}
	case <-launcher.Done():
		t.Fatalf("the launcher ended without a report (%v): %s", launcher.Err(), stderr.String())
	case <-time.After(5 * time.Minute):
		t.Fatal("no report from the launcher within 5 minutes")
	}
	if rep.Error != "" {
		t.Fatalf("the launcher failed: %s", rep.Error)
	}
	// The test covers what it claims: each program, and nginx's workers.
	count := map[string]int{}
	for _, p := range rep.Procs {
		count[p.Comm]++
	}
	want := map[string]int{"nginx": 4, filepath.Base(os.Args[0])[:min(15, len(filepath.Base(os.Args[0])))]: 4}
	if caddy != "" {
		want["caddy"] = 1
	}
	for comm, n := range want {
		if count[comm] < n {
			t.Errorf("%d %q processes under the launcher, want at least %d: %v", count[comm], comm, n, rep.Procs)
		}
	}
	t.Logf("%d processes under the launcher: %v", len(rep.Procs), count)

	if timeout == "" {
		launcher.Signal(syscall.SIGKILL)
	}
	select {
	case <-launcher.Done():
	case <-time.After(2 * time.Minute):
		t.Fatal("the launcher did not end within 2 minutes")
	}
	if timeout != "" && !strings.Contains(stderr.String(), "panic: test timed out after "+timeout) {
		t.Fatalf("the launcher did not end by its -timeout (%v): %s", launcher.Err(), stderr.String())
	}

	var left []procEntry
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		left = left[:0]
		for _, p := range rep.Procs {
			if alive(p) {
				left = append(left, p)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, p := range left {
		t.Errorf("still running: pid %d (%s)", p.PID, p.Comm)
		syscall.Kill(p.PID, syscall.SIGKILL) // started by this test, and alive with its start time
	}
}
