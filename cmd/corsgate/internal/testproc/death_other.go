//go:build !linux

package testproc

import "syscall"

// setDeathSignal does nothing: only Linux has parent-death signals. The
// process group still lets cleanup functions stop the whole program.
func setDeathSignal(*syscall.SysProcAttr, syscall.Signal) {}
