package har_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/corskit/cors/check/har"
)

func TestReadFormatErrors(t *testing.T) {
	entry := `{"request":{"method":"GET","url":"http://a.test/","headers":[]},"response":{"status":200,"headers":[]}}`
	tests := []struct {
		name string
		in   string
		// want is what the error must say; line and col where it is.
		want      string
		line, col int
		path      string
	}{
		{"empty", "", "the file ends", 1, 1, ""},
		{"not JSON", "<html>", "not a HAR file", 1, 1, ""},
		{"an array", "[1]", "a HAR file is a JSON object", 1, 1, ""},
		{"no log", `{"foo": 1}`, `no "log" object`, 1, 11, ""},
		{"no entries", `{"log": {"version": "1.2", "creator": {"name": "x"}}}`, `"log" has no "entries"`, 1, 9, "log"},
		{"wrong version", `{"log": {"version": "2.0", "creator": {}, "entries": []}}`, `HAR version "2.0"`, 1, 26, "log.version"},
		{"entries not an array", `{"log": {"version": "1.2", "creator": {}, "entries": {}}}`, `"entries" must be an array`, 1, 54, "log.entries"},
		{"entry without url", "{\"log\": {\"version\": \"1.2\", \"creator\": {}, \"entries\": [\n" + entry + ",\n" +
			`{"request":{"method":"GET"},"response":{"status":0}}` + "]}}", `an entry whose request has no "url"`, 3, 1, "log.entries[1]"},
		{"status a string", "{\"log\": {\"version\": \"1.2\", \"creator\": {}, \"entries\": [\n" +
			`{"request":{"method":"GET","url":"u"},"response":{"status":"200"}}` + "]}}", `a JSON string where a HAR has a number`, 2, 65, "log.entries[0].response.status"},
		{"cut short", "{\"log\": {\"version\": \"1.2\", \"creator\": {}, \"entries\": [\n" + entry[:50], "ends in the middle", 2, 51, "log.entries[0]"},
		{"syntax error after a long body", "{\"log\": {\"version\": \"1.2\", \"creator\": {}, \"entries\": [\n" +
			`{"request":{"method":"GET","url":"u"},"response":{"status":200,"content":{"text":"` + strings.Repeat("A", 200<<10) + `"}}}` + "\n,,]}}",
			"not JSON", 3, 2, "log.entries[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := filepath.Join(t.TempDir(), "x.har")
			if err := os.WriteFile(name, []byte(tt.in), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := har.ReadFile(name)
			var fe *har.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T), want a *har.FormatError", err, err)
			}
			if !strings.Contains(fe.Msg, tt.want) || fe.Line != tt.line || fe.Column != tt.col || fe.Path != tt.path {
				t.Errorf("got %q at line %d col %d path %q, want %q at line %d col %d path %q", fe.Msg, fe.Line, fe.Column, fe.Path, tt.want, tt.line, tt.col, tt.path)
			}
		})
	}
}

// TestReadKeepsShortStrings checks that the strings Read keeps — URLs,
// header values, a body up to its limit, escapes included — come through
// the skimming unchanged, while a long body is left out.
func TestReadKeepsShortStrings(t *testing.T) {
	value := `a\"b\\c\u00e9\ud83d\ude00` + strings.Repeat("x", 100)
	body := strings.Repeat(`\u0041`, 70<<10) // longer than what Read keeps of any string, made of escapes
	in := `{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[` +
		`{"request":{"method":"POST","url":"http://a.test/p?q=1","headers":[{"name":"X-V","value":"` + value + `"}],"postData":{"text":"` + body + `"}},` +
		`"response":{"status":200,"headers":[{"name":"Access-Control-Allow-Origin","value":"*"}],"content":{"text":"` + body + `"}}}]}}`
	a, err := har.Read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	e := a.Entries[0]
	if v, _ := e.RequestHeader("x-v"); v != "a\"b\\c\u00e9\U0001F600"+strings.Repeat("x", 100) {
		t.Errorf("header value %q", v)
	}
	if v, _ := e.ResponseHeader("Access-Control-Allow-Origin"); v != "*" {
		t.Errorf("ACAO %q", v)
	}
	if !e.HasPostData || len(e.PostData) != 4<<10 || strings.Trim(e.PostData, "A") != "" {
		t.Errorf("post data: has %v, %d bytes, want the first 4 KiB of A", e.HasPostData, len(e.PostData))
	}
}

