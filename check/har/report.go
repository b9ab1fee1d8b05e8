package har

import (
	"cmp"
	"slices"

	"github.com/corskit/cors/check"
)

// Report is what Judge makes of a HAR: every cross-origin request the page
// made, judged, and grouped by root cause.
type Report struct {
	// Writer is what wrote the HAR, and Browser the browser whose rules
	// judged it (the one that recorded it, unless Options.Browser says
	// otherwise).
	Writer  Writer        `json:"writer"`
	Browser check.Browser `json:"browser"`
	// Requests are the cross-origin requests, in the order of the file.
	Requests []*Request `json:"requests"`
	// Groups gathers Requests by root cause, the blocked first.
	Groups []Group `json:"groups"`
	// Skipped are entries that are not cross-origin requests corscheck
	// judges (navigations, WebSockets, same-origin requests are not
	// listed, only counted in Summary), with the reason.
	Skipped []Skipped `json:"skipped,omitempty"`
	Summary Summary   `json:"summary"`
}

// Writer describes the program that wrote the HAR and what such a HAR
// keeps and drops (see the package documentation).
type Writer struct {
	Creator Software `json:"creator"`
	Browser Software `json:"browser"`
	// Name is the writer as corscheck knows it: "Playwright", "Firefox",
	// "Chrome DevTools", "Safari Web Inspector", or the creator's name.
	Name string `json:"name"`
	// Notes say what this writer leaves out that a verdict may need.
	Notes []string `json:"notes,omitempty"`
}

// Verdict is what became of a request.
type Verdict string

const (
	// Allowed: the page could read the response.
	Allowed Verdict = "allowed"
	// Blocked: CORS kept the response from the page. Request.Reason is
	// empty when the HAR shows that the request failed but not why.
	Blocked Verdict = "blocked"
	// Opaque: a no-cors load (an <img>, <script> or stylesheet without
	// crossorigin): no CORS check runs and the page cannot read it.
	Opaque Verdict = "opaque"
	// Failed: the request failed for a reason other than CORS that the
	// writer recorded (the connection was refused, a browser extension
	// blocked it, …).
	Failed Verdict = "failed"
	// Unknown: the HAR shows neither a response to judge nor a failure.
	Unknown Verdict = "unknown"
)

// Request is one cross-origin request of the HAR and its judgement.
type Request struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	// Entries are the indexes in log.entries of the request and of each
	// hop of its redirect chain; Preflights those of the preflights
	// recorded for it.
	Entries    []int `json:"entries"`
	Preflights []int `json:"preflights,omitempty"`
	// PageOrigin is the origin of the page that made the request, and
	// OriginFrom where in the HAR it was read.
	PageOrigin string `json:"pageOrigin"`
	OriginFrom string `json:"originFrom"`
	// Kind is what made the request: "fetch", "XMLHttpRequest", a font,
	// script, image or style load.
	Kind string `json:"kind"`

	Verdict Verdict `json:"verdict"`
	// Stage, Reason, FailedParameter, Console, Explanation and Fix are
	// check.Result's, for the exchanges recorded.
	Stage           check.Stage     `json:"stage,omitempty"`
	Reason          check.CorsError `json:"reason,omitempty"`
	FailedParameter string          `json:"failedParameter,omitempty"`
	// Message is the first console line the browser prints (Console all
	// of them); empty when the HAR does not show why.
	Message     string   `json:"message,omitempty"`
	Console     []string `json:"console,omitempty"`
	Explanation string   `json:"explanation,omitempty"`
	Fix         string   `json:"fix,omitempty"`
	Warnings    []string `json:"warnings,omitempty"`

	// Missing says what the HAR does not show that the verdict needed.
	Missing []string `json:"missing,omitempty"`
	// Assumed are the facts the HAR does not record that the verdict
	// was reached with (credentials mode, fetch() or XMLHttpRequest);
	// Alternatives are the verdicts under the other possibilities, where
	// they differ.
	Assumed      Assumption    `json:"assumed"`
	Alternatives []Alternative `json:"alternatives,omitempty"`
	// Inferred notes what the verdict took from the recording's evidence
	// rather than from a recorded exchange (a preflight the browser must
	// have passed, since it sent the request).
	Inferred []string `json:"inferred,omitempty"`
	// LocalNetworkAccess, when not empty, says that the HAR does not
	// record the address the page's or the target's host name had (its
	// serverIPAddress), so that Chromium's Local Network Access, which
	// goes by that address, is not judged: corscheck does no DNS lookup.
	// Where the HAR has the addresses, LNA is judged from them, and
	// Result.LocalNetworkAccess holds the judgement.
	LocalNetworkAccess string `json:"localNetworkAccess,omitempty"`

	// Recorded is the writer's own record of the outcome;
	// Disagreement, when not empty, says how it contradicts Verdict.
	Recorded     Recorded `json:"recorded"`
	Disagreement string   `json:"disagreement,omitempty"`

	// Explain is the corscheck explain command that repeats the request
	// live; Settle reports that the verdict depends on what it would
	// show (Missing, Alternatives or a Disagreement).
	Explain string `json:"explain"`
	Settle  bool   `json:"settle,omitempty"`
	// Live is the check.Request that command makes (with SendActual set:
	// the command leaves it to the user), for a program that settles it
	// with check.Explain itself.
	Live check.Request `json:"live"`

	// Result is check.Explain's result on the recorded exchanges, when it
	// judged them.
	Result *check.Result `json:"result,omitempty"`
}

