// Package reload re-reads corsgate's configuration file when it is asked to
// (SIGHUP) and when the file changes.
//
// Changes are found by watching the file's directory, not the file: editors
// save by writing a new file and renaming it over the old one, and
// Kubernetes updates a mounted ConfigMap by swapping a symlink (..data) in
// that directory; a watch on the file itself would see neither. An event
// for the file's own name, or for a name starting with ".." (Kubernetes'
// ..data and its timestamped directories), starts a short wait (Debounce);
// after it the file is read, and if its bytes differ from those last tried
// it is loaded. Events for other files in the directory (an access log
// written next to the configuration) are ignored, and later events do not
// extend the wait: a stream of events cannot put a reload off for ever. A
// SIGHUP always loads. A file caught half-written fails to parse, is
// refused like any invalid file, and the write's next event loads it whole.
package reload

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Triggers.
const (
	Signal     = "SIGHUP"
	FileChange = "file change"
)

// Watcher calls Load when the file at Path should be re-read.
type Watcher struct {
	Path string
	// Debounce is the quiet period after a directory event; default 200ms.
	Debounce time.Duration
	// Load applies the file: data are the bytes read, or err says why it
	// could not be read.
	Load func(data []byte, err error, trigger string)
	// Log receives errors of the watch itself.
	Log *slog.Logger
	// Initial are the bytes of the configuration already in force.
	Initial []byte
}

// Run watches until ctx is done. hup delivers SIGHUP. If the directory
// cannot be watched, Run logs it and goes on serving SIGHUP alone.
func (w *Watcher) Run(ctx context.Context, hup <-chan os.Signal) {
	log := w.Log
	if log == nil {
		log = slog.Default()
	}
	debounce := w.Debounce
	if debounce <= 0 {
		debounce = 200 * time.Millisecond
	}
	last := w.Initial
	var events <-chan fsnotify.Event
	var errs <-chan error
	fw, err := fsnotify.NewWatcher()
	if err == nil {
		if err = fw.Add(filepath.Dir(w.Path)); err != nil {
			fw.Close()
		}
	}
	if err != nil {
		log.Error("cannot watch the configuration's directory; reloading on SIGHUP only", "dir", filepath.Dir(w.Path), "error", err)
	} else {
		defer fw.Close()
		events, errs = fw.Events, fw.Errors
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	pending := false // timer is armed
	name := filepath.Base(w.Path)
	load := func(trigger string, force bool) {
		data, err := os.ReadFile(w.Path)
		if err != nil && !force && errors.Is(err, os.ErrNotExist) {
			return // between a remove and a create; the create comes next
		}
		if err == nil && !force && bytes.Equal(data, last) {
			return
		}
		last = data
		w.Load(data, err, trigger)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			timer.Stop()
			pending = false
			load(Signal, true)
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			if !pending && concerns(ev.Name, name) {
				pending = true
				timer.Reset(debounce)
			}
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			log.Error("watching the configuration", "error", err)
		case <-timer.C:
			pending = false
			load(FileChange, false)
		}
	}
}

// concerns reports whether an event for path, in the configuration's
// directory, can change what the configuration file named name reads:
// an event for the file itself (a write, or a new file renamed over it),
// or for a name starting with "..", which Kubernetes uses for the
// directories a mounted ConfigMap's files point into and the ..data
// symlink it swaps.
func concerns(path, name string) bool {
	base := filepath.Base(path)
	return base == name || strings.HasPrefix(base, "..")
}