// TestReadBoundedMemory reads a generated HAR of 53 MiB — one 50 MiB
// base64 body and 2,000 entries with 1 KiB bodies — and requires that
// reading it allocates a small fraction of it. Without the skimming of long
// strings, encoding/json would buffer the 50 MiB entry whole.
func TestReadBoundedMemory(t *testing.T) {
	const entries = 2000
	gen := func() io.Reader {
		var parts []io.Reader
		parts = append(parts, strings.NewReader(`{"log":{"version":"1.2","creator":{"name":"gen","version":"1"},"pages":[],"entries":[`))
		big := `{"request":{"method":"GET","url":"http://big.test/","headers":[]},"response":{"status":200,"headers":[],"content":{"encoding":"base64","text":"`
		parts = append(parts, strings.NewReader(big), &repeatReader{b: bytes.Repeat([]byte("QUJD"), 16<<10), n: 50 << 20}, strings.NewReader(`"}}}`))
		small := `,{"request":{"method":"GET","url":"http://api.test/%d","headers":[{"name":"Origin","value":"http://app.test"}]},` +
			`"response":{"status":200,"headers":[{"name":"Access-Control-Allow-Origin","value":"*"}],"content":{"text":"%s"}}}`
		body := strings.Repeat("QUJD", 256)
		for i := range entries {
			parts = append(parts, strings.NewReader(fmt.Sprintf(small, i, body)))
		}
		parts = append(parts, strings.NewReader(`]}}`))
		return io.MultiReader(parts...)
	}
	n, _ := io.Copy(io.Discard, gen())
	if n < 50<<20 {
		t.Fatalf("generated %d bytes, want more than 50 MiB", n)
	}
	r := gen() // the generator's own readers are made here, not counted
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	a, err := har.Read(r)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Entries) != entries+1 || a.Entries[entries].URL != fmt.Sprintf("http://api.test/%d", entries-1) {
		t.Fatalf("read %d entries, last %q", len(a.Entries), a.Entries[len(a.Entries)-1].URL)
	}
	// What Read allocates is bounded by the entries it keeps, not by the
	// bytes it reads.
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("read %d MiB in %d entries, allocating %d KiB", n>>20, len(a.Entries), alloc>>10)
	if limit := uint64(n / 8); alloc > limit {
		t.Errorf("reading %d bytes allocated %d, want at most %d", n, alloc, limit)
	}
}

// repeatReader yields b over and over, n bytes in all.
type repeatReader struct {
	b []byte
	n int
	i int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	w := 0
	for w < len(p) && r.n > 0 {
		k := copy(p[w:min(len(p), w+r.n)], r.b[r.i%len(r.b):])
		r.i += k
		w += k
		r.n -= k
	}
	return w, nil
}

func TestReadStdinLikeStream(t *testing.T) {
	// A reader that returns one byte at a time still reads (and reports
	// offsets) correctly.
	in := `{"log":{"version":"1.2","creator":{},"entries":[{"request":{"method":"GET","url":"http://x/"},"response":{"status":-1}}]}} x`
	_, err := har.Read(&oneByte{r: bytes.NewReader([]byte(in))})
	var fe *har.FormatError
	if !errors.As(err, &fe) || fe.Offset != int64(len(in)-1) || !strings.Contains(fe.Msg, "more JSON") {
		t.Fatalf("got %v, want more JSON at byte %d", err, len(in)-1)
	}
}

type oneByte struct{ r io.Reader }

func (o *oneByte) Read(p []byte) (int, error) { return o.r.Read(p[:min(1, len(p))]) }