// Assumption is one way the page may have made a request, where the HAR
// does not say.
type Assumption struct {
	Credentials bool            `json:"credentials"`
	Initiator   check.Initiator `json:"initiator,omitempty"`
	// CredentialsKnown and InitiatorKnown say whether the HAR records
	// them (a Cookie header proves credentials; _resourceType names
	// fetch or xhr).
	CredentialsKnown bool `json:"credentialsKnown"`
	InitiatorKnown   bool `json:"initiatorKnown"`
	// Module: a script loaded in CORS mode is an ES module (<script
	// type=module>), not a classic <script crossorigin>, which no writer
	// tells apart and Safari logs differently. ModuleUnknown says the
	// HAR leaves it open (only for such scripts).
	Module        bool `json:"module,omitempty"`
	ModuleUnknown bool `json:"moduleUnknown,omitempty"`
}

// Alternative is the verdict under another Assumption.
type Alternative struct {
	Assumed Assumption      `json:"assumed"`
	If      string          `json:"if"`
	Verdict Verdict         `json:"verdict"`
	Reason  check.CorsError `json:"reason,omitempty"`
	Message string          `json:"message,omitempty"`
	Console []string        `json:"console,omitempty"`
}

// Recorded is what the writer recorded of the outcome of the request's
// last hop.
type Recorded struct {
	Status  int    `json:"status"`
	Failure string `json:"failure,omitempty"`
	// Outcome is "failed" (no response, or a failure text), "received"
	// (a writer that records CORS failures delivered the response), or
	// "response" (a response, from a writer that does not record CORS
	// failures: Firefox).
	Outcome string `json:"outcome"`
}

// Skipped is an entry Judge did not judge.
type Skipped struct {
	Entry  int    `json:"entry"`
	Method string `json:"method"`
	URL    string `json:"url"`
	Why    string `json:"why"`
}

// Group is the requests that share a root cause: a verdict, a reason and
// the origin that answered.
type Group struct {
	Verdict  Verdict         `json:"verdict"`
	Reason   check.CorsError `json:"reason,omitempty"`
	Origin   string          `json:"origin,omitempty"`
	Requests []int           `json:"requests"` // indexes into Report.Requests
}

// Summary counts the requests by verdict.
type Summary struct {
	Entries       int `json:"entries"`
	CrossOrigin   int `json:"crossOrigin"`
	Allowed       int `json:"allowed"`
	Blocked       int `json:"blocked"`
	Opaque        int `json:"opaque"`
	Failed        int `json:"failed"`
	Unknown       int `json:"unknown"`
	Disagreements int `json:"disagreements"`
	// Settle counts the requests whose verdict a live corscheck explain
	// would settle.
	Settle  int `json:"settle"`
	Skipped int `json:"skipped"`
	// NotCrossOrigin counts same-origin requests, navigations and
	// WebSockets, which CORS does not govern.
	NotCrossOrigin int `json:"notCrossOrigin"`
}

// verdictOrder ranks verdicts for the order of the groups.
var verdictOrder = map[Verdict]int{Blocked: 0, Unknown: 1, Failed: 2, Allowed: 3, Opaque: 4}

// group fills r.Groups and r.Summary.
func (r *Report) group() {
	type key struct {
		v      Verdict
		r      check.CorsError
		origin string
	}
	idx := map[key]int{}
	for i, q := range r.Requests {
		g := key{q.Verdict, q.Reason, ""}
		if q.Verdict == Blocked && q.Reason != "" {
			g.origin = originOf(q.failedAt())
		}
		k, ok := idx[g]
		if !ok {
			k = len(r.Groups)
			idx[g] = k
			r.Groups = append(r.Groups, Group{Verdict: g.v, Reason: g.r, Origin: g.origin})
		}
		r.Groups[k].Requests = append(r.Groups[k].Requests, i)
		switch q.Verdict {
		case Allowed:
			r.Summary.Allowed++
		case Blocked:
			r.Summary.Blocked++
		case Opaque:
			r.Summary.Opaque++
		case Failed:
			r.Summary.Failed++
		default:
			r.Summary.Unknown++
		}
		if q.Disagreement != "" {
			r.Summary.Disagreements++
		}
		if q.Settle {
			r.Summary.Settle++
		}
	}
	r.Summary.CrossOrigin = len(r.Requests)
	r.Summary.Skipped = len(r.Skipped)
	slices.SortStableFunc(r.Groups, func(a, b Group) int {
		if c := cmp.Compare(verdictOrder[a.Verdict], verdictOrder[b.Verdict]); c != 0 {
			return c
		}
		return cmp.Compare(len(b.Reason), len(a.Reason)) // with a reason first
	})
}

// failedAt is the URL of the hop where a blocked request failed.
func (q *Request) failedAt() string {
	if q.Result != nil && q.Result.URL != "" {
		return q.Result.URL
	}
	return q.URL
}
