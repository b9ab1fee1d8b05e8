package driver

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// FirefoxOptions configures StartFirefox.
type FirefoxOptions struct {
	// Path is the Firefox executable (firefox-esr, firefox).
	Path string
	// LocalHosts are host names Firefox resolves to 127.0.0.1 without asking
	// DNS (network.dns.localDomains). Firefox resolves localhost and
	// *.localhost to loopback by itself.
	LocalHosts []string
	// StartTimeout bounds the launch, up to a ready BiDi session.
	StartTimeout time.Duration
	// Stderr receives Firefox's own output, for diagnostics; nil discards it.
	Stderr io.Writer
	// Display, when set, runs Firefox with a window on that X display
	// (an Xvfb's) instead of headless: DevTools need one.
	Display string
	// Args are more command-line arguments (--devtools); Prefs more
	// preferences for user.js.
	Args  []string
	Prefs map[string]any
}

// Firefox is a running firefox-esr driven over WebDriver BiDi
// (https://w3c.github.io/webdriver-bidi/), which Firefox serves itself when
// started with --remote-debugging-port.
type Firefox struct {
	proc    *process
	profile string
	conn    *websocket.Conn

	nextID  atomic.Int64
	mu      sync.Mutex
	pending map[int64]chan bidiResponse
	pages   map[string]*firefoxPage // by top-level browsing context id
	parent  map[string]string       // browsing context -> its parent, for frames
	readErr error                   // why the reader stopped
	closed  bool
	stopped chan struct{} // closed when the reader stops
}

// bidiListening is the line Firefox prints on stderr once its BiDi server
// listens; with --remote-debugging-port=0 it is how the port is learnt.
var bidiListening = regexp.MustCompile(`WebDriver BiDi listening on (ws://\S+)`)

// StartFirefox launches Firefox headless with a fresh profile whose user.js
// turns off every network service, and opens a BiDi session subscribed to
// console entries.
func StartFirefox(opts FirefoxOptions) (_ *Firefox, err error) {
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 60 * time.Second
	}
	profile, err := os.MkdirTemp("", "corskit-e2e-firefox-")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(firefoxUserJS(opts.LocalHosts, opts.Prefs)), 0o644); err != nil {
		os.RemoveAll(profile)
		return nil, err
	}
	args := []string{"--headless", "--no-remote"}
	if opts.Display != "" {
		args = args[1:]
	}
	args = append(args, opts.Args...)
	args = append(args, "--remote-debugging-port=0", "--remote-allow-hosts", "127.0.0.1",
		"--profile", profile, "about:blank")
	cmd := exec.Command(opts.Path, args...)
	cmd.Env = append(os.Environ(),
		"MOZ_CRASHREPORTER_DISABLE=1", // no crash reporter (it would upload)
		"MOZ_DISABLE_AUTO_SAFE_MODE=1",
	)
	if opts.Display != "" {
		cmd.Env = append(cmd.Env, "DISPLAY="+opts.Display)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		os.RemoveAll(profile)
		return nil, err
	}
	proc, err := startProcess(cmd, profile)
	if err != nil {
		os.RemoveAll(profile)
		return nil, fmt.Errorf("starting %s: %w", opts.Path, err)
	}
	f := &Firefox{proc: proc, profile: profile,
		pending: map[int64]chan bidiResponse{}, pages: map[string]*firefoxPage{},
		parent: map[string]string{}, stopped: make(chan struct{})}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()

	// Read stderr for the BiDi URL, then keep draining it (to opts.Stderr).
	wsURL := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if opts.Stderr != nil {
				fmt.Fprintln(opts.Stderr, line)
			}
			if m := bidiListening.FindStringSubmatch(line); m != nil && !sent {
				wsURL <- m[1]
				sent = true
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), opts.StartTimeout)
	defer cancel()
	var u string
	select {
	case u = <-wsURL:
	case <-proc.done:
		return nil, fmt.Errorf("%s exited before its BiDi server listened: %v", opts.Path, proc.err)
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: no BiDi server within %v", opts.Path, opts.StartTimeout)
	}
	if !strings.HasSuffix(u, "/session") {
		u = strings.TrimSuffix(u, "/") + "/session"
	}
	f.conn, _, err = websocket.Dial(ctx, u, nil)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", u, err)
	}
	f.conn.SetReadLimit(64 << 20)
	go f.read()
	if _, err := f.command(ctx, "session.new", map[string]any{"capabilities": map[string]any{}}); err != nil {
		return nil, err
	}
	if _, err := f.command(ctx, "session.subscribe", map[string]any{
		"events": []string{"log.entryAdded", "browsingContext.contextCreated", "browsingContext.contextDestroyed"},
	}); err != nil {
		return nil, err
	}
	return f, nil
}

