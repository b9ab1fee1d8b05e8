package reload_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/corskit/cors/cmd/corsgate/internal/reload"
)

type call struct {
	data    string
	err     bool
	trigger string
}

func start(t *testing.T, path, initial string) (chan call, chan os.Signal) {
	t.Helper()
	calls := make(chan call, 16)
	hup := make(chan os.Signal, 1)
	w := &reload.Watcher{Path: path, Debounce: 50 * time.Millisecond, Initial: []byte(initial), Log: slog.New(slog.DiscardHandler),
		Load: func(data []byte, err error, trigger string) { calls <- call{string(data), err != nil, trigger} }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx, hup); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	// Run watches the directory before it serves SIGHUP: once a signal is
	// served, the watch is in place (no guess of how long that takes).
	hup <- os.Interrupt
	expect(t, calls, call{initial, false, reload.Signal})
	return calls, hup
}

func expect(t *testing.T, calls chan call, want call) {
	t.Helper()
	select {
	case got := <-calls:
		if got != want {
			t.Errorf("Load(%q, err=%v, %q), want Load(%q, err=%v, %q)", got.data, got.err, got.trigger, want.data, want.err, want.trigger)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("no Load, want %+v", want)
	}
}

func expectNone(t *testing.T, calls chan call) {
	t.Helper()
	select {
	case got := <-calls:
		t.Errorf("unexpected Load(%q, %q)", got.data, got.trigger)
	case <-time.After(400 * time.Millisecond):
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWriteInPlace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "corsgate.json")
	write(t, path, "v1")
	calls, _ := start(t, path, "v1")
	write(t, path, "v2")
	expect(t, calls, call{"v2", false, reload.FileChange})
	// The same bytes again: nothing to load.
	write(t, path, "v2")
	expectNone(t, calls)
	// Another file in the directory changes: the config did not.
	write(t, filepath.Join(dir, "other"), "x")
	expectNone(t, calls)
}

// TestRenameOverFile: how editors save.
func TestRenameOverFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "corsgate.json")
	write(t, path, "v1")
	calls, _ := start(t, path, "v1")
	tmp := filepath.Join(dir, ".corsgate.json.swp")
	write(t, tmp, "v2")
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	expect(t, calls, call{"v2", false, reload.FileChange})
}

// TestSymlinkSwap: how Kubernetes updates a mounted ConfigMap. The file is
// a symlink through ..data, which is replaced atomically; the file itself
// sees no event.
func TestSymlinkSwap(t *testing.T) {
	dir := t.TempDir()
	mk := func(name, data string) {
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, name, "corsgate.json"), data)
	}
	mk("..v1", "v1")
	if err := os.Symlink("..v1", filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "corsgate.json")
	if err := os.Symlink("..data/corsgate.json", path); err != nil {
		t.Fatal(err)
	}
	calls, _ := start(t, path, "v1")
	mk("..v2", "v2")
	if err := os.Symlink("..v2", filepath.Join(dir, "..data_tmp")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(dir, "..v1"))
	expect(t, calls, call{"v2", false, reload.FileChange})
}

// TestSIGHUP: a signal always loads, even unchanged bytes, and reports a
// file that cannot be read.
func TestSIGHUP(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "corsgate.json")
	write(t, path, "v1")
	calls, hup := start(t, path, "v1")
	hup <- os.Interrupt
	expect(t, calls, call{"v1", false, reload.Signal})
	os.Remove(path)
	expectNone(t, calls) // a removal alone waits for the file to come back
	hup <- os.Interrupt
	expect(t, calls, call{"", true, reload.Signal})
}

// TestOtherFilesIgnored: writes to another file in the directory, every
// few milliseconds (an access log next to the configuration), neither
// load anything nor put off the load of a change to the configuration.
// (Before, each of them restarted the quiet period, so the change was
// never loaded while they went on.)
func TestOtherFilesIgnored(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "corsgate.json")
	write(t, path, "v1")
	calls, _ := start(t, path, "v1")
	logFile, err := os.Create(filepath.Join(dir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	stop := make(chan struct{})
	var once sync.Once
	halt := func() { once.Do(func() { close(stop) }) }
	t.Cleanup(halt) // however the test ends
	written := make(chan int, 1)
	go func() {
		n := 0
		defer func() { written <- n }()
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
				logFile.Write([]byte("record\n"))
				n++
			}
		}
	}()
	write(t, path, "v2")
	expect(t, calls, call{"v2", false, reload.FileChange})
	halt()
	if n := <-written; n == 0 {
		t.Fatal("nothing was written to the other file: the test proved nothing")
	}
	expectNone(t, calls)
}
