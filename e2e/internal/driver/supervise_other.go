//go:build unix && !linux

package driver

import (
	"errors"
	"os"
	"os/exec"
	"sync"
	"syscall"
)

// Elsewhere than Linux there is neither a parent-death signal nor a child
// subreaper: a program runs in a process group of its own, which Kill
// kills, and a test process that ends without its cleanup leaves it behind.
// The suite runs on Linux (see supervise_linux.go).

// A Group is a program started in a process group of its own.
type Group struct {
	cmd    *exec.Cmd
	dir    string
	mu     sync.Mutex
	killed bool
}

// Supervise makes cmd start its program in a process group of its own;
// dir is the program's temporary directory, which the caller removes.
func Supervise(cmd *exec.Cmd, dir string) (*Group, error) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	g := &Group{cmd: cmd, dir: dir}
	if cmd.Cancel != nil {
		cmd.Cancel = func() error { g.Kill(); return nil }
	}
	return g, nil
}

// Dir returns dir as Supervise got it.
func (g *Group) Dir() string { return g.dir }

// Supervisor returns 0: there is no supervisor.
func (g *Group) Supervisor() int { return 0 }

// Leader returns the program's process id, which is its group's id.
func (g *Group) Leader() (int, error) {
	if g.cmd.Process == nil {
		return 0, errors.New("driver: not started")
	}
	return g.cmd.Process.Pid, nil
}

// program is the program, for signals.
func (g *Group) program() (*os.Process, error) {
	if g.cmd.Process == nil {
		return nil, errors.New("driver: not started")
	}
	return g.cmd.Process, nil
}

// Kill kills the program's process group.
func (g *Group) Kill() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if pid, err := g.Leader(); err == nil && !g.killed {
		g.killed = true
		syscall.Kill(-pid, syscall.SIGKILL)
	}
}
