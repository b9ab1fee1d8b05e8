package driver

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Xvfb is a virtual X display of our own, for WebKitGTK, which needs one
// even when nothing is shown.
type Xvfb struct {
	// Display is the value for $DISPLAY, e.g. ":5".
	Display string
	proc    *process
}

// StartXvfb starts Xvfb on a free display number, chosen by Xvfb itself
// (-displayfd), so that it never takes a display another program uses, and
// waits up to timeout for it to accept clients.
func StartXvfb(path string, timeout time.Duration) (*Xvfb, error) {
	return startXvfb(path, timeout, "")
}

// startXvfb is StartXvfb; dir, if not "", is a temporary directory to
// remove once Xvfb is gone (see Supervise): WebKit gives it the pool's,
// Xvfb being the pool's first program and its last.
func startXvfb(path string, timeout time.Duration, dir string) (*Xvfb, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	// Xvfb writes the display number to fd 3 once it is ready for clients.
	cmd := exec.Command(path, "-displayfd", "3", "-nolisten", "tcp", "-screen", "0", "1280x1024x24", "-noreset")
	cmd.ExtraFiles = []*os.File{w}
	proc, err := startProcess(cmd, dir)
	w.Close()
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", path, err)
	}
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if n == "" {
			proc.stop(0)
			return nil, fmt.Errorf("%s exited without a display: %v", path, proc.err)
		}
		return &Xvfb{Display: ":" + n, proc: proc}, nil
	case <-time.After(timeout):
		proc.stop(0)
		return nil, fmt.Errorf("%s: no display within %v", path, timeout)
	}
}

// Close stops the X server.
func (x *Xvfb) Close() error {
	_ = x.proc.signal(syscall.SIGINT)
	x.proc.stop(3 * time.Second)
	return nil
}
