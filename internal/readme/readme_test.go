package readme_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/corskit/cors/internal/readme"
)

const doc = "# Title\n" +
	"intro\n" +
	"## Quick start\n" +
	"text\n" +
	"```go\n" +
	"package main\n" +
	"## not a heading inside a fence\n" +
	"```\n" +
	"```sh\n" +
	"curl -i http://localhost:8000/x \\\n" +
	"  -H 'Origin: https://a.example'\n" +
	"```\n" +
	"```text\n" +
	"HTTP/1.1 200 OK\n" +
	"Date: Wed, 02 Dec 2026 12:00:00 GMT\n" +
	"```\n" +
	"### A subsection stays in\n" +
	"```sh\n" +
	"go run .\n" +
	"```\n" +
	"## Next\n" +
	"```sh\n" +
	"curl http://elsewhere\n" +
	"```\n"

func TestSectionBlocksTranscripts(t *testing.T) {
	sec, err := readme.Section(doc, "## Quick start")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sec, "text\n") || !strings.Contains(sec, "### A subsection stays in\n") || strings.Contains(sec, "## Next") || strings.Contains(sec, "elsewhere") {
		t.Errorf("section:\n%s", sec)
	}
	blocks := readme.Blocks(sec, 4)
	want := []readme.Block{
		{Info: "go", Text: "package main\n## not a heading inside a fence\n", Line: 5},
		{Info: "sh", Text: "curl -i http://localhost:8000/x \\\n  -H 'Origin: https://a.example'\n", Line: 9},
		{Info: "text", Text: "HTTP/1.1 200 OK\nDate: Wed, 02 Dec 2026 12:00:00 GMT\n", Line: 13},
		{Info: "sh", Text: "go run .\n", Line: 18},
	}
	if !reflect.DeepEqual(blocks, want) {
		t.Errorf("blocks:\n%+v\nwant\n%+v", blocks, want)
	}
	ts, err := readme.Transcripts(blocks)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 || ts[0].Command != want[1].Text || ts[0].Output != want[2].Text || ts[0].Line != 9 {
		t.Errorf("transcripts: %+v", ts)
	}

	if _, err := readme.Section(doc, "## Missing"); err == nil {
		t.Error("a missing heading: no error")
	}
	if _, err := readme.Section(doc, "Quick start"); err == nil {
		t.Error("not a heading line: no error")
	}
	// A curl command whose output is not shown is an error.
	if _, err := readme.Transcripts(readme.Blocks("```sh\ncurl http://x\n```\nno output\n", 1)); err == nil {
		t.Error("a curl command without its output: no error")
	}
}

func TestNormalize(t *testing.T) {
	got := readme.Normalize("HTTP/1.1 200 OK\r\nDate: Thu, 03 Dec 2026 01:02:03 GMT\r\nVary: Origin\r\n\r\nbody\n")
	want := "HTTP/1.1 200 OK\nDate: …\nVary: Origin\n\nbody\n"
	if got != want {
		t.Errorf("Normalize = %q, want %q", got, want)
	}
}
