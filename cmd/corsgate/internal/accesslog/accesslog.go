// Package accesslog writes log records off the request path: a Writer
// takes each record (one Write call per record, as log/slog's handlers
// make) into a bounded buffer, and one goroutine writes what has
// accumulated with a single write(2). A request pays for a copy under a
// mutex, not for a system call (at 1,000 requests/s, one write per 10
// records instead of one per record).
//
// A batch goes out when a record finds it FlushInterval old or FlushSize
// bytes long: the process is awake then anyway, serving that record's
// request. Only when no record comes does a timer send the batch, MaxDelay
// after the first record. A timer per batch would wake an idle process
// once per batch, and each such wake-up costs the Go runtime several
// thread switches (the poller's thread, a spinning M, sysmon leaving its
// deep sleep): measured at 1,000 preflights/s, +0.54 voluntary context
// switches per request with a FlushInterval timer, +0.03 now. If the
// process is killed (SIGKILL, an OOM kill), at most the records of the
// last MaxDelay are lost; Close, called on every exit corsgate makes,
// writes everything queued.
//
// When the output cannot keep up (a slow disk, a pipe nobody reads) and
// the buffer is full, Write waits for room: requests slow down, no record
// is dropped. A Writer never reorders records.
package accesslog

import (
	"io"
	"sync"
	"time"
)

// DefaultLimit is the buffer a Writer holds before Write waits: about
// 4,000 records of 250 bytes.
const DefaultLimit = 1 << 20

const (
	// FlushInterval is how old a batch must be for the next record to
	// send it out.
	FlushInterval = 10 * time.Millisecond
	// MaxDelay is how long the first record of a batch waits when no
	// other record comes to send it out.
	MaxDelay = 100 * time.Millisecond
	// FlushSize is how much makes a batch go out at once.
	FlushSize = 64 << 10
)

// A Writer is an asynchronous, bounded io.Writer. It is safe for
// concurrent use.
type Writer struct {
	out   io.Writer
	limit int

	mu     sync.Mutex
	queued []byte        // records not yet handed to out
	spare  []byte        // the buffer out wrote last, for reuse
	room   *sync.Cond    // signalled when queued is handed over
	wake   chan struct{} // a full or old batch, or Close
	first  time.Time     // when the first record of the batch was queued
	// timer fires MaxDelay after it was armed by the first record of a
	// batch, if no record has sent the batch out by then; armed says it
	// is pending. It is not re-armed while pending: under steady traffic
	// it fires once per MaxDelay, not once per batch.
	timer *time.Timer
	armed bool
	// now and maxDelay are time.Now and MaxDelay (tests set others).
	now      func() time.Time
	maxDelay time.Duration
	closed   bool
	done     chan struct{}
	err      error // the first error out returned
	waiting  int   // Write calls waiting for room (for tests)
}

// New returns a Writer that writes to out, holding at most limit bytes
// (DefaultLimit if limit ≤ 0) before Write waits.
func New(out io.Writer, limit int) *Writer {
	if limit <= 0 {
		limit = DefaultLimit
	}
	w := &Writer{out: out, limit: limit, wake: make(chan struct{}, 1), done: make(chan struct{}), timer: time.NewTimer(time.Hour),
		now: time.Now, maxDelay: MaxDelay}
	w.timer.Stop()
	w.room = sync.NewCond(&w.mu)
	go w.run()
	return w
}

// Write queues a copy of p. It returns len(p), nil, or the first error the
// output returned.
func (w *Writer) Write(p []byte) (int, error) {
	now := w.now()
	w.mu.Lock()
	for len(w.queued) > 0 && len(w.queued)+len(p) > w.limit && !w.closed {
		w.waiting++
		w.room.Wait()
		w.waiting--
	}
	if w.closed {
		// After Close: synchronously, once the writer has written
		// everything queued before (it may still be writing), so that
		// records stay in order and out never has two writers at once.
		w.mu.Unlock()
		<-w.done
		return w.out.Write(p)
	}
	if len(w.queued) == 0 {
		w.first = now
		if !w.armed {
			// In case no later record comes. (Under the lock, so that
			// armed is true exactly while a Reset is pending.)
			w.armed = true
			w.timer.Reset(w.maxDelay)
		}
	}
	w.queued = append(w.queued, p...)
	due := len(w.queued) >= FlushSize || now.Sub(w.first) >= FlushInterval
	err := w.err
	w.mu.Unlock()
	if due {
		// A full or old batch goes out now.
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

func (w *Writer) run() {
	defer close(w.done)
	defer w.timer.Stop()
	for {
		w.mu.Lock()
		if !w.closed {
			// Until a record finds the batch full or old, the timer
			// fires, or the Writer closes. A timer that fires after its
			// batch went out takes the next batch early: harmless.
			w.mu.Unlock()
			select {
			case <-w.timer.C:
				w.mu.Lock()
				w.armed = false
			case <-w.wake:
				w.mu.Lock()
			}
		}
		if len(w.queued) == 0 {
			closed := w.closed
			w.mu.Unlock()
			if closed {
				return
			}
			continue
		}
		batch := w.queued
		w.queued = w.spare[:0]
		w.room.Broadcast()
		w.mu.Unlock()

		_, err := w.out.Write(batch)

		w.mu.Lock()
		if err != nil && w.err == nil {
			w.err = err
		}
		w.spare = batch
		w.mu.Unlock()
	}
}

// Close writes every queued record and stops the Writer; later Writes go
// straight to the output.
func (w *Writer) Close() error {
	w.mu.Lock()
	w.closed = true
	w.room.Broadcast()
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}
