package driver

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

//go:embed webkit.py
var webkitPy []byte

// WebKitOptions configures StartWebKit.
type WebKitOptions struct {
	// Python is a python3 that has the gi module and WebKit2 4.1 typelib
	// (Debian: python3-gi, gir1.2-webkit2-4.1); "" means /usr/bin/python3.
	Python string
	// Xvfb is the Xvfb executable; "" means Xvfb on $PATH.
	Xvfb string
	// Browsers is how many WebKit browsers run side by side; each shows one
	// page at a time (see webkit.py). 0 means 1.
	Browsers int
	// StartTimeout bounds the launch of Xvfb and of each browser.
	StartTimeout time.Duration
	// Stderr receives the browsers' other output, for diagnostics; nil
	// discards it.
	Stderr io.Writer
}

// WebKit is a pool of corskit-webkit browsers (webkit.py) on one Xvfb, all
// requests going through a LoopbackProxy.
//
// WebKit prints console lines without saying which page they come from, so
// each browser shows one page at a time: NewPage waits for a free browser.
// A browser that dies (the UI process crashed or was killed) or stops
// answering is replaced by a fresh one, so the pool keeps its size.
type WebKit struct {
	opts  WebKitOptions
	dir   string
	xvfb  *Xvfb
	proxy *LoopbackProxy

	free      chan *webkitBrowser // browsers with no page open
	mu        sync.Mutex
	all       []*webkitBrowser
	started   int   // browsers started so far, for their data directories
	replaced  int   // browsers replaced after they died or hung
	lastErr   error // why the last replacement failed
	exhausted bool  // no browser left: free is closed
	closed    bool
}

// StartWebKit starts Xvfb, the proxy and opts.Browsers browsers.
func StartWebKit(opts WebKitOptions) (_ *WebKit, err error) {
	if opts.Python == "" {
		opts.Python = "/usr/bin/python3"
	}
	if opts.Xvfb == "" {
		opts.Xvfb = "Xvfb"
	}
	if opts.Browsers <= 0 {
		opts.Browsers = 1
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 60 * time.Second
	}
	dir, err := os.MkdirTemp("", "corskit-e2e-webkit-")
	if err != nil {
		return nil, err
	}
	w := &WebKit{opts: opts, dir: dir, free: make(chan *webkitBrowser, opts.Browsers)}
	defer func() {
		if err != nil {
			w.Close()
		}
	}()
	if err := os.WriteFile(filepath.Join(dir, "webkit.py"), webkitPy, 0o644); err != nil {
		return nil, err
	}
	if w.xvfb, err = startXvfb(opts.Xvfb, opts.StartTimeout, dir); err != nil {
		return nil, err
	}
	if w.proxy, err = StartLoopbackProxy(); err != nil {
		return nil, err
	}
	// Start them one after the other: two cold WebKit starts at once on a
	// loaded two-core machine are what makes a start time out.
	for range opts.Browsers {
		b, err := w.startNext()
		if err != nil {
			return nil, err
		}
		w.free <- b
	}
	return w, nil
}

// startNext starts one more browser with a data directory of its own and
// adds it to w.all.
func (w *WebKit) startNext() (*webkitBrowser, error) {
	w.mu.Lock()
	n := w.started
	w.started++
	w.mu.Unlock()
	b, err := w.startBrowser(filepath.Join(w.dir, fmt.Sprintf("browser%d", n)))
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		go b.stop()
		return nil, errClosed
	}
	w.all = append(w.all, b)
	return b, nil
}

// replace stops b, which died or does not answer, and puts a fresh browser
// in the pool in its place. If the new one does not start, the pool is one
// browser short, and NewPage says why once no browser is left.
func (w *WebKit) replace(b *webkitBrowser) {
	b.stop()
	w.mu.Lock()
	w.all = slices.DeleteFunc(w.all, func(x *webkitBrowser) bool { return x == b })
	closed := w.closed
	w.mu.Unlock()
	if closed {
		return
	}
	nb, err := w.startNext()
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		w.lastErr = fmt.Errorf("replacing a WebKit browser that died: %w", err)
		if len(w.all) == 0 && !w.closed && !w.exhausted {
			close(w.free) // NewPage then reports lastErr at once
			w.exhausted = true
		}
		return
	}
	w.replaced++
	if !w.closed {
		w.free <- nb // never blocks: free holds every browser
	}
}

// Replaced reports how many browsers were replaced after they died or
// stopped answering.
func (w *WebKit) Replaced() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.replaced
}

// webkitBrowser is one webkit.py process.
type webkitBrowser struct {
	w        *WebKit
	proc     *process
	stdin    io.WriteCloser
	nextID   atomic.Int64
	mu       sync.Mutex
	pending  map[int64]chan webkitAnswer
	console  *Console // the open page's console; nil between pages
	lost     chan struct{}
	lostErr  error
	stopOnce sync.Once
}

type webkitAnswer struct {
	Ready bool    `json:"ready"`
	ID    *int64  `json:"id"`
	Value *string `json:"value"`
	Error string  `json:"error"`
}

