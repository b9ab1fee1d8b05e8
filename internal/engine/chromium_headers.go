package engine

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"strings"

	"github.com/corskit/cors/internal/fetch"
)

// This file models the order in which Chromium looks at a request's
// headers when it checks them against a preflight's
// Access-Control-Allow-Headers, which decides the header its console line
// names when several are refused ("Request header field x is not allowed…").
// The standard's sorted list does not decide it:
//
//   - PreflightResult::EnsureAllowedCrossOriginHeaders
//     (services/network/cors/preflight_result.cc) returns the first name of
//     CorsUnsafeNotForbiddenRequestHeaderNames (services/network/cors/
//     cors_util.cc) that the answer does not allow. That function walks the
//     request's header vector in order, skips forbidden names, lists the
//     unsafe ones, and appends the safelisted ones only when their values
//     exceed 1024 bytes in all.
//   - The header vector is built by PopulateResourceRequest
//     (blink/.../url_loader/request_conversion.cc) by iterating Blink's
//     HTTPHeaderMap, a WTF::HashMap keyed with CaseFoldingHash, and then
//     appending "Accept: */*" when the map has no Accept. So the order is
//     the hash table's bucket order.
//   - The map holds the script's headers — for fetch() inserted in the
//     sorted order of its FetchHeaderList (FetchManager), for
//     XMLHttpRequest in the bucket order of its own request_headers_ map
//     (built in setRequestHeader order, copied by AddHTTPHeaderFields) —
//     then the three default User-Agent client hints sec-ch-ua,
//     sec-ch-ua-mobile and sec-ch-ua-platform (only in a secure context) and
//     User-Agent, which Blink adds while preparing the request.
//   - WTF::HashTable: power-of-two table of at least 8 buckets, doubled
//     (and rehashed in bucket order) when keys*2 ≥ buckets after an insert;
//     a key goes to bucket hash&mask, then probes +1, +2, +3… (quadratic
//     probing). CaseFoldingHash is rapidhash over the name's UTF-16
//     code units, ASCII letters folded to lower case, masked to 24 bits
//     (third_party/rapidhash/rapidhash.h, wtf/text/case_folding_hash.h,
//     wtf/text/string_hasher.h).
//
// Confirmed against Chromium 156's own NetLog (CORS_REQUEST's
// request_headers, the exact vector) for 60 random header sets with fetch()
// and 60 with XMLHttpRequest: the full vector order matched in 120 of 120;
// the differential corpus checks the named header.

