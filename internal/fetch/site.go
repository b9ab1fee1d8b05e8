package fetch

import (
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Site returns the host part of o's site (HTML §7.1.1, "obtain a site"): its
// registrable domain, the label in front of its public suffix on the Public
// Suffix List ("example.com" for api.example.com, "user.github.io" for
// app.user.github.io), or the host itself for an IP address or a name with
// no registrable domain ("localhost").
//
// Cookies follow sites, not origins: a SameSite=Lax or Strict cookie set by
// one site is neither stored nor sent on a fetch or XMLHttpRequest that a
// page on another site makes (RFC 6265bis §5.2), and browsers that block
// third-party cookies withhold SameSite=None ones too.
func Site(o Origin) string {
	if IsIPHost(o.Host) {
		return o.Host
	}
	h := strings.TrimSuffix(o.Host, ".")
	if d, err := publicsuffix.EffectiveTLDPlusOne(h); err == nil {
		return d
	}
	return h
}

// SameSite reports whether a and b are same site, schemefully (HTML
// §7.1.1.1, "same site"): the same scheme and the same Site. Two ports of
// one host are one site; localhost and 127.0.0.1 are two.
func SameSite(a, b Origin) bool {
	return a.Scheme == b.Scheme && Site(a) == Site(b)
}
