package har

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// FuzzSkim compares skim, with a limit of a few bytes, with the plain rule
// it implements: the output is the input with every JSON string's content
// cut to its first limit bytes (whole escape sequences), so valid JSON
// stays valid, and original() maps each output byte back to the same byte
// of the input.
func FuzzSkim(f *testing.F) {
	f.Add([]byte(`{"a":"b\"c\\d\u00e9","n":[1,2,{"x":""}]}`), 3)
	f.Add([]byte(`["`+strings.Repeat(`\u0041`, 20)+`"]`), 7)
	f.Add([]byte(`"unterminated`), 1)
	f.Fuzz(func(t *testing.T, in []byte, chunk int) {
		chunk = 1 + abs(chunk)%64
		s := newSkim(&chunked{r: bytes.NewReader(in), n: chunk})
		s.limit = 1 + chunk%9 // short, so that strings are cut
		out, err := io.ReadAll(s)
		if err != nil {
			t.Fatal(err)
		}
		want := cutStrings(in, s.limit)
		if !bytes.Equal(out, want) {
			t.Fatalf("skim(%q) = %q, want %q", in, out, want)
		}
		for i := range out {
			if o := s.original(int64(i)); o < 0 || o >= int64(len(in)) || in[o] != out[i] {
				t.Fatalf("output byte %d (%q) maps to input byte %d", i, out[i], o)
			}
		}
		if json.Valid(in) && !json.Valid(out) {
			t.Fatalf("skim made %q invalid: %q", in, out)
		}
	})
}

// cutStrings is the plain reference: a byte-by-byte walk that keeps, of
// each string, the bytes up to limit, finishing an escape sequence begun
// before it.
func cutStrings(in []byte, limit int) []byte {
	var out []byte
	for i := 0; i < len(in); i++ {
		if in[i] != '"' {
			out = append(out, in[i])
			continue
		}
		out = append(out, '"')
		n := 0
		for i++; i < len(in) && in[i] != '"'; i++ {
			width := 1
			if in[i] == '\\' {
				width = 2
				if i+1 < len(in) && in[i+1] == 'u' {
					width = 6
				}
			}
			width = min(width, len(in)-i)
			if n < limit {
				out = append(out, in[i:i+width]...)
				n += width
			}
			i += width - 1
		}
		if i < len(in) {
			out = append(out, '"')
		}
	}
	return out
}

type chunked struct {
	r io.Reader
	n int
}

func (c *chunked) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// FuzzRead feeds Read and Judge arbitrary bytes: they must not panic, and
// Read must either return an archive or a *FormatError.
func FuzzRead(f *testing.F) {
	f.Add(`{"log":{"version":"1.2","creator":{},"entries":[{"request":{"method":"GET","url":"http://a.test/","headers":[{"name":"Origin","value":"http://b.test"}]},"response":{"status":200,"headers":[{"name":"Access-Control-Allow-Origin","value":"*"}]}}]}}`)
	f.Add(`{"log":{"version":"1.2","creator":{"name":"Firefox"},"entries":[{"request":{"method":"OPTIONS","url":"http://a.test/","headers":[{"name":"Origin","value":"null"},{"name":"Access-Control-Request-Method","value":"PUT"},{"name":"Access-Control-Request-Headers","value":"x-a,,"}]},"response":{"status":302,"headers":[{"name":"Location","value":"//a.test/"}]}}]}}`)
	f.Add(`{"log":{"version":"1.2","creator":{},"entries":[{"request":{"method":"GET","url":"http://a.test/r"},"response":{"status":301,"redirectURL":"http://a.test/r"}}]}}`)
	f.Fuzz(func(t *testing.T, in string) {
		a, err := Read(strings.NewReader(in))
		if err != nil {
			if _, ok := err.(*FormatError); !ok {
				t.Fatalf("Read: %T %v, want a *FormatError", err, err)
			}
			return
		}
		if _, err := Judge(context.Background(), a, Options{}); err != nil {
			t.Fatalf("Judge: %v", err)
		}
	})
}
