package driver

// Every process the suite starts (a browser, webkit.py, Xvfb) must die with
// the test, however the test ends: a failed test, a panic, go test's
// -timeout (which panics in another goroutine, so no deferred call and no
// cleanup runs), or SIGKILL of the test binary. Cleanup functions cover
// only the first two. A parent-death signal (PR_SET_PDEATHSIG) covers the
// others, but only for the one process it is set on: Firefox's content
// processes, Chromium's zygote and renderers and WebKit's web and network
// processes are that process's children, and when it dies they are
// re-parented to init and live on (a run killed by its timeout once left
// Firefox's 14 content processes and Xvfb behind).
//
// So each program runs under a supervisor, a second copy of the test binary
// (see init) that does one thing:
//
//   - it starts the program in a process group of its own, with a
//     parent-death signal (SIGKILL) tied to the supervisor's only thread;
//   - it is a child subreaper (PR_SET_CHILD_SUBREAPER), so that a
//     descendant whose parent dies is re-parented to it, not to init, even
//     one that left the group (bubblewrap's setsid, a double fork);
//   - it holds one end of a socket pair, the lifeline, whose other end only
//     the test process holds: the kernel closes it when the test process
//     ends, however it ends, and so does Group.Kill. It also gets SIGTERM
//     as its own parent-death signal;
//   - when the lifeline closes, on SIGTERM, SIGINT or SIGHUP, or when the
//     program exits by itself, it kills the program's group, then every
//     process re-parented to it, again until none is left, reaps them all,
//     and exits with the program's status.
//
// Every kill names a process the supervisor has not yet reaped (its child,
// or the group whose leader is its unreaped child), so no process id it
// signals can have been reused by another program.
//
// The parent-death signal is sent when the thread that forked the process
// ends, not the process (go.dev/issue/27505): a Go program ends threads,
// for example when a goroutine locked to one returns. The test side
// therefore starts each supervisor from a goroutine locked to its thread
// until the supervisor has been reaped (startProcess; chromedp does the
// same for Chromium), and the supervisor forks from its main thread, which
// it locks and never leaves.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// superviseEnv tells a copy of the test binary to be a supervisor; its
// value is the file descriptor of the supervisor's end of the lifeline.
// removeEnv names the directory it removes once the program is gone.
const (
	superviseEnv = "CORSKIT_E2E_SUPERVISE"
	removeEnv    = "CORSKIT_E2E_SUPERVISE_REMOVE"
)

// supervisorName is the supervisor's argv[0], so that ps names it.
const supervisorName = "corskit-e2e-supervisor"

func init() {
	if fd, ok := os.LookupEnv(superviseEnv); ok {
		os.Exit(supervise(fd, os.Args[1:]))
	}
}

// A Group is a program started under a supervisor (see Supervise): the
// program leads a process group of its own, and the whole group, with every
// process that leaves it, dies when the test process dies or Kill is
// called.
type Group struct {
	cmd  *exec.Cmd // the supervisor
	dir  string    // removed by the supervisor once the group is dead
	life *os.File  // the test's end of the lifeline
	peer *os.File  // the supervisor's end, until the supervisor runs

	once   sync.Once
	leader int // the program's pid, which is also its group's id
	// prog is the program, found by pid as soon as the supervisor names
	// it, while the supervisor has not reaped it: os.FindProcess holds a
	// pidfd on Linux, so signals sent through prog never reach another
	// process that reuses the pid later.
	prog   *os.Process
	err    error
	mu     sync.Mutex
	killed bool
}