type bidiResponse struct {
	result json.RawMessage
	err    error
}

// command sends one BiDi command and waits for its answer.
func (f *Firefox) command(ctx context.Context, method string, params any) (json.RawMessage, error) {
	id := f.nextID.Add(1)
	msg, err := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	if err != nil {
		return nil, err
	}
	ch := make(chan bidiResponse, 1)
	f.mu.Lock()
	if f.closed || f.readErr != nil {
		err := f.readErr
		f.mu.Unlock()
		return nil, errors.Join(errClosed, err)
	}
	f.pending[id] = ch
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.pending, id)
		f.mu.Unlock()
	}()
	if err := f.conn.Write(ctx, websocket.MessageText, msg); err != nil {
		return nil, fmt.Errorf("bidi %s: %w", method, err)
	}
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("bidi %s: %w", method, r.err)
		}
		return r.result, nil
	case <-f.stopped:
		return nil, fmt.Errorf("bidi %s: connection lost: %v", method, f.readErr)
	case <-ctx.Done():
		return nil, fmt.Errorf("bidi %s: %w", method, ctx.Err())
	}
}

// read dispatches every message from Firefox: answers to their commands,
// console entries to their pages.
func (f *Firefox) read() {
	defer close(f.stopped)
	for {
		_, data, err := f.conn.Read(context.Background())
		if err != nil {
			f.mu.Lock()
			f.readErr = err
			f.mu.Unlock()
			return
		}
		var m struct {
			Type    string          `json:"type"`
			ID      *int64          `json:"id"`
			Result  json.RawMessage `json:"result"`
			Error   string          `json:"error"`
			Message string          `json:"message"`
			Method  string          `json:"method"`
			Params  json.RawMessage `json:"params"`
		}
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		switch {
		case m.ID != nil:
			r := bidiResponse{result: m.Result}
			if m.Type == "error" {
				r.err = fmt.Errorf("%s: %s", m.Error, m.Message)
			}
			f.mu.Lock()
			ch := f.pending[*m.ID]
			f.mu.Unlock()
			if ch != nil {
				ch <- r
			}
		case m.Type == "event":
			f.event(m.Method, m.Params)
		}
	}
}

func (f *Firefox) event(method string, params json.RawMessage) {
	switch method {
	case "browsingContext.contextCreated":
		var p struct {
			Context string  `json:"context"`
			Parent  *string `json:"parent"`
		}
		if json.Unmarshal(params, &p) == nil && p.Parent != nil {
			f.mu.Lock()
			f.parent[p.Context] = *p.Parent
			f.mu.Unlock()
		}
	case "browsingContext.contextDestroyed":
		// Frames' entries stay: a frame's late console line still has a
		// page to go to until the page itself is closed.
	case "log.entryAdded":
		var p struct {
			Type   string `json:"type"`
			Level  string `json:"level"`
			Text   string `json:"text"`
			Source struct {
				Context string `json:"context"`
			} `json:"source"`
		}
		if json.Unmarshal(params, &p) != nil {
			return
		}
		f.mu.Lock()
		c := p.Source.Context
		for i := 0; i < 32 && f.pages[c] == nil && f.parent[c] != ""; i++ {
			c = f.parent[c]
		}
		page := f.pages[c]
		f.mu.Unlock()
		if page != nil {
			page.console.Add(Line{Level: p.Level, Source: p.Type, Text: p.Text})
		}
	}
}