func (w *WebKit) startBrowser(data string) (*webkitBrowser, error) {
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, err
	}
	ansR, ansW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(w.opts.Python, filepath.Join(w.dir, "webkit.py"), data, w.proxy.URL)
	cmd.ExtraFiles = []*os.File{ansW}
	cmd.Env = append(os.Environ(),
		"DISPLAY="+w.xvfb.Display,
		"GDK_BACKEND=x11",
		"WEBKIT_DISABLE_COMPOSITING_MODE=1",
		"NO_AT_BRIDGE=1",    // no accessibility bus
		"GIO_USE_VFS=local", // no gvfs daemons
		"XDG_DATA_HOME="+filepath.Join(data, "xdg-data"),
		"XDG_CACHE_HOME="+filepath.Join(data, "xdg-cache"),
		"XDG_CONFIG_HOME="+filepath.Join(data, "xdg-config"),
		"PYTHONDONTWRITEBYTECODE=1",
		"PYTHONWARNINGS=ignore",
	)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		ansR.Close()
		ansW.Close()
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		ansR.Close()
		ansW.Close()
		return nil, err
	}
	proc, err := startProcess(cmd, data)
	ansW.Close()
	if err != nil {
		ansR.Close()
		return nil, fmt.Errorf("starting %s webkit.py: %w", w.opts.Python, err)
	}
	b := &webkitBrowser{w: w, proc: proc, stdin: stdin, pending: map[int64]chan webkitAnswer{}, lost: make(chan struct{})}
	ready := make(chan struct{})
	go b.readAnswers(ansR, ready)
	go b.readConsole(stderr)
	select {
	case <-ready:
		return b, nil
	case <-b.lost:
		b.stop()
		return nil, fmt.Errorf("webkit.py ended before it was ready: %v (exit: %v)", b.lostErr, proc.err)
	case <-time.After(w.opts.StartTimeout):
		b.stop()
		return nil, fmt.Errorf("webkit.py not ready within %v", w.opts.StartTimeout)
	}
}

func (b *webkitBrowser) readAnswers(r io.ReadCloser, ready chan struct{}) {
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64<<20)
	readyOnce := sync.OnceFunc(func() { close(ready) })
	for sc.Scan() {
		var a webkitAnswer
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			continue
		}
		if a.Ready {
			readyOnce()
			continue
		}
		if a.ID == nil {
			continue
		}
		b.mu.Lock()
		ch := b.pending[*a.ID]
		b.mu.Unlock()
		if ch != nil {
			ch <- a
		}
	}
	b.mu.Lock()
	b.lostErr = sc.Err()
	if b.lostErr == nil {
		b.lostErr = errors.New("the browser closed its answers")
	}
	b.mu.Unlock()
	close(b.lost)
}

// readConsole turns WebKit's "CONSOLE <SOURCE> <LEVEL> <text>" lines into
// Lines of the open page and passes the rest to Stderr.
func (b *webkitBrowser) readConsole(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		l, ok := ParseWebKitConsole(line)
		if !ok {
			if b.w.opts.Stderr != nil {
				fmt.Fprintln(b.w.opts.Stderr, line)
			}
			continue
		}
		b.mu.Lock()
		c := b.console
		b.mu.Unlock()
		if c != nil {
			c.Add(l)
		}
	}
	io.Copy(io.Discard, r)
}

// webkitLevels are the levels WebKit prints (MessageLevel in WebCore's
// JavaScriptCore/runtime/ConsoleTypes.h, upper-cased).
var webkitLevels = map[string]string{"LOG": "log", "WARN": "warn", "ERROR": "error", "DEBUG": "debug", "INFO": "info"}

// ParseWebKitConsole parses one console line as WebKitGTK prints it with
// enable-write-console-messages-to-stdout: "CONSOLE <SOURCE> <LEVEL> <text>",
// where SOURCE is absent for console.* calls ("CONSOLE LOG hello").
func ParseWebKitConsole(line string) (Line, bool) {
	rest, ok := strings.CutPrefix(line, "CONSOLE ")
	if !ok {
		return Line{}, false
	}
	first, rest, _ := strings.Cut(rest, " ")
	if lv, ok := webkitLevels[first]; ok {
		return Line{Level: lv, Source: "CONSOLE", Text: rest}, true
	}
	second, text, _ := strings.Cut(rest, " ")
	lv, ok := webkitLevels[second]
	if !ok {
		return Line{}, false
	}
	return Line{Level: lv, Source: first, Text: text}, true
}