// Supervise rewrites cmd, before it is started, to start the same program
// under a supervisor: a copy of the running test binary. Its standard
// files, ExtraFiles and environment reach the program as they are. dir, if
// not "", is the program's temporary directory (its profile), which the
// supervisor removes once the program and all it started are gone, so that
// a test that dies without its cleanup leaves no profile behind either. cmd
// must be started from a goroutine locked to its OS thread until cmd has
// been waited for (see the top of this file). When cmd was made with
// exec.CommandContext, cancelling kills the group rather than the
// supervisor alone. A failure is returned and also set in cmd.Err, so that
// cmd.Start fails.
func Supervise(cmd *exec.Cmd, dir string) (*Group, error) {
	exe, err := os.Executable()
	if err != nil {
		cmd.Err = fmt.Errorf("driver: supervising %s: %w", cmd.Path, err)
		return nil, cmd.Err
	}
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		cmd.Err = fmt.Errorf("driver: supervising %s: socketpair: %w", cmd.Path, err)
		return nil, cmd.Err
	}
	// A non-blocking end is pollable, so Close wakes a reader blocked on it.
	syscall.SetNonblock(fds[0], true)
	g := &Group{cmd: cmd, dir: dir, life: os.NewFile(uintptr(fds[0]), "lifeline"), peer: os.NewFile(uintptr(fds[1]), "lifeline")}

	cmd.Args = append([]string{supervisorName, cmd.Path}, cmd.Args...)
	cmd.Path = exe
	cmd.ExtraFiles = append(cmd.ExtraFiles, g.peer)
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, superviseEnv+"="+strconv.Itoa(2+len(cmd.ExtraFiles)), removeEnv+"="+dir)
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGTERM
	if cmd.Cancel != nil { // made by exec.CommandContext
		cmd.Cancel = func() error { g.Kill(); return nil }
		cmd.WaitDelay = 30 * time.Second
	}
	return g, nil
}

// Dir returns the directory the supervisor removes, or "".
func (g *Group) Dir() string { return g.dir }

// Supervisor returns the supervisor's process id, once cmd has started.
func (g *Group) Supervisor() int {
	if g.cmd.Process == nil {
		return 0
	}
	return g.cmd.Process.Pid
}

// Leader returns the program's process id, which is also the id of its
// process group, once the supervisor has started it; the error says why it
// did not. Call it after cmd.Start has returned without error.
func (g *Group) Leader() (int, error) {
	g.once.Do(func() {
		// The supervisor has its own copy now: once ours is closed, the
		// supervisor's end of the exchange closes when the supervisor ends.
		g.peer.Close()
		line, err := bufio.NewReader(g.life).ReadString('\n')
		switch {
		case strings.HasPrefix(line, "pid "):
			g.leader, g.err = strconv.Atoi(strings.TrimSpace(line[len("pid "):]))
		case strings.HasPrefix(line, "error "):
			g.err = errors.New(strings.TrimSpace(line[len("error "):]))
		case err != nil:
			g.err = fmt.Errorf("driver: the supervisor ended without starting %s: %w", g.cmd.Args[1], err)
		default:
			g.err = fmt.Errorf("driver: the supervisor said %q", line)
		}
		if g.err == nil {
			g.prog, g.err = os.FindProcess(g.leader)
		}
	})
	return g.leader, g.err
}

// program is the program, for signals (see prog).
func (g *Group) program() (*os.Process, error) {
	if _, err := g.Leader(); err != nil {
		return nil, err
	}
	return g.prog, nil
}

// Kill closes the lifeline: the supervisor kills the program's group and
// every process re-parented to it, reaps them, and exits. It does not wait;
// wait for the supervisor (cmd.Wait) to know that they are gone.
func (g *Group) Kill() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.killed {
		g.killed = true
		g.life.Close()
		g.peer.Close()
	}
}