// NewPage opens a new tab.
func (f *Firefox) NewPage(ctx context.Context) (Page, error) {
	var res json.RawMessage
	var err error
	// Firefox 153 sometimes answers "no such frame: BrowsingContext does no
	// longer exist" when a tab is created while another one is closing; the
	// next attempt succeeds.
	for attempt := 0; ; attempt++ {
		res, err = f.command(ctx, "browsingContext.create", map[string]any{"type": "tab"})
		if err == nil || attempt == 4 || !strings.Contains(err.Error(), "no such frame") {
			break
		}
		select {
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err != nil {
		return nil, err
	}
	var r struct {
		Context string `json:"context"`
	}
	if err := json.Unmarshal(res, &r); err != nil || r.Context == "" {
		return nil, fmt.Errorf("browsingContext.create: unexpected answer %s", res)
	}
	p := &firefoxPage{f: f, id: r.Context, console: NewConsole()}
	f.mu.Lock()
	f.pages[r.Context] = p
	f.mu.Unlock()
	return p, nil
}

// Close ends the session, stops Firefox and removes its profile.
func (f *Firefox) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	f.mu.Unlock()
	if f.conn != nil {
		// Ask politely first: browser.close ends Firefox and its session.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		msg, _ := json.Marshal(map[string]any{"id": f.nextID.Add(1), "method": "browser.close", "params": map[string]any{}})
		_ = f.conn.Write(ctx, websocket.MessageText, msg)
		cancel()
	}
	f.proc.stop(5 * time.Second)
	if f.conn != nil {
		f.conn.CloseNow()
	}
	return removeAllLater(f.profile)
}

// Groups returns Firefox's process group.
func (f *Firefox) Groups() []*Group { return []*Group{f.proc.group} }

type firefoxPage struct {
	f       *Firefox
	id      string // the top-level browsing context
	console *Console
}

func (p *firefoxPage) Console() *Console { return p.console }

func (p *firefoxPage) Navigate(ctx context.Context, url string) error {
	_, err := p.f.command(ctx, "browsingContext.navigate", map[string]any{"context": p.id, "url": url, "wait": "complete"})
	return err
}

func (p *firefoxPage) Eval(ctx context.Context, body string) (json.RawMessage, error) {
	fn := "async () => JSON.stringify(await (async () => {\n" + body + "\n})() ?? null)"
	res, err := p.f.command(ctx, "script.callFunction", map[string]any{
		"functionDeclaration": fn,
		"awaitPromise":        true,
		"target":              map[string]any{"context": p.id},
		"resultOwnership":     "none",
	})
	if err != nil {
		return nil, err
	}
	var r struct {
		Type   string `json:"type"`
		Result struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return nil, fmt.Errorf("script.callFunction: unexpected answer %s", res)
	}
	if r.Type == "exception" {
		return nil, fmt.Errorf("script threw: %s", r.ExceptionDetails.Text)
	}
	var s string
	if r.Result.Type != "string" || json.Unmarshal(r.Result.Value, &s) != nil {
		return nil, fmt.Errorf("script.callFunction: want a string result, got %s", res)
	}
	return json.RawMessage(s), nil
}

func (p *firefoxPage) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := p.f.command(ctx, "browsingContext.close", map[string]any{"context": p.id})
	p.f.mu.Lock()
	delete(p.f.pages, p.id)
	for c, parent := range p.f.parent {
		if parent == p.id {
			delete(p.f.parent, c)
		}
	}
	p.f.mu.Unlock()
	return err
}
