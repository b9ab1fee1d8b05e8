package cors

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corskit/cors/internal/fetch"
)

// A Difference is one field on which a response's CORS answer differs
// from the policy's in a way a browser, or an HTTP cache, acts on. Compare
// returns them.
type Difference struct {
	// Field is the header that differs, named as http.CanonicalHeaderKey
	// names it (Access-Control-Allow-Origin, Vary, …), or StatusField.
	Field string
	// Response is what the response says: the header's lines combined as
	// a browser combines them ("a, b"), or the status code; "" when the
	// response has no such header.
	Response string
	// Policy is what the policy says, in the same form; "" when the policy
	// sends no such header. For Vary, it lists the fields the policy
	// varies on that the response's Vary leaves out.
	Policy string
}

// StatusField is the Field of a Difference in the response's status: a
// preflight's status, when the policy answers the preflight, or a
// WebSocket handshake's.
const StatusField = "status"

// String reads, for example,
// `Access-Control-Allow-Origin: response "*", policy "https://app.example.com"`,
// with (none) for an absent value. The values are quoted as written, so a
// log line of them can be as long as the headers are.
func (d Difference) String() string {
	return d.Field + ": response " + showValue(d.Response) + ", policy " + showValue(d.Policy)
}

func showValue(v string) string {
	if v == "" {
		return "(none)"
	}
	return strconv.Quote(v)
}

// Compare returns the ways in which a response with this status and
// header, answered by something other than this policy (an application's
// own CORS code, or the upstream behind a proxy), differs from the answer
// the policy decided on; none means that a browser would act on both
// alike. It is what a shadow deployment reports before the policy is
// enforced: the requests are served as they are, and each difference is
// logged and counted, as Envoy's CORS filter does with shadow_enabled
// (it evaluates the policy and counts origin_valid and origin_invalid
// without enforcing it). corsgate's report-only mode is built on it.
//
// Only what a browser acts on is compared, so that differences that would
// change no page's outcome are not reported:
//
//   - a request that is not CORS: nothing (the browser checks nothing);
//   - every CORS response: Access-Control-Allow-Origin, byte for byte with
//     all its lines combined, as the browser reads it (a duplicated value
//     is a difference: the browser fails the check, Fetch §4.9), and
//     Access-Control-Allow-Credentials;
//   - the response to an actual request: Access-Control-Expose-Headers, as
//     a set of names without regard to case, leaving out the
//     CORS-safelisted response headers that every page may read anyway
//     (Fetch §2.2.6); and the fields of the policy's Vary that the
//     response's Vary does not name (Origin, unless Vary is "*"), without
//     which a cache may serve one origin's answer to another (Fetch §3.2.6,
//     "CORS protocol and HTTP caches");
//   - the response to a preflight: whether its status is ok (2xx, Fetch
//     §4.8 step 7), when the policy decides the status (Decision.Status is
//     not 0); Access-Control-Allow-Methods as a set of methods compared
//     with case, leaving out GET, HEAD and POST, which a browser allows
//     whatever the header says (Fetch §4.8 step 8);
//     Access-Control-Allow-Headers as a set of names without case;
//     Access-Control-Max-Age; Access-Control-Allow-Private-Network;
//   - a WebSocket handshake: whether the response switched protocols (101)
//     for an origin the policy refuses, which GuardWebSockets and
//     CheckOrigin answer 403. Browsers apply no CORS to the handshake's
//     answer, so its headers are not compared.
//
// A list that does not parse as a list of tokens is compared as written.
// Headers that mean nothing where they appear (the preflight-only ones on
// other responses, Vary on a preflight, which HTTP caches do not store,
// RFC 9110 §9.3.7) are not compared.
//
// Compare writes the policy's headers into a header map of its own, so it
// allocates; Handler never calls it.
func (d Decision) Compare(status int, h http.Header) []Difference {
	if d.kind == NotCORS {
		return nil
	}
	if d.kind == WebSocketHandshake {
		if d.reason != "" && status == http.StatusSwitchingProtocols {
			return []Difference{{Field: StatusField, Response: strconv.Itoa(status), Policy: strconv.Itoa(http.StatusForbidden)}}
		}
		return nil
	}
	policy := make(http.Header, 8)
	d.write(policy)
	c := comparison{response: h, policy: policy}
	preflight := d.kind == PreflightRequest
	if preflight && d.status != 0 && fetch.IsOKStatus(d.status) != fetch.IsOKStatus(status) {
		c.add(StatusField, statusText(status), statusText(d.status))
	}
	c.exact(fetch.HeaderAllowOrigin)
	c.exact(fetch.HeaderAllowCredentials)
	if preflight {
		c.set(fetch.HeaderAllowMethods, false, fetch.IsSafelistedMethod)
		c.set(fetch.HeaderAllowHeaders, true, nil)
		c.exact(fetch.HeaderMaxAge)
		c.exact(fetch.HeaderAllowPrivateNetwork)
		return c.out
	}
	c.set(fetch.HeaderExposeHeaders, true, fetch.IsSafelistedResponseHeader)
	c.vary()
	return c.out
}

// A comparison collects the differences between two header maps.
type comparison struct {
	response, policy http.Header
	out              []Difference
}

func (c *comparison) add(field, response, policy string) {
	c.out = append(c.out, Difference{Field: field, Response: response, Policy: policy})
}

// exact compares a header's combined value byte for byte.
func (c *comparison) exact(name string) {
	r, _ := fetch.CombinedValue(c.response, name)
	p, _ := fetch.CombinedValue(c.policy, name)
	if r != p {
		c.add(name, r, p)
	}
}

// set compares a #token list as a set, without case if fold, leaving out
// the elements ignore accepts.
func (c *comparison) set(name string, fold bool, ignore func(string) bool) {
	r, _ := fetch.CombinedValue(c.response, name)
	p, _ := fetch.CombinedValue(c.policy, name)
	if !sameSet(r, p, fold, ignore) {
		c.add(name, r, p)
	}
}

// vary reports the fields of the policy's Vary that the response's Vary
// does not name.
func (c *comparison) vary() {
	have := c.response[fetch.HeaderVary]
	if fetch.ListHas(have, "*") {
		return
	}
	var missing []string
	for _, line := range c.policy[fetch.HeaderVary] {
		fields, _ := fetch.ParseTokenList(line)
		for _, f := range fields {
			if !fetch.ListHas(have, f) {
				missing = append(missing, f)
			}
		}
	}
	if len(missing) > 0 {
		r, _ := fetch.CombinedValue(c.response, fetch.HeaderVary)
		c.add(fetch.HeaderVary, r, strings.Join(missing, ", "))
	}
}

// sameSet compares two #token lists as sets. Lists that do not parse are
// compared as written.
func sameSet(r, p string, fold bool, ignore func(string) bool) bool {
	rt, rok := fetch.ParseTokenList(r)
	pt, pok := fetch.ParseTokenList(p)
	if !rok || !pok {
		return r == p
	}
	return slices.Equal(setOf(rt, fold, ignore), setOf(pt, fold, ignore))
}

// setOf returns list's elements, lower-cased if fold, without those ignore
// accepts, sorted and without duplicates.
func setOf(list []string, fold bool, ignore func(string) bool) []string {
	out := list[:0:0]
	for _, e := range list {
		if ignore != nil && ignore(e) {
			continue
		}
		if fold {
			e = strings.ToLower(e)
		}
		out = append(out, e)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// statusText is a status code as a Difference shows it, "" for none.
func statusText(status int) string {
	if status == 0 {
		return ""
	}
	return strconv.Itoa(status)
}
