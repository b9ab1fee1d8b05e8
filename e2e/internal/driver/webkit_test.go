package driver

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Lines as WebKitGTK 2.50's web process printed them on this machine.
func TestParseWebKitConsole(t *testing.T) {
	for _, tc := range []struct {
		line string
		want Line
		ok   bool
	}{
		{"CONSOLE SECURITY ERROR Origin http://127.0.0.1:18081 is not allowed by Access-Control-Allow-Origin. Status code: 200",
			Line{Level: "error", Source: "SECURITY", Text: "Origin http://127.0.0.1:18081 is not allowed by Access-Control-Allow-Origin. Status code: 200"}, true},
		{"CONSOLE JS ERROR Fetch API cannot load http://127.0.0.1:18082/x due to access control checks.",
			Line{Level: "error", Source: "JS", Text: "Fetch API cannot load http://127.0.0.1:18082/x due to access control checks."}, true},
		{"CONSOLE LOG marker1", Line{Level: "log", Source: "CONSOLE", Text: "marker1"}, true},
		{"  s.set_enable_dns_prefetching(False)", Line{}, false},
		{"CONSOLE SOMETHING ELSE", Line{}, false},
	} {
		got, ok := ParseWebKitConsole(tc.line)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseWebKitConsole(%q) = %+v, %v; want %+v, %v", tc.line, got, ok, tc.want, tc.ok)
		}
	}
}

// TestWebKitReplacesDeadBrowser: a WebKit browser that dies (its UI process
// killed, as a crash would) is replaced by a fresh one, so the next page
// opens and works, in a pool of one.
func TestWebKitReplacesDeadBrowser(t *testing.T) {
	if sel := os.Getenv("E2E_ENGINE"); sel != "" && sel != "all" && !strings.Contains(sel, "webkit") {
		t.Skipf("WebKit is not among the selected engines (E2E_ENGINE=%s)", sel)
	}
	python, xvfb := "/usr/bin/python3", "Xvfb"
	check := exec.Command(python, "-c", "import gi; gi.require_version('WebKit2', '4.1'); from gi.repository import WebKit2")
	if _, err := exec.LookPath(xvfb); err != nil || check.Run() != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true and WebKitGTK cannot run: install python3-gi gir1.2-webkit2-4.1 xvfb")
		}
		t.Skip("no WebKitGTK here (python3-gi, gir1.2-webkit2-4.1, xvfb)")
	}
	w, err := StartWebKit(WebKitOptions{Python: python, Browsers: 1, StartTimeout: 90 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	p, err := w.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	victim := w.all[0]
	w.mu.Unlock()
	if err := victim.proc.signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-victim.lost
	if _, err := p.Eval(ctx, "return 1"); err == nil {
		t.Fatal("a page of a dead browser answered")
	}
	if err := p.Close(); err == nil {
		t.Error("closing a page of a dead browser reported no error")
	}

	p2, err := w.NewPage(ctx)
	if err != nil {
		t.Fatalf("no page after the browser died: %v", err)
	}
	defer p2.Close()
	got, err := p2.Eval(ctx, "return 6 * 7")
	if err != nil || string(got) != "42" {
		t.Fatalf("the replacement browser: %s, %v", got, err)
	}
	if n := w.Replaced(); n != 1 {
		t.Errorf("replaced %d browsers, want 1", n)
	}
	if exited, _ := victim.proc.exited(); !exited {
		t.Error("the dead browser's process was not reaped")
	}
}
