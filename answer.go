package cors

import (
	"net/http"
	"slices"
	"strings"

	"github.com/corskit/cors/internal/acrh"
)

// An answer is the header set of a successful preflight, worked out when
// the policy is compiled for one kind of request (see answerIndex), so that
// serving such a preflight is one allocation, a copy and one map store per
// header. Only the origin varies from request to request; kinds whose
// answer echoes the request's method or header list have no answer and go
// through preflightHeaders.
type answer struct {
	n      int
	origin int // index of the value that is the request's origin, or -1
	keys   [maxAnswer]string
	vals   [maxAnswer]string
}

// maxAnswer bounds the headers of a successful preflight: ACAO, ACAC, ACAM,
// ACAH, ACMA, ACAPN and Vary.
const maxAnswer = 7

// answerIndex numbers the kinds of successful preflight whose answers
// differ: whether the method is safelisted (no ACAM), whether the request
// names headers (ACAH) and whether it is a Private Network Access one
// (ACAPN).
func answerIndex(safelisted, hasHeaders, privateNet bool) int {
	return btoi(!safelisted) | btoi(hasHeaders)<<1 | btoi(privateNet)<<2
}

// Stand-ins for the request's values while the answers are worked out; a
// compiled policy's values never contain a NUL byte.
const (
	originMark  = "\x00origin"
	methodMark  = "\x00method"
	headersMark = "\x00headers"
)

// makeAnswers works out p.answers by writing each kind's headers with
// preflightHeaders, the one place that knows them, onto an empty header.
func (p *policy) makeAnswers() {
	for i := range p.answers {
		safelisted, hasHeaders, privateNet := i&1 == 0, i&2 != 0, i&4 != 0
		if privateNet && !p.privateNet {
			continue
		}
		d := Decision{p: p, kind: PreflightRequest, origin: originMark,
			pre: preflight{method: methodMark, privateNet: privateNet},
			v:   verdict{safelisted: safelisted, methodOK: true, headers: acrh.Allowed}}
		if hasHeaders {
			d.pre.headers = []string{headersMark}
		}
		h := http.Header{}
		p.preflightHeaders(h, &d)
		a := &answer{origin: -1}
		keys := make([]string, 0, len(h))
		for k := range h {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		static := len(keys) <= maxAnswer
		for _, k := range keys {
			v := h[k]
			if !static || len(v) != 1 || strings.Contains(v[0], methodMark) || strings.Contains(v[0], headersMark) {
				static = false
				break
			}
			if v[0] == originMark {
				a.origin = a.n
			}
			a.keys[a.n], a.vals[a.n] = k, v[0]
			a.n++
		}
		if static {
			p.answers[i] = a
		}
	}
}

// write sets a's headers on h, which has no Vary, for a preflight from
// origin o. Each value gets its own slice of one new backing array, cut
// with its capacity equal to its length, as slots does.
func (a *answer) write(h http.Header, o string) {
	buf := values(a.n)
	for i := range buf {
		buf[i] = a.vals[i]
		h[a.keys[i]] = buf[i : i+1 : i+1]
	}
	if a.origin >= 0 {
		buf[a.origin] = o
	}
}