// chromiumRequestHeaderVector returns the names of the request's headers in
// the order of Chromium's header vector: script is the script's header
// names (fetch(): any order; XMLHttpRequest: the order setRequestHeader was
// called, a Content-Type the browser adds for a body last), secure whether
// the page is a secure context (it then sends the default client hints).
// An Accept not among script comes last, as the browser appends it.
func chromiumRequestHeaderVector(script []string, xhr, secure bool) []string {
	var t wtfTable
	if xhr {
		var own wtfTable
		for _, n := range script {
			own.insert(n)
		}
		for _, n := range own.order() {
			t.insert(n)
		}
	} else {
		sorted := slices.Clone(script)
		slices.SortStableFunc(sorted, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
		for _, n := range sorted {
			t.insert(n)
		}
	}
	if secure {
		t.insert("sec-ch-ua")
		t.insert("sec-ch-ua-mobile")
		t.insert("sec-ch-ua-platform")
	}
	t.insert("User-Agent")
	out := t.order()
	if !slices.ContainsFunc(script, func(n string) bool { return strings.EqualFold(n, "Accept") }) {
		out = append(out, "Accept")
	}
	return out
}

// ChromiumHeaderCheckOrder returns, lower-cased, the request-header names
// that Chromium checks against Access-Control-Allow-Headers, in the order it
// checks them: CorsUnsafeNotForbiddenRequestHeaderNames over the header
// vector (see above). fields are the headers as the request carries them,
// with the value of each name combined; autoAccept reports that the last
// field is the Accept the browser added itself (fetch.DefaultAccept).
func ChromiumHeaderCheckOrder(fields []fetch.HeaderField, autoAccept, xhr, secure bool) []string {
	script := make([]string, 0, len(fields))
	value := map[string]string{}
	for i, f := range fields {
		value[strings.ToLower(f.Name)] = f.Value
		if autoAccept && i == len(fields)-1 {
			continue
		}
		script = append(script, f.Name)
	}
	var unsafe, safe []string
	total := 0
	for _, n := range chromiumRequestHeaderVector(script, xhr, secure) {
		ln := strings.ToLower(n)
		v, ok := value[ln]
		if !ok || fetch.IsForbiddenRequestHeader(n) {
			continue // the browser's own User-Agent and client hints
		}
		if chromiumSafelistedRequestHeader(n, v) {
			safe = append(safe, ln)
			total += len(v)
		} else {
			unsafe = append(unsafe, ln)
		}
	}
	if total > fetch.SafelistedTotalLimit {
		unsafe = append(unsafe, safe...)
	}
	return slices.Compact(unsafe)
}

// wtfTable is the order-relevant part of a WTF::HashTable of header names.
type wtfTable struct {
	buckets []string
	count   int
}

func (t *wtfTable) insert(name string) {
	if t.buckets == nil {
		t.buckets = make([]string, 8)
	}
	for _, b := range t.buckets {
		if b != "" && strings.EqualFold(b, name) {
			return
		}
	}
	t.place(name)
	t.count++
	if t.count*2 >= len(t.buckets) {
		old := t.buckets
		t.buckets = make([]string, 2*len(old))
		for _, b := range old {
			if b != "" {
				t.place(b)
			}
		}
	}
}

func (t *wtfTable) place(name string) {
	mask := uint32(len(t.buckets) - 1)
	i := caseFoldingHash(name) & mask
	for probe := uint32(1); t.buckets[i] != ""; probe++ {
		i = (i + probe) & mask
	}
	t.buckets[i] = name
}

func (t *wtfTable) order() []string {
	out := make([]string, 0, t.count)
	for _, b := range t.buckets {
		if b != "" {
			out = append(out, b)
		}
	}
	return out
}

// caseFoldingHash is WTF's CaseFoldingHash of an ASCII name: rapidhash of
// its UTF-16LE code units with A-Z folded to a-z, masked to 24 bits (0
// becomes 0x800000).
func caseFoldingHash(name string) uint32 {
	b := make([]byte, 2*len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[2*i] = c
	}
	var h uint64
	if len(b) == 2 {
		// A one-character name: CaseFoldingHashReader's ReadSmall returns
		// the folded character itself.
		h = rapidhashWith(b, uint64(b[0]))
	} else {
		h = rapidhashWith(b, 0)
	}
	h &= 1<<24 - 1
	if h == 0 {
		h = 0x800000
	}
	return uint32(h)
}

var rapidSecret = [3]uint64{0x2d358dccaa6c78a5, 0x8bb84b93962eacc9, 0x4b33a62ed433d4a3}

const rapidSeed = 0xbdd89aa982704029

func rapidMix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// rapidhashWith is rapidhash (Nicolas De Carli's, with Chromium's default
// seed and secrets) of p; small is the value Chromium's reader gives for
// inputs of 1 to 3 bytes (they do not occur for UTF-16 input but the
// one-character case, which the caller supplies).
func rapidhashWith(p []byte, small uint64) uint64 {
	n := uint64(len(p))
	r32 := func(o int) uint64 { return uint64(binary.LittleEndian.Uint32(p[o:])) }
	r64 := func(o int) uint64 { return binary.LittleEndian.Uint64(p[o:]) }
	seed := uint64(rapidSeed)
	seed ^= rapidMix(seed^rapidSecret[0], rapidSecret[1]) ^ n
	var a, b uint64
	switch {
	case n >= 4 && n <= 16:
		last := int(n - 4)
		a = r32(0)<<32 | r32(last)
		delta := int((n & 24) >> (n >> 3))
		b = r32(delta)<<32 | r32(last-delta)
	case n > 0 && n < 4:
		a = small
	case n > 16:
		i, o := int(n), 0
		if i > 48 {
			see1, see2 := seed, seed
			for i >= 48 {
				seed = rapidMix(r64(o)^rapidSecret[0], r64(o+8)^seed)
				see1 = rapidMix(r64(o+16)^rapidSecret[1], r64(o+24)^see1)
				see2 = rapidMix(r64(o+32)^rapidSecret[2], r64(o+40)^see2)
				o += 48
				i -= 48
			}
			seed ^= see1 ^ see2
		}
		if i > 16 {
			seed = rapidMix(r64(o)^rapidSecret[2], r64(o+8)^seed^rapidSecret[1])
			if i > 32 {
				seed = rapidMix(r64(o+16)^rapidSecret[2], r64(o+24)^seed)
			}
		}
		a = r64(o + i - 16)
		b = r64(o + i - 8)
	}
	a ^= rapidSecret[1]
	b ^= seed
	hi, lo := bits.Mul64(a, b)
	return rapidMix(lo^rapidSecret[0]^n, hi^rapidSecret[1])
}
