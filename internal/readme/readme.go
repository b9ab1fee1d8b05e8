// Package readme checks that the README's examples are true: that a
// program shown in it is, byte for byte, a file that the tests compile and
// run, and that each curl command shown prints what the README says it
// prints. The example programs' own tests (examples/quickstart,
// examples/chi) use it, so a README that drifts from the code fails
// make test.
package readme

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A Block is a fenced code block of a Markdown document.
type Block struct {
	Info string // what follows the opening fence: "go", "sh", "text"
	Text string // the lines between the fences, each ending in "\n"
	Line int    // the line number of the opening fence, from 1
}

// Section returns the part of the Markdown document md under the heading
// line heading (e.g. "## Quick start"), up to the next heading of the same
// or a higher level, or an error if there is no such heading.
func Section(md, heading string) (string, error) {
	level := strings.IndexFunc(heading, func(r rune) bool { return r != '#' })
	if level < 1 {
		return "", fmt.Errorf("readme: %q is not a heading line", heading)
	}
	lines := strings.SplitAfter(md, "\n")
	start := -1
	fenced := false
	for i, l := range lines {
		if strings.HasPrefix(l, "```") {
			fenced = !fenced
		}
		if fenced {
			continue
		}
		l = strings.TrimRight(l, "\n")
		if start < 0 {
			if l == heading {
				start = i + 1
			}
			continue
		}
		if n := strings.IndexFunc(l, func(r rune) bool { return r != '#' }); n >= 1 && n <= level && strings.HasPrefix(l[n:], " ") {
			return strings.Join(lines[start:i], ""), nil
		}
	}
	if start < 0 {
		return "", fmt.Errorf("readme: no heading %q", heading)
	}
	return strings.Join(lines[start:], ""), nil
}

// Blocks returns the fenced code blocks (opened and closed by a line
// starting with three backticks) of md, in order. line is the line number
// in the whole document of md's first line.
func Blocks(md string, line int) []Block {
	var out []Block
	var cur *Block
	for i, l := range strings.SplitAfter(md, "\n") {
		if strings.HasPrefix(l, "```") {
			if cur == nil {
				cur = &Block{Info: strings.TrimSpace(strings.TrimPrefix(l, "```")), Line: line + i}
			} else {
				out = append(out, *cur)
				cur = nil
			}
			continue
		}
		if cur != nil {
			cur.Text += l
		}
	}
	return out
}

// A Transcript is a curl command as the README shows it and the output it
// shows for it.
type Transcript struct {
	Command string // one command, possibly continued over lines with "\"
	Output  string
	Line    int // the line of the command's block
}

// Transcripts pairs each "sh" block that starts with "curl" with the block
// right after it, which must be a "text" block: the output. A curl command
// without one is an error, so that no command goes unchecked.
func Transcripts(blocks []Block) ([]Transcript, error) {
	var out []Transcript
	for i, b := range blocks {
		if b.Info != "sh" || !strings.HasPrefix(b.Text, "curl ") {
			continue
		}
		if i+1 >= len(blocks) || blocks[i+1].Info != "text" {
			return nil, fmt.Errorf("readme: line %d: the curl command is not followed by a ```text block with its output", b.Line)
		}
		out = append(out, Transcript{Command: b.Text, Output: blocks[i+1].Text, Line: b.Line})
	}
	return out, nil
}

// ErrNoCurl is Run's error when there is no curl on $PATH.
var ErrNoCurl = errors.New("readme: curl is not installed (Debian: apt-get install curl)")

// Run runs t's command with sh, as a reader who pastes it would, after
// replacing every from in it (the README's "http://localhost:8000") with to
// (the test server's URL), and returns what it printed on stdout. The
// command must finish within 30 seconds.
func (t Transcript) Run(ctx context.Context, from, to string) (string, error) {
	if _, err := exec.LookPath("curl"); err != nil {
		return "", ErrNoCurl
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", strings.ReplaceAll(t.Command, from, to))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("readme: line %d: %v\n%s", t.Line, err, &stderr)
	}
	return stdout.String(), nil
}

var dateLine = regexp.MustCompile(`(?m)^Date: .*$`)

// Normalize makes curl -i output comparable with the README's: lines end
// in "\n" (HTTP/1.1 header lines end in "\r\n"), and the Date header's value,
// which differs on every run, reads "…".
func Normalize(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return dateLine.ReplaceAllString(s, "Date: …")
}

// Check checks the section under heading of the Markdown file at path
// against a program: the section must hold a ```go block equal, byte for
// byte, to the file at program, and at least one curl transcript; each
// command, run against h (served on a loopback port in place of base, the
// README's "http://localhost:8000"), must print exactly the output shown,
// but for the Date (see Normalize). Without curl, Check fails under CI=true
// and skips otherwise, as the browser suite does without Chromium.
func Check(t testing.TB, path, heading, program string, h http.Handler, base string) {
	t.Helper()
	md, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sec, err := Section(string(md), heading)
	if err != nil {
		t.Fatal(err)
	}
	first := 1 + strings.Count(string(md[:strings.Index(string(md), sec)]), "\n")
	blocks := Blocks(sec, first)
	src, err := os.ReadFile(program)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, b := range blocks {
		if b.Info == "go" && b.Text == string(src) {
			found = true
		}
	}
	if !found {
		t.Errorf("%s, %q: no ```go block is %s byte for byte: copy the file into the README", path, heading, program)
	}

	ts, err := Transcripts(blocks)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) == 0 {
		t.Fatalf("%s, %q: no curl command", path, heading)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, tr := range ts {
		got, err := tr.Run(context.Background(), base, srv.URL)
		switch {
		case errors.Is(err, ErrNoCurl) && os.Getenv("CI") != "true":
			t.Skip(err)
		case err != nil:
			t.Fatal(err)
		}
		if got, want := Normalize(got), Normalize(tr.Output); got != want {
			t.Errorf("%s:%d: %s printed:\n%s\nthe README shows:\n%s", path, tr.Line, strings.TrimSpace(tr.Command), got, want)
		}
	}
}
