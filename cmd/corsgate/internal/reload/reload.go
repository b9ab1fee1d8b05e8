// Package reload re-reads corsgate's configuration file when it is asked to
// (SIGHUP) and when the file changes.
//
// Changes are found by watching the file's directory, not the file: editors
// save by writing a new file and renaming it over the old one, and
// Kubernetes updates a mounted ConfigMap by swapping a symlink (..data) in
// that directory; a watch on the file itself would see neither. Any event in
// the directory starts a short quiet period (Debounce); after it the file
// is read, and if its bytes differ from those last tried it is loaded. A
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
			load(Signal, true)
		case _, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			timer.Reset(debounce)
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			log.Error("watching the configuration", "error", err)
		case <-timer.C:
			load(FileChange, false)
		}
	}
}
