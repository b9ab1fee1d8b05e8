package accesslog

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// gated is an output whose Write waits until the test opens the gate,
// and counts its calls.
type gated struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	calls int
	gate  chan struct{}
}

func (g *gated) Write(p []byte) (int, error) {
	<-g.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls++
	return g.buf.Write(p)
}

// TestOrderAndClose: every record comes out, in order, by the end of
// Close, from concurrent writers; and fewer writes than records reach the
// output when records arrive while it is busy.
func TestOrderAndClose(t *testing.T) {
	out := &gated{gate: make(chan struct{})}
	w := New(out, 1<<20)
	const n = 2000
	for i := range n {
		fmt.Fprintf(w, "record %d\n", i)
		if i == 0 {
			close(out.gate) // the first write was waiting: the others queue behind it
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.buf.String(), "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("%d records written, want %d", len(lines), n)
	}
	for i, l := range lines {
		if l != fmt.Sprintf("record %d", i) {
			t.Fatalf("line %d is %q", i, l)
		}
	}
	if out.calls >= n {
		t.Errorf("%d writes for %d records: no batching", out.calls, n)
	}
	// After Close, Write still works, synchronously.
	fmt.Fprintf(w, "late\n")
	if !strings.HasSuffix(out.buf.String(), "late\n") {
		t.Error("a Write after Close was lost")
	}
}

// TestFullBufferWaits: with the output stuck and the buffer full, Write
// waits instead of dropping, and resumes when the output drains.
func TestFullBufferWaits(t *testing.T) {
	out := &gated{gate: make(chan struct{})}
	w := New(out, 64)
	rec := []byte(strings.Repeat("x", 39) + "\n") // 40 bytes
	w.Write(rec)                                  // handed to the stuck output
	for {                                         // wait until the writer holds it, so the buffer is empty again
		w.mu.Lock()
		empty := len(w.queued) == 0
		w.mu.Unlock()
		if empty {
			break
		}
	}
	w.Write(rec) // queued: 40 of 64 bytes
	done := make(chan struct{})
	go func() { w.Write(rec); close(done) }() // 80 > 64: must wait
	for {
		w.mu.Lock()
		waiting := w.waiting
		w.mu.Unlock()
		if waiting == 1 {
			break
		}
	}
	select {
	case <-done:
		t.Fatal("Write returned with the buffer full")
	default:
	}
	close(out.gate)
	<-done
	w.Close()
	if got := out.buf.Len(); got != 3*len(rec) {
		t.Errorf("%d bytes written, want %d", got, 3*len(rec))
	}
}

type failing struct{}

func (failing) Write(p []byte) (int, error) { return 0, errors.New("disk full") }

func TestErrorReported(t *testing.T) {
	w := New(failing{}, 0)
	w.Write([]byte("a\n"))
	if err := w.Close(); err == nil || err.Error() != "disk full" {
		t.Errorf("Close: %v", err)
	}
}

// TestFlushedByTimer: a batch that neither fills up nor is closed reaches
// the output by itself (the timer armed by its first record), and so does
// the next one.
func TestFlushedByTimer(t *testing.T) {
	out := &gated{gate: make(chan struct{})}
	close(out.gate)
	w := New(out, 0)
	defer w.Close()
	for batch := 1; batch <= 2; batch++ {
		w.Write([]byte("a\n"))
		w.Write([]byte("b\n"))
		want := strings.Repeat("a\nb\n", batch)
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
			out.mu.Lock()
			got := out.buf.String()
			out.mu.Unlock()
			if got == want {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("batch %d: %q written without Close, want %q", batch, got, want)
			}
		}
	}
}

// entered is an output that notes the order in which writes begin, and
// holds each until the test opens the gate.
type entered struct {
	mu    sync.Mutex
	order []string
	began chan struct{}
	gate  chan struct{}
}

func (e *entered) Write(p []byte) (int, error) {
	e.mu.Lock()
	e.order = append(e.order, string(p))
	e.mu.Unlock()
	e.began <- struct{}{}
	<-e.gate
	return len(p), nil
}

// TestWriteDuringClose: a record written while Close is draining the
// queue comes out after the records queued before it, and out is never
// written by two goroutines at once. (Before, it was written at once,
// beside the writer: "a", "c", "b".)
func TestWriteDuringClose(t *testing.T) {
	out := &entered{began: make(chan struct{}, 3), gate: make(chan struct{})}
	w := New(out, 0)
	w.Write([]byte("a"))
	<-out.began // the writer is in out.Write("a"), held
	w.Write([]byte("b"))
	closed := make(chan error)
	go func() { closed <- w.Close() }()
	for {
		w.mu.Lock()
		c := w.closed
		w.mu.Unlock()
		if c {
			break
		}
		time.Sleep(time.Millisecond)
	}
	late := make(chan struct{})
	go func() { w.Write([]byte("c")); close(late) }()
	// Give a wrong Write time to reach out before the gate opens; a
	// right one waits for the writer whatever the time.
	time.Sleep(50 * time.Millisecond)
	close(out.gate)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	<-late
	out.mu.Lock()
	defer out.mu.Unlock()
	if got := strings.Join(out.order, ""); got != "abc" {
		t.Errorf("records began in the order %q, want \"abc\"", got)
	}
}

// TestOldBatchSentByARecord: a record that finds the batch FlushInterval
// old sends it out, with no timer: the timer is an hour away here and the
// clock is the test's, so only that record can have sent it.
func TestOldBatchSentByARecord(t *testing.T) {
	out := &gated{gate: make(chan struct{})}
	close(out.gate)
	w := New(out, 0)
	defer w.Close()
	var mu sync.Mutex
	clock := time.Unix(0, 0)
	w.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	w.maxDelay = time.Hour
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }

	w.Write([]byte("a\n"))
	advance(FlushInterval / 2)
	w.Write([]byte("b\n"))
	advance(FlushInterval / 2)
	w.Write([]byte("c\n")) // the batch is FlushInterval old: out it goes
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		out.mu.Lock()
		got := out.buf.String()
		out.mu.Unlock()
		if got == "a\nb\nc\n" {
			break
		}
		if got != "" || time.Now().After(deadline) {
			t.Fatalf("output %q, want the three records in one batch", got)
		}
	}
	out.mu.Lock()
	calls := out.calls
	out.mu.Unlock()
	if calls != 1 {
		t.Errorf("%d writes, want 1 batch", calls)
	}
}