// command sends one command and waits for its answer.
func (b *webkitBrowser) command(ctx context.Context, cmd map[string]any) (webkitAnswer, error) {
	id := b.nextID.Add(1)
	cmd["id"] = id
	msg, err := json.Marshal(cmd)
	if err != nil {
		return webkitAnswer{}, err
	}
	ch := make(chan webkitAnswer, 1)
	b.mu.Lock()
	b.pending[id] = ch
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.pending, id)
		b.mu.Unlock()
	}()
	if _, err := b.stdin.Write(append(msg, '\n')); err != nil {
		return webkitAnswer{}, fmt.Errorf("webkit %s: %w", cmd["op"], err)
	}
	select {
	case a := <-ch:
		if a.Error != "" {
			return a, fmt.Errorf("webkit %s: %s", cmd["op"], a.Error)
		}
		return a, nil
	case <-b.lost:
		return webkitAnswer{}, fmt.Errorf("webkit %s: browser lost: %v", cmd["op"], b.lostErr)
	case <-ctx.Done():
		return webkitAnswer{}, fmt.Errorf("webkit %s: %w", cmd["op"], ctx.Err())
	}
}

// stop ends the browser and reaps it; it is safe to call more than once
// (the pool's Close and a replacement may both stop one).
func (b *webkitBrowser) stop() {
	b.stopOnce.Do(func() {
		b.stdin.Close() // end of input: webkit.py quits
		b.proc.stop(5 * time.Second)
	})
}

// NewPage waits for a browser with no page open and opens a fresh web view
// in it at about:blank.
func (w *WebKit) NewPage(ctx context.Context) (Page, error) {
	var b *webkitBrowser
	for b == nil {
		select {
		case b = <-w.free:
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for a free WebKit browser: %w", ctx.Err())
		}
		if b == nil {
			w.mu.Lock()
			err := w.lastErr
			w.mu.Unlock()
			return nil, errors.Join(errClosed, err)
		}
		select {
		case <-b.lost:
			// It died while no page was open: replace it, take another.
			go w.replace(b)
			b = nil
		default:
		}
	}
	p := &webkitPage{b: b, console: NewConsole()}
	b.mu.Lock()
	b.console = p.console
	b.mu.Unlock()
	if _, err := b.command(ctx, map[string]any{"op": "open", "url": "about:blank"}); err != nil {
		p.Close()
		return nil, err
	}
	// A line the last page's web process printed late must not count as
	// this page's: write a marker, wait for it, and start from an empty
	// console.
	marker := fmt.Sprintf("corskit-webkit-fresh-%d", time.Now().UnixNano())
	if _, err := p.Eval(ctx, fmt.Sprintf("console.log(%q)", marker)); err != nil {
		p.Close()
		return nil, err
	}
	if _, err := p.console.Wait(ctx, func(ls []Line) bool {
		return len(ls) > 0 && ls[len(ls)-1].Text == marker
	}); err != nil {
		p.Close()
		return nil, fmt.Errorf("the fresh page's console marker did not arrive: %w", err)
	}
	p.console = NewConsole()
	b.mu.Lock()
	b.console = p.console
	b.mu.Unlock()
	return p, nil
}

// Close stops every browser and Xvfb and removes the data directories.
func (w *WebKit) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	all := w.all
	w.mu.Unlock()
	var wg sync.WaitGroup
	for _, b := range all {
		wg.Go(b.stop)
	}
	wg.Wait()
	w.mu.Lock()
	if !w.exhausted {
		close(w.free)
	}
	w.mu.Unlock()
	if w.proxy != nil {
		w.proxy.Close()
	}
	if w.xvfb != nil {
		w.xvfb.Close()
	}
	return removeAllLater(w.dir)
}

// Groups returns the process groups of Xvfb and of each browser.
func (w *WebKit) Groups() []*Group {
	w.mu.Lock()
	defer w.mu.Unlock()
	gs := []*Group{w.xvfb.proc.group}
	for _, b := range w.all {
		gs = append(gs, b.proc.group)
	}
	return gs
}

type webkitPage struct {
	b       *webkitBrowser
	console *Console
	once    sync.Once
}

func (p *webkitPage) Console() *Console { return p.console }

func (p *webkitPage) Navigate(ctx context.Context, url string) error {
	_, err := p.b.command(ctx, map[string]any{"op": "navigate", "url": url})
	return err
}

func (p *webkitPage) Eval(ctx context.Context, body string) (json.RawMessage, error) {
	a, err := p.b.command(ctx, map[string]any{"op": "eval", "body": body})
	if err != nil {
		return nil, err
	}
	if a.Value == nil {
		return nil, errors.New("webkit eval: no value")
	}
	return json.RawMessage(*a.Value), nil
}

// Close closes the web view and gives the browser back to the pool. A
// browser that does not answer (it died, or hangs) is not given back — its
// console might still be the last page's — but replaced by a fresh one.
func (p *webkitPage) Close() error {
	var err error
	p.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err = p.b.command(ctx, map[string]any{"op": "close"})
		p.b.mu.Lock()
		p.b.console = nil
		p.b.mu.Unlock()
		w := p.b.w
		if err != nil {
			go w.replace(p.b)
			return
		}
		w.mu.Lock()
		if !w.closed {
			w.free <- p.b // never blocks: free holds every browser
		}
		w.mu.Unlock()
	})
	return err
}
