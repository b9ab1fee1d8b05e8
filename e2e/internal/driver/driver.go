// Package driver starts the real browsers of corskit's e2e suite and drives
// pages in them: open a URL in a fresh page, run an async script and read its
// JSON result, and read what the page wrote to the console.
//
// Two engines live here:
//
//   - Firefox (StartFirefox): firefox-esr's own WebDriver BiDi server, no
//     geckodriver. Console lines arrive as log.entryAdded events.
//   - WebKitGTK (StartWebKit): webkit.py, a small automation browser of our
//     own on the WebKit GObject API, run under an Xvfb of our own. WebKit's
//     WebDriver (WebKitWebDriver + MiniBrowser --automation) cannot report
//     console lines, and the CORS line is half of what the suite checks, so
//     the suite does not use it.
//
// Chromium is driven by chromedp in the e2e package itself; the Page
// interface is what the three have in common.
//
// Every browser runs headless (or under Xvfb) with a fresh profile in a
// temporary directory and no network services, in a process group of its own
// under a supervisor that kills the group, and every process that left it,
// when Close asks or when the test process ends, however it ends (see
// supervise_linux.go). Every wait is bounded.
package driver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// A Browser is one running browser.
type Browser interface {
	// NewPage opens a fresh page (a tab, or a web view) at about:blank.
	NewPage(ctx context.Context) (Page, error)
	// Close stops the browser and every process it started, and removes its
	// profile. It is safe to call more than once.
	Close() error
	// Groups returns the programs the browser runs as (the browser, and an
	// X server of its own), each leading a process group: what must be gone
	// once the test process is.
	Groups() []*Group
}

// A Page is one tab.
type Page interface {
	// Navigate loads url and returns when the load has completed.
	Navigate(ctx context.Context, url string) error
	// Eval runs body as the body of an async JavaScript function in the
	// page's top document and returns its result as JSON. body must return a
	// value JSON.stringify accepts; a thrown exception is an error.
	Eval(ctx context.Context, body string) (json.RawMessage, error)
	// Console is what the page (and its frames) wrote to the console since
	// the page was opened.
	Console() *Console
	// Close closes the page.
	Close() error
}

// A Line is one console message.
type Line struct {
	// Level is "error", "warn", "info", "log" or "debug".
	Level string
	// Source is the engine's category: for Firefox the BiDi entry type
	// ("javascript" for engine messages such as CORS errors, "console" for
	// console.* calls), for WebKit the source WebKit prints ("SECURITY",
	// "JS", "CONSOLE"/"LOG" for console.* calls, "NETWORK").
	Source string
	// Text is the message.
	Text string
}

// A Console collects a page's console lines as they arrive.
type Console struct {
	mu      sync.Mutex
	lines   []Line
	changed chan struct{} // closed and replaced on every new line
}

// NewConsole returns an empty Console.
func NewConsole() *Console { return &Console{changed: make(chan struct{})} }

// Add records l.
func (c *Console) Add(l Line) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines = append(c.lines, l)
	close(c.changed)
	c.changed = make(chan struct{})
}

// Lines returns a copy of the lines so far.
func (c *Console) Lines() []Line {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Line(nil), c.lines...)
}

// Wait returns the lines as soon as done reports true for them, or, when ctx
// ends first, the lines so far and ctx's error.
func (c *Console) Wait(ctx context.Context, done func([]Line) bool) ([]Line, error) {
	for {
		c.mu.Lock()
		lines, ch := append([]Line(nil), c.lines...), c.changed
		c.mu.Unlock()
		if done(lines) {
			return lines, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return lines, ctx.Err()
		}
	}
}

// process is a program the driver started under a supervisor (see
// Supervise), in a process group of its own: stopping it, or the end of
// the test process however it comes, kills the helper processes it forks
// (Firefox's content processes, WebKit's web and network processes) and
// nothing else.
type process struct {
	cmd   *exec.Cmd     // the supervisor
	group *Group        // the program
	done  chan struct{} // closed when the supervisor has been reaped: the program and all it started are gone
	err   error         // the supervisor's exit: the program's status, once done is closed
}

// startProcess starts cmd under a supervisor and reaps it in the
// background; the supervisor removes dir, if not "", once the program is
// gone (see Supervise).
func startProcess(cmd *exec.Cmd, dir string) (*process, error) {
	g, err := Supervise(cmd, dir)
	if err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, group: g, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		// The supervisor's parent-death signal is tied to the thread that
		// forks it: this goroutine keeps its thread until the supervisor
		// has been reaped, and the thread ends with it (go.dev/issue/27505).
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		p.err = cmd.Wait()
		close(p.done)
	}()
	if err := <-started; err != nil {
		g.Kill()
		return nil, err
	}
	if _, err := g.Leader(); err != nil {
		p.stop(0)
		return nil, err
	}
	return p, nil
}

// stop waits up to grace for the program to exit by itself (the caller has
// asked it to), then has its supervisor kill its process group and every
// process that left it, and waits until the supervisor has been reaped.
func (p *process) stop(grace time.Duration) {
	select {
	case <-p.done:
	case <-time.After(grace):
	}
	p.group.Kill()
	select {
	case <-p.done:
		return
	case <-time.After(10 * time.Second):
	}
	// The supervisor does not end (a process it waits for cannot die):
	// kill the group and the supervisor here, and give up after as long.
	// The group's id is its leader's pid: only while the leader lives
	// (asked through its pidfd) is that id sure to be our group's.
	if prog, err := p.group.program(); err == nil && prog.Signal(syscall.Signal(0)) == nil {
		_ = syscall.Kill(-prog.Pid, syscall.SIGKILL)
	}
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
	}
}

// signal sends sig to the program.
func (p *process) signal(sig syscall.Signal) error { return p.group.Signal(sig) }

// Signal sends sig to the program (not to its group), unless the group has
// been killed or the program has ended (os.ErrProcessDone): never to a
// process that took its pid since.
func (g *Group) Signal(sig syscall.Signal) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.killed {
		return errClosed
	}
	prog, err := g.program()
	if err != nil {
		return err
	}
	return prog.Signal(sig)
}

// exited reports whether the process has ended, and how.
func (p *process) exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// errClosed is returned by a page or browser used after Close.
var errClosed = errors.New("driver: browser closed")

// removeAllLater removes dir, retrying for a while: a helper process that
// was just killed may still be writing into its profile.
func removeAllLater(dir string) error {
	var err error
	for range 20 {
		if err = os.RemoveAll(dir); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("removing %s: %w", dir, err)
}
