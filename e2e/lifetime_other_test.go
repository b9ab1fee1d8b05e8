//go:build !linux

package e2e

// TestBrowsersDieWithTheTest and its launcher run on Linux only
// (lifetime_linux_test.go), where the driver supervises every browser.

func launcherMode() bool { return false }

func launchAndReport() {}
