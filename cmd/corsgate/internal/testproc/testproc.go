// Package testproc starts the programs corsgate's tests run beside
// themselves (nginx, corsgate itself, Caddy, the benchmark's floors) so
// that each dies with the test process however that ends: a failed test,
// a panic, go test's -timeout (which panics in another goroutine, so that
// no cleanup function runs) or SIGKILL.
//
// Cleanup functions cover only the first two. So each program also gets a
// parent-death signal (Linux's PR_SET_PDEATHSIG, through
// syscall.SysProcAttr.Pdeathsig), which the kernel sends when the test
// process ends. The signal is tied to the thread that forked the program,
// not to the process (go.dev/issue/27505), and Go ends a thread when a
// goroutine locked to it returns; Start therefore forks from a goroutine
// that locks its thread and keeps it until the program has been reaped.
//
// Each program also leads a process group of its own, so that Stop
// reaches the processes it forks (nginx's workers) and nothing else. A
// program with children must take them down itself when it gets its
// parent-death signal: nginx's master does on SIGTERM (its fast shutdown
// stops the workers first), so nginxtest starts it with SIGTERM, and the
// programs without children get SIGKILL. TestProcessesDieWithTheTest, in
// package main, proves it for every program the tests start.
//
// This is the approach of the real-browser suite's driver (e2e), without
// its supervisor process: a browser's helpers are its grandchildren and
// outlive a signal sent to it alone, nginx's workers do not.
package testproc

import (
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

// A Process is a running program started by Start.
type Process struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// Start starts cmd in a process group of its own, with death as the signal
// the kernel sends it when the test process ends (on systems without
// parent-death signals, only the process group is set). cmd must not have
// been started.
func Start(cmd *exec.Cmd, death syscall.Signal) (*Process, error) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	setDeathSignal(cmd.SysProcAttr, death)
	p := &Process{cmd: cmd, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		// Never unlocked: the thread ends with this goroutine, once the
		// program has been reaped and its death signal means nothing.
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
		return nil, err
	}
	return p, nil
}

// Pid returns the program's process id, which is also its group's.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Done is closed when the program has exited and been reaped.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err returns what exec.Cmd.Wait returned; call it after Done is closed.
func (p *Process) Err() error { return p.err }

// ExitCode returns the program's exit code, -1 if a signal ended it; call
// it after Done is closed.
func (p *Process) ExitCode() int { return p.cmd.ProcessState.ExitCode() }

// Signal sends sig to the program alone, unless it has been reaped.
func (p *Process) Signal(sig syscall.Signal) error {
	select {
	case <-p.done:
		return nil
	default:
		return p.cmd.Process.Signal(sig)
	}
}

// Stop sends sig to the program's process group, waits up to grace for
// the program to exit, then kills the group, and returns once the program
// has been reaped. Stopping a stopped program does nothing.
func (p *Process) Stop(sig syscall.Signal, grace time.Duration) {
	select {
	case <-p.done:
		return
	default:
	}
	// The program is not reaped yet, so its pid, the group's id, is still
	// its own.
	syscall.Kill(-p.Pid(), sig)
	select {
	case <-p.done:
	case <-time.After(grace):
		syscall.Kill(-p.Pid(), syscall.SIGKILL)
		<-p.done
	}
}
