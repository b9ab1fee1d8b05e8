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
// that Close kills by its id and reaps. Every wait is bounded.
package driver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
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

// process is a browser process started in a process group of its own, so
// that kill reaches the helper processes it forks (Firefox's content
// processes, WebKit's web and network processes) and nothing else.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has been reaped
	err  error         // cmd.Wait's error, once done is closed
}

// startProcess starts cmd in a new process group and reaps it in the
// background.
func startProcess(cmd *exec.Cmd) (*process, error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// stop waits up to grace for the process to exit by itself (the caller has
// asked it to), then kills its process group by id, and waits until the
// process has been reaped.
func (p *process) stop(grace time.Duration) {
	select {
	case <-p.done:
	case <-time.After(grace):
	}
	// The group outlives its leader when a helper is still running: kill it
	// whether or not the leader has gone.
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
	}
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