// supervise is the supervisor's main: args are the program's path and its
// argv. It returns the program's exit status (128+n for signal n).
func supervise(fdText string, args []string) int {
	runtime.LockOSThread() // the program's parent-death signal follows this thread
	fd, err := strconv.Atoi(fdText)
	if err != nil || fd < 3 {
		fmt.Fprintf(os.Stderr, "%s: %s=%q is not a descriptor\n", supervisorName, superviseEnv, fdText)
		return 125
	}
	syscall.CloseOnExec(fd)
	life := os.NewFile(uintptr(fd), "lifeline")
	fail := func(format string, a ...any) int {
		fmt.Fprintf(life, "error "+format+"\n", a...)
		return 127
	}
	if len(args) < 2 {
		return fail("%s: want the program's path and argv", supervisorName)
	}
	dir := os.Getenv(removeEnv)
	os.Unsetenv(superviseEnv)
	os.Unsetenv(removeEnv)
	if err := prctl(pr_SET_CHILD_SUBREAPER, 1); err != nil {
		return fail("%s: PR_SET_CHILD_SUBREAPER: %v", supervisorName, err)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	files := make([]uintptr, fd)
	for i := range files {
		files[i] = uintptr(i)
	}
	pid, err := syscall.ForkExec(args[0], args[1:], &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: files,
		Sys:   &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL},
	})
	if err != nil {
		return fail("starting %s: %v", args[0], err)
	}
	// The program has its copies. Ours would keep its pipes open after it
	// closed them (a reader would miss their end), so they go, and the
	// standard files become /dev/null.
	for i := 3; i < fd; i++ {
		syscall.Close(i)
	}
	if null, err := syscall.Open(os.DevNull, syscall.O_RDWR, 0); err == nil {
		for i := 0; i < 3; i++ {
			syscall.Dup3(null, i, 0)
		}
		syscall.Close(null)
	}
	fmt.Fprintf(life, "pid %d\n", pid)

	exited := make(chan struct{})
	go func() {
		waitExited(pid)
		close(exited)
	}()
	gone := make(chan struct{})
	go func() {
		io.Copy(io.Discard, life)
		close(gone)
	}()
	select {
	case <-exited:
	case <-gone:
	case <-stop:
	}
	killAll(pid, exited)
	var ws syscall.WaitStatus
	for {
		if _, err := syscall.Wait4(pid, &ws, 0, nil); err != syscall.EINTR {
			break
		}
	}
	if dir != "" {
		// Nothing that wrote in it is left; retry once in a while all
		// the same, as removeAllLater does.
		for range 20 {
			if os.RemoveAll(dir) == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// killAll kills the group of the program pid and waits until it has
// exited (without reaping it: while it is unreaped, its id names no other
// group), then kills and reaps every process re-parented to the
// supervisor, until there is none.
func killAll(pid int, exited <-chan struct{}) {
	syscall.Kill(-pid, syscall.SIGKILL)
	<-exited
	for {
		kids := children(pid)
		if len(kids) == 0 {
			break
		}
		for _, k := range kids {
			syscall.Kill(k, syscall.SIGKILL)
		}
		for _, k := range kids {
			for {
				if _, err := syscall.Wait4(k, nil, 0, nil); err != syscall.EINTR {
					break
				}
			}
		}
	}
	// Every descendant is dead: one still alive would have a parent that
	// is dead, and so be a child of ours. This last kill can reach only a
	// process that joined the group from outside.
	syscall.Kill(-pid, syscall.SIGKILL)
}

// children returns the supervisor's children, except the program.
func children(program int) []int {
	self := os.Getpid()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == program {
			continue
		}
		if st, ok := ReadProcStat(pid); ok && st.PPid == self {
			out = append(out, pid)
		}
	}
	return out
}

// waitExited blocks until process pid (a child) has exited, and leaves it
// unreaped (waitid with WNOWAIT).
func waitExited(pid int) {
	var info [128]byte // siginfo_t
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, p_PID, uintptr(pid), uintptr(unsafe.Pointer(&info[0])), syscall.WEXITED|syscall.WNOWAIT, 0, 0)
		if errno != syscall.EINTR {
			return
		}
	}
}

// Linux constants the syscall package does not name.
const (
	p_PID                  = 1  // waitid's idtype for one process
	pr_SET_CHILD_SUBREAPER = 36 // prctl(2)
)

func prctl(option, arg uintptr) error {
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, option, arg, 0); errno != 0 {
		return errno
	}
	return nil
}

// ProcStat is what /proc/PID/stat says of a process, as far as the suite
// needs it.
type ProcStat struct {
	Comm      string // the executable's name, at most 15 bytes
	State     byte   // R, S, D, Z (zombie), …
	PPid      int    // the parent
	PGid      int    // the process group
	Session   int    // the session
	StartTime uint64 // in clock ticks since boot: with the pid, names the process uniquely
}

// ReadProcStat reads /proc/PID/stat; ok is false when there is no such
// process.
func ReadProcStat(pid int) (st ProcStat, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ProcStat{}, false
	}
	// "pid (comm) state ppid pgrp session tty_nr tpgid flags minflt
	// cminflt majflt cmajflt utime stime cutime cstime priority nice
	// num_threads itrealvalue starttime …" (proc(5)); comm may hold spaces
	// and parentheses, so the fields start after the last ')'.
	s := string(b)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return ProcStat{}, false
	}
	f := strings.Fields(s[end+1:])
	if len(f) < 20 || len(f[0]) != 1 {
		return ProcStat{}, false
	}
	st.Comm, st.State = s[open+1:end], f[0][0]
	st.PPid, _ = strconv.Atoi(f[1])
	st.PGid, _ = strconv.Atoi(f[2])
	st.Session, _ = strconv.Atoi(f[3])
	st.StartTime, _ = strconv.ParseUint(f[19], 10, 64)
	return st, true
}
