package origin

import (
	"strings"

	"github.com/corskit/cors/internal/fetch"
)

// A Set matches request origins against a fixed list of patterns. It is
// immutable after NewSet and safe for concurrent use. Contains does not
// allocate.
type Set struct {
	few     []string            // serialised origins, when there are few
	exact   map[string]struct{} // serialised origins, when there are many
	anyPort map[string]struct{} // "scheme://host" of ":*" patterns
	subs    []sub               // "*." patterns, scanned in order when few
	bySufx  map[string][]sub    // the same, keyed by ".parent", when many
	// onlyFew is set when few holds every pattern, the commonest kind of
	// set: then Contains decides without a call.
	onlyFew bool
	// fixedSubs is set when the other patterns are all in subs and have a
	// fixed port, the next commonest kind: then containsPatterns needs
	// only matchFixed.
	fixedSubs bool
}

type sub struct {
	scheme string
	suffix string // "." + parent domain
	port   string // "" (default), AnyPort, or decimal
	// For a fixed port, what a matching origin starts and ends with:
	// "https://" and ".example.com" or ".example.com:8443". The labels in
	// between are all that is left to check, so no split is needed.
	prefix, tail string
}

// linearLimit is the number of exact origins, or of subdomain patterns, up
// to which comparing each in turn beats hashing (once for the origin, or
// once per label of the request's host).
const linearLimit = 8

// NewSet returns a Set that contains the origins matched by any of patterns.
func NewSet(patterns []Pattern) *Set {
	s := &Set{}
	for _, p := range patterns {
		switch {
		case p.Subdomains:
			w := sub{scheme: p.Scheme, suffix: "." + p.Host, port: p.Port, prefix: p.Scheme + "://"}
			w.tail = w.suffix
			if p.Port != "" {
				w.tail += ":" + p.Port
			}
			s.subs = append(s.subs, w)
		case p.Port == AnyPort:
			if s.anyPort == nil {
				s.anyPort = make(map[string]struct{})
			}
			s.anyPort[p.Scheme+"://"+p.Host] = struct{}{}
		default:
			if s.exact == nil {
				s.exact = make(map[string]struct{})
			}
			s.exact[p.String()] = struct{}{}
		}
	}
	if len(s.exact) <= linearLimit {
		for o := range s.exact {
			s.few = append(s.few, o)
		}
		s.exact = nil
	}
	if len(s.subs) > linearLimit {
		s.bySufx = make(map[string][]sub)
		for _, w := range s.subs {
			s.bySufx[w.suffix] = append(s.bySufx[w.suffix], w)
		}
		s.subs = nil
	}
	s.onlyFew = s.exact == nil && s.anyPort == nil && s.subs == nil && s.bySufx == nil
	s.fixedSubs = s.exact == nil && s.anyPort == nil && s.subs != nil
	for _, w := range s.subs {
		if w.port == AnyPort {
			s.fixedSubs = false
		}
	}
	return s
}

// Contains reports whether the request origin o is matched by a pattern of
// the set. o is compared as the browser serialised it: any other spelling
// (upper case, a trailing slash, an explicit default port) does not match.
//
// Contains is small enough to be inlined: a set of a few exact origins is
// decided there, and the other kinds of pattern are a call away.
func (s *Set) Contains(o string) bool {
	for _, e := range s.few {
		if e == o {
			return true
		}
	}
	return !s.onlyFew && s.containsPatterns(o)
}

