// Package origin parses the origin patterns of a CORS policy and matches
// request origins against a set of them.
//
// A pattern is an origin as a browser serialises it (see fetch.ParseOrigin),
// with two optional wildcards and nothing else:
//
//	https://example.com        exactly that origin
//	https://*.example.com      any subdomain, one or more labels deep, never the apex
//	http://localhost:*         any port, including none
//	https://*.example.com:*    both
//
// Matching is byte-exact on the serialised origin, because the browser
// compares Access-Control-Allow-Origin with its own origin byte for byte
// (Fetch §4.10, "CORS check"). There are no regular expressions and no
// substring tests, so "https://evilexample.com" and
// "https://example.com.evil.com" can never match "https://example.com".
package origin

import (
	"strings"

	"github.com/corskit/cors/internal/fetch"
)

// AnyPort is the Port of a pattern written with ":*".
const AnyPort = "*"

// A Pattern is a validated origin pattern.
type Pattern struct {
	Scheme string
	// Host is the host, or for a subdomain pattern the parent domain
	// (without the "*." in front).
	Host string
	// Port is "" for the scheme's default port, AnyPort for ":*", or a
	// decimal port.
	Port string
	// Subdomains is set for "*." patterns: one or more labels in front of
	// Host, never Host itself.
	Subdomains bool
}

// String returns the pattern as it is written in a policy.
func (p Pattern) String() string {
	var b strings.Builder
	b.WriteString(p.Scheme)
	b.WriteString("://")
	if p.Subdomains {
		b.WriteString("*.")
	}
	b.WriteString(p.Host)
	if p.Port != "" {
		b.WriteByte(':')
		b.WriteString(p.Port)
	}
	return b.String()
}

// Parse parses one origin pattern. It does not handle the special policy
// values "*" and "null"; the caller decides what those mean.
func Parse(s string) (Pattern, error) {
	i := strings.Index(s, "://")
	if i < 0 || strings.Contains(s[:i], "*") {
		if strings.Contains(s, "*") && i >= 0 {
			return Pattern{}, &fetch.OriginError{Input: s, Problem: `"*" in the scheme: a wildcard can only stand for subdomains ("https://*.example.com") or the port ("http://localhost:*")`}
		}
		_, err := fetch.ParseOrigin(s)
		return Pattern{}, err
	}
	scheme, rest := s[:i], s[i+3:]
	authority, tail := rest, ""
	if end := strings.IndexAny(rest, "/?#"); end >= 0 {
		authority, tail = rest[:end], rest[end:]
	}
	var p Pattern
	if strings.HasPrefix(authority, "*.") {
		p.Subdomains = true
		authority = authority[2:]
	}
	if strings.HasSuffix(authority, ":*") {
		p.Port = AnyPort
		authority = authority[:len(authority)-2]
	}
	if strings.Contains(authority, "*") || strings.Contains(tail, "*") {
		problem := `"*" in the wrong place: a wildcard can only stand for subdomains ("https://*.example.com") or the port ("http://localhost:*")`
		if authority == "" || authority == "*" {
			problem = `"*" as the whole host would allow every site: write "*" alone to allow every origin, or name the parent domain ("https://*.example.com")`
		}
		return Pattern{}, &fetch.OriginError{Input: s, Problem: problem}
	}
	o, err := fetch.ParseOrigin(scheme + "://" + authority + tail)
	if err != nil {
		if oe, ok := err.(*fetch.OriginError); ok {
			// Report against what the user wrote, and put the wildcards
			// back into the suggestion.
			fixed := *oe
			fixed.Input = s
			if fixed.Instead != "" {
				if p.Subdomains {
					fixed.Instead = strings.Replace(fixed.Instead, "://", "://*.", 1)
				}
				if p.Port == AnyPort {
					fixed.Instead += ":*"
				}
			}
			return Pattern{}, &fixed
		}
		return Pattern{}, err
	}
	if p.Subdomains && fetch.IsIPHost(o.Host) {
		return Pattern{}, &fetch.OriginError{Input: s, Problem: `"*." can only stand in front of a domain name, not an IP address`}
	}
	p.Scheme, p.Host = o.Scheme, o.Host
	if p.Port == "" {
		p.Port = o.Port
	}
	return p, nil
}
