package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corskit/cors/internal/readme"
)

func TestHARCommand(t *testing.T) {
	const td = "../../check/har/testdata/"
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notHAR := write("page.html", "<!doctype html>\n<title>x</title>")
	noURL := write("nourl.har", "{\"log\": {\"version\": \"1.2\", \"creator\": {\"name\": \"x\", \"version\": \"1\"}, \"entries\": [\n  {\"request\": {\"method\": \"GET\"}, \"response\": {\"status\": 200}}\n]}}")
	v13 := write("v13.har", `{"log": {"version": "1.3", "creator": {}, "entries": []}}`)
	empty := write("empty.har", `{"log": {"version": "1.2", "creator": {"name": "Firefox", "version": "153"}, "entries": []}}`)

	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string // substrings
		stderr string   // substring; stderr must then be one line
	}{
		{"Firefox: blocked, with the browser's lines", []string{"har", td + "firefox/localhost.har"}, 1, []string{
			"written by Firefox 153.8.0, judged as Firefox",
			"BLOCKED MissingAllowOriginHeader at http://api.localhost:",
			"    console:  Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://api.localhost:",
			"ALLOWED (1 request)",
		}, ""},
		{"Firefox: nothing blocked", []string{"har", td + "firefox/a.b.localhost.har"}, 0, []string{"1 cross-origin requests: 0 blocked, 1 allowed"}, ""},
		{"Playwright: blocked, why not kept, settle command", []string{"har", td + "playwright-chromium.har"}, 1, []string{
			"note: Playwright records no preflights",
			"BLOCKED, and the HAR does not show why (53 requests)",
			"    settle:   corscheck explain http://127.0.0.1:",
			"(add --send-actual to send the PUT itself, not only its preflight)",
		}, ""},
		{"judged as another browser", []string{"har", "--browser", "chromium", td + "firefox/localhost.har"}, 1, []string{
			"judged as Chromium", "has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
		}, ""},
		{"host names without serverIPAddress: LNA not known, no DNS", []string{"har", "--browser", "chromium", td + "firefox/x.app.test.har"}, 0, []string{
			"    lna:      Local Network Access cannot be known from this HAR, and corscheck does no DNS lookup: the HAR records no address for x.app.test (no serverIPAddress); the HAR records no address for api.test (no serverIPAddress).",
		}, ""},
		{"no cross-origin request", []string{"har", empty}, 0, []string{"0 entries, 0 cross-origin requests"}, ""},
		{"not a HAR", []string{"har", notHAR}, 2, nil, "page.html is not a HAR file corscheck can read: line 1, column 1 (byte 0): not a HAR file"},
		{"an entry without url", []string{"har", noURL}, 2, nil, "line 2, column 3 (byte 84), log.entries[0]: an entry whose request has no \"url\""},
		{"another HAR version", []string{"har", v13}, 2, nil, `log.version: HAR version "1.3": corscheck reads versions 1.1 and 1.2`},
		{"no such file", []string{"har", filepath.Join(dir, "nope.har")}, 2, nil, "no such file or directory: give the path of a HAR file, or - for stdin"},
		{"no file", []string{"har"}, 2, nil, `want exactly one FILE, got 0 arguments: write "corscheck har session.har"`},
		{"all browsers", []string{"har", "--browser", "all", empty}, 2, nil, "--browser all: write chromium, firefox or safari"},
		{"help", []string{"har", "--help"}, 0, []string{"corscheck har FILE", "--browser browser"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tt.args, &out, &errb)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errb.String())
			}
			for _, s := range tt.stdout {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, out.String())
				}
			}
			if !strings.Contains(errb.String(), tt.stderr) || (tt.stderr != "" && strings.Count(errb.String(), "\n") != 1) {
				t.Errorf("stderr, want one line with %q:\n%s", tt.stderr, errb.String())
			}
		})
	}
}

func TestHARCommandJSON(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"har", "--json", "../../check/har/testdata/firefox/localhost.har"}, &out, &errb); code != 1 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var rep struct {
		Browser  string `json:"browser"`
		Requests []struct {
			Verdict, Reason, Message, Explain string
		} `json:"requests"`
		Summary struct{ Blocked, Allowed int } `json:"summary"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Browser != "firefox" || len(rep.Requests) != 2 || rep.Summary.Blocked != 1 || rep.Summary.Allowed != 1 {
		t.Fatalf("got %+v", rep)
	}
	for _, q := range rep.Requests {
		if q.Verdict == "blocked" && (q.Reason != "MissingAllowOriginHeader" || !strings.HasPrefix(q.Message, "Cross-Origin Request Blocked") || !strings.HasPrefix(q.Explain, "corscheck explain ")) {
			t.Errorf("blocked request %+v", q)
		}
	}
}

// TestHARReadme checks that the README's example output is what corscheck
// har prints for the recording it names.
func TestHARReadme(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	sec, err := readme.Section(string(b), "### Someone sent you a HAR")
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	run([]string{"har", "../../check/har/testdata/firefox/localhost.har"}, &out, &errb)
	n := 0
	for _, blk := range readme.Blocks(sec, 1) {
		if blk.Info != "text" {
			continue
		}
		for _, l := range strings.Split(strings.TrimSuffix(blk.Text, "\n"), "\n") {
			n++
			if !strings.Contains(out.String(), l+"\n") {
				t.Errorf("README line %q is not in the output:\n%s", l, out.String())
			}
		}
	}
	if n == 0 {
		t.Fatal("the README's HAR section shows no output")
	}
}
