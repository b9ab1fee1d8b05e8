package har

import (
	"bytes"
	"io"
	"sort"
)

// maxString is the longest JSON string Read keeps whole. Response bodies
// (content.text, base64 for binary content) and uploaded request bodies are
// the only strings of a HAR that grow with the traffic; nothing Read keeps
// needs more than this of them, so skim drops the rest as it streams past.
const maxString = 64 << 10

// skim passes a JSON text through, dropping the bytes of every string past
// its first maxString bytes (never inside an escape sequence, so what
// remains is still valid JSON). With it, encoding/json's Decoder, which
// buffers the whole value it decodes, holds at most one entry with its
// long strings cut short, whatever the size of the bodies in the file.
//
// It records where it dropped bytes, so that an offset in what it passed on
// (a json.SyntaxError's) can be turned back into an offset in the file.
type skim struct {
	r   io.Reader
	buf []byte // input read but not yet looked at: buf[pos:]
	pos int

	in, escape bool // inside a string; just after a backslash in one
	hex        int  // hex digits of a \u escape still to come
	n          int  // bytes of the current string passed on

	limit int // maxString, or less in tests

	out  int64 // bytes passed on so far
	cuts []cut // every run of dropped bytes, in order
	cut  int64 // bytes dropped in the current run
	long int   // strings cut short
}

// cut is one run of dropped bytes: at is the offset in skim's output where
// it happened, total the bytes dropped up to and including this run.
type cut struct{ at, total int64 }

func newSkim(r io.Reader) *skim { return &skim{r: r, buf: make([]byte, 0, 32<<10), limit: maxString} }

func (s *skim) Read(p []byte) (int, error) {
	for {
		if s.pos == len(s.buf) {
			n, err := s.r.Read(s.buf[:cap(s.buf)])
			s.buf, s.pos = s.buf[:n], 0
			if n == 0 {
				if err == nil {
					continue
				}
				return 0, err
			}
		}
		w := 0
		for s.pos < len(s.buf) && w < len(p) {
			// A run of bytes that changes no state (outside strings, up
			// to a quote; inside one, up to a quote or a backslash) is
			// passed on, or dropped, whole.
			if !s.in || (!s.escape && s.hex == 0) {
				rest := s.buf[s.pos:]
				var k int
				if s.in {
					k = bytes.IndexAny(rest, `"\`)
				} else {
					k = bytes.IndexByte(rest, '"')
				}
				if k < 0 {
					k = len(rest)
				}
				if s.in && s.n >= s.limit {
					s.cut += int64(k)
					s.pos += k
				} else {
					if s.in {
						k = min(k, s.limit-s.n)
						s.n += min(k, len(p)-w)
					}
					k = min(k, len(p)-w)
					copy(p[w:], rest[:k])
					w += k
					s.pos += k
					s.out += int64(k)
				}
				if k > 0 {
					continue
				}
			}
			b := s.buf[s.pos]
			s.pos++
			if s.keep(b) {
				p[w] = b
				w++
				s.out++
			}
		}
		if w > 0 {
			return w, nil
		}
	}
}

// keep runs the state machine over one byte and reports whether it is
// passed on.
func (s *skim) keep(b byte) bool {
	if !s.in {
		if b == '"' {
			s.in, s.n = true, 0
		}
		return true
	}
	dropping := s.n >= s.limit
	switch {
	case s.hex > 0:
		s.hex--
	case s.escape:
		s.escape = false
		if b == 'u' {
			s.hex = 4
		}
	case b == '\\':
		s.escape = true
	case b == '"':
		s.in = false
		if dropping {
			s.endCut()
		}
		return true
	}
	// A string is cut only between escape sequences, so the bytes kept
	// always end in a complete one.
	if dropping {
		s.cut++
		return false
	}
	s.n++
	if s.n >= s.limit && (s.escape || s.hex > 0) {
		s.n-- // finish the escape sequence first
	}
	return true
}

func (s *skim) endCut() {
	total := s.cut
	if len(s.cuts) > 0 {
		total += s.cuts[len(s.cuts)-1].total
	}
	s.cuts = append(s.cuts, cut{at: s.out, total: total})
	s.cut = 0
	s.long++
}

// original maps an offset in skim's output to the offset of the same byte in
// its input.
func (s *skim) original(off int64) int64 {
	// The last run dropped at or before off; a run recorded at off itself
	// was dropped before the closing quote at off.
	i := sort.Search(len(s.cuts), func(i int) bool { return s.cuts[i].at > off })
	if i == 0 {
		return off
	}
	return off + s.cuts[i-1].total
}
