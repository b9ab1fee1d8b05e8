package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/corskit/cors/check"
)

// destinationFlags are explain's flags for a URL the page loads with an
// element or @font-face rather than with fetch() or XMLHttpRequest.
type destinationFlags struct {
	destination, crossorigin string
	module, dynamicImport    bool
}

func (d *destinationFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.destination, "destination", "", "what the page loads URL as, a `kind`: font (@font-face), script, image or style (<link rel=stylesheet>); default: a fetch() or XMLHttpRequest call")
	fs.StringVar(&d.crossorigin, "crossorigin", "", "the element's crossorigin attribute, a `value`: anonymous or use-credentials; without it an <img>, a classic <script> or a stylesheet is a no-cors load")
	fs.BoolVar(&d.module, "module", false, "with --destination script: an ES module (<script type=module>, import()), fetched in CORS mode")
	fs.BoolVar(&d.dynamicImport, "import", false, "with --module: the module is loaded by import() from a classic script or the page, not by <script type=module> (Safari fetches it in mode no-cors)")
}

// value returns --destination as a check.Destination; "fetch" names the
// default.
func (d *destinationFlags) value() check.Destination {
	dest := strings.ToLower(strings.TrimSpace(d.destination))
	if dest == "fetch" {
		dest = ""
	}
	return check.Destination(dest)
}

// isFetch reports whether the request is a fetch() or XMLHttpRequest call.
func (d *destinationFlags) isFetch() bool { return d.value() == check.DestinationFetch }

// apply sets the flags' values on req.
func (d *destinationFlags) apply(req *check.Request) {
	req.Destination = d.value()
	req.CrossOrigin = check.CrossOrigin(strings.ToLower(strings.TrimSpace(d.crossorigin)))
	req.Module = d.module
	req.Import = d.dynamicImport
}

// warnCookie says when --cookie is not sent because the element's
// credentials mode leaves it out.
func warnCookie(stderr io.Writer, req check.Request, r *check.Result) {
	if req.Cookie == "" || r.CredentialsMode == "include" {
		return
	}
	fmt.Fprintf(stderr, "corscheck explain: warning: --cookie is not sent: this %s load has credentials mode %s, so it carries no cookies to another origin (--crossorigin use-credentials would send them)\n", req.Destination, r.CredentialsMode)
}

// printRequestShape prints, for an element's request, its mode and
// credentials mode.
func printRequestShape(w io.Writer, r *check.Result) {
	if r.Destination == check.DestinationFetch {
		return
	}
	fmt.Fprintf(w, "request:   %s: mode %s, credentials %s\n", r.Destination, r.Mode, r.CredentialsMode)
}
