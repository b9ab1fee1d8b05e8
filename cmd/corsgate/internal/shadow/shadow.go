// Package shadow compares the CORS answer an upstream gave with the one a
// policy would have given: corsgate's report-only mode, after Envoy's
// "shadow" CORS policies, which evaluate without enforcing.
//
// Only what a browser acts on is compared, so that a team switching from
// its own CORS code to corsgate sees the differences that would change a
// page's outcome and not the ones that would not:
//
//   - on every CORS response: Access-Control-Allow-Origin (byte for byte,
//     all its lines combined as the browser combines them, so a duplicated
//     value is a difference) and Access-Control-Allow-Credentials;
//   - on a response to an actual request: Access-Control-Expose-Headers as
//     a set of names without regard to case, leaving out the safelisted
//     response headers that every page may read anyway; and whether Vary
//     names every field the policy varies on (Origin), without which a
//     cache may serve one origin's answer to another;
//   - on a preflight response: whether its status is ok (2xx), when the
//     policy decides the status; Access-Control-Allow-Methods as a set of
//     methods compared with case, leaving out GET, HEAD and POST, which a
//     browser allows whatever the header says (Fetch §4.8 step 8);
//     Access-Control-Allow-Headers as a set of names without case;
//     Access-Control-Max-Age; Access-Control-Allow-Private-Network.
//
// The browser ignores the preflight-only headers on other responses, and
// HTTP caches do not store responses to OPTIONS (RFC 9110 §9.3.7), so
// those are not compared where they mean nothing.
package shadow

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corskit/cors/internal/fetch"
)

// An Answer is the part of a response that carries a CORS answer.
type Answer struct {
	// Status is the response status; 0 when the answerer does not decide
	// it (an actual request, or a preflight the policy passes through).
	Status int
	Header http.Header
}

// A Difference is one field on which the two answers disagree.
type Difference struct {
	// Field is a header name, or "status".
	Field string
	// Upstream and Policy are the two values, "" when absent. Long values
	// are cut.
	Upstream, Policy string
}

// String reads `Access-Control-Allow-Origin: upstream "*", policy "https://a.example"`.
func (d Difference) String() string {
	return d.Field + ": upstream " + show(d.Upstream) + ", policy " + show(d.Policy)
}

func show(v string) string {
	if v == "" {
		return "(none)"
	}
	return `"` + v + `"`
}

// maxValue bounds the values a Difference carries: they come from the
// upstream and, through reflection, from the request, and end up in logs.
const maxValue = 200

// Compare returns the differences between the upstream's answer and the
// policy's, for a preflight or an actual request; none means the browser
// would act the same on both.
func Compare(preflight bool, upstream, policy Answer) []Difference {
	var out []Difference
	add := func(field, u, p string) {
		out = append(out, Difference{Field: field, Upstream: cut(u), Policy: cut(p)})
	}
	exact := func(name string) {
		u, _ := fetch.CombinedValue(upstream.Header, name)
		p, _ := fetch.CombinedValue(policy.Header, name)
		if u != p {
			add(name, u, p)
		}
	}
	set := func(name string, fold bool, ignore func(string) bool) {
		u, _ := fetch.CombinedValue(upstream.Header, name)
		p, _ := fetch.CombinedValue(policy.Header, name)
		if !sameSet(u, p, fold, ignore) {
			add(name, u, p)
		}
	}

	if preflight && policy.Status != 0 && fetch.IsOKStatus(policy.Status) != fetch.IsOKStatus(upstream.Status) {
		add("status", itoa(upstream.Status), itoa(policy.Status))
	}
	exact(fetch.HeaderAllowOrigin)
	exact(fetch.HeaderAllowCredentials)
	if preflight {
		set(fetch.HeaderAllowMethods, false, fetch.IsSafelistedMethod)
		set(fetch.HeaderAllowHeaders, true, nil)
		exact(fetch.HeaderMaxAge)
		exact(fetch.HeaderAllowPrivateNetwork)
		return out
	}
	set(fetch.HeaderExposeHeaders, true, fetch.IsSafelistedResponseHeader)
	var missing []string
	for _, want := range policy.Header[fetch.HeaderVary] {
		for f := range strings.SplitSeq(want, ",") {
			if f = strings.TrimSpace(f); f != "" && !fetch.ListHas(upstream.Header[fetch.HeaderVary], f) && !fetch.ListHas(upstream.Header[fetch.HeaderVary], "*") {
				missing = append(missing, f)
			}
		}
	}
	if len(missing) > 0 {
		u, _ := fetch.CombinedValue(upstream.Header, fetch.HeaderVary)
		add(fetch.HeaderVary, u, strings.Join(missing, ", "))
	}
	return out
}

// sameSet compares two #token lists as sets, leaving out the elements
// ignore accepts. Lists that do not parse are compared as written.
func sameSet(u, p string, fold bool, ignore func(string) bool) bool {
	ut, uok := fetch.ParseTokenList(u)
	pt, pok := fetch.ParseTokenList(p)
	if !uok || !pok {
		return u == p
	}
	return slices.Equal(normal(ut, fold, ignore), normal(pt, fold, ignore))
}

func normal(list []string, fold bool, ignore func(string) bool) []string {
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

func cut(s string) string {
	if len(s) > maxValue {
		return s[:maxValue] + "…"
	}
	return s
}

func itoa(status int) string {
	if status == 0 {
		return ""
	}
	return strconv.Itoa(status)
}