// containsPatterns is Contains for the origins that are not among s.few.
func (s *Set) containsPatterns(o string) bool {
	if s.fixedSubs {
		for i := range s.subs {
			if s.subs[i].matchFixed(o) {
				return true
			}
		}
		return false
	}
	if _, ok := s.exact[o]; ok {
		return true
	}
	if s.anyPort == nil && s.subs == nil && s.bySufx == nil {
		return false
	}
	if s.anyPort == nil && s.bySufx == nil {
		return s.containsSub(o, "", false)
	}
	scheme, host, port, ok := split(o)
	if !ok {
		return false
	}
	if s.anyPort != nil {
		// o starts with scheme://host, so this slice is the map key.
		if _, ok := s.anyPort[o[:len(scheme)+3+len(host)]]; ok {
			return true
		}
	}
	if s.subs != nil {
		return s.containsSub(o, host, true)
	}
	if s.bySufx != nil {
		// Try every proper suffix of host that starts at a dot, shortest
		// prefix first; each candidate is a substring, so nothing allocates.
		for i := 1; i < len(host); i++ {
			if host[i] != '.' {
				continue
			}
			for _, w := range s.bySufx[host[i:]] {
				if w.scheme == scheme && (w.port == AnyPort || w.port == port) && isLabels(host[:i]) {
					return true
				}
			}
		}
	}
	return false
}

// containsSub reports whether a "*." pattern of the (short) list matches o.
// A fixed-port pattern needs no split: o must start with its scheme, end
// with its parent domain (and port), and hold only DNS labels in between.
// When the caller has already split o, known is true and host is its host.
func (s *Set) containsSub(o, host string, known bool) bool {
	splitDone, splitOK := known, known
	for i := range s.subs {
		w := &s.subs[i]
		if w.port != AnyPort {
			if w.matchFixed(o) {
				return true
			}
			continue
		}
		// Any port: the host ends where a valid port (or nothing) starts.
		if !splitDone {
			_, host, _, splitOK = split(o)
			splitDone = true
		}
		if splitOK && len(host) > len(w.suffix) && strings.HasSuffix(host, w.suffix) &&
			strings.HasPrefix(o, w.prefix) && isLabels(host[:len(host)-len(w.suffix)]) {
			return true
		}
	}
	return false
}

// matchFixed reports whether o matches w, a pattern with a fixed port,
// without splitting o: o must start with w's scheme, end with its parent
// domain (and port), and hold only DNS labels in between.
func (w *sub) matchFixed(o string) bool {
	end := len(o) - len(w.tail)
	return end > len(w.prefix) && o[:len(w.prefix)] == w.prefix && o[end:] == w.tail &&
		isLabels(o[len(w.prefix):end])
}

// split cuts a request origin into scheme, host and port without
// allocating. It is lenient about the scheme and host, because membership
// in the set of validated patterns is what decides, but it requires a valid
// port, so that ":*" patterns never match garbage.
func split(o string) (scheme, host, port string, ok bool) {
	i := strings.Index(o, "://")
	if i <= 0 {
		return "", "", "", false
	}
	scheme, rest := o[:i], o[i+3:]
	if strings.HasPrefix(rest, "[") {
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			return "", "", "", false
		}
		host, rest = rest[:j+1], rest[j+1:]
		if rest != "" {
			if rest[0] != ':' {
				return "", "", "", false
			}
			port = rest[1:]
			if !fetch.IsPort(port) {
				return "", "", "", false
			}
		}
		return scheme, host, port, true
	}
	host = rest
	if j := strings.LastIndexByte(rest, ':'); j >= 0 {
		host, port = rest[:j], rest[j+1:]
		if !fetch.IsPort(port) {
			return "", "", "", false
		}
	}
	return scheme, host, port, host != ""
}

// isLabels reports whether s is one or more DNS labels joined by dots: the
// part of a host that the "*" of a "*." pattern stands for.
func isLabels(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		// s[0] is not a dot, so s[i-1] exists when s[i] is one.
		if c := labelBytes[s[i]]; c != labelByte && (c != dotByte || s[i-1] == '.') {
			return false
		}
	}
	return true
}

// The classes of labelBytes.
const (
	otherByte = iota
	labelByte
	dotByte
)

// labelBytes classifies the bytes of a host for isLabels: those that may
// appear in a label (fetch.IsDomainByte), the dot, and everything else. One
// lookup per byte costs less than IsDomainByte's comparisons.
var labelBytes = func() (t [256]uint8) {
	for b := range t {
		if fetch.IsDomainByte(byte(b)) {
			t[b] = labelByte
		}
	}
	t['.'] = dotByte
	return t
}()
