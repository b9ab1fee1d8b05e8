package gateway

import (
	"net/http"
	"strings"
)

// scrub removes from the upstream request the headers a client must not
// be able to set: names with an underscore (nginx drops them unless
// underscores_in_headers is on: CGI-style backends read X_Real_IP as
// X-Real-IP), the path overrides, and, from an untrusted peer, the
// forwarding headers that frameworks believe.
func scrub(h http.Header, trusted bool) {
	for k := range h {
		if strings.IndexByte(k, '_') >= 0 || pathOverride(k) || !trusted && untrustedForwarding(k) {
			delete(h, k)
		}
	}
}

// pathOverride reports the headers with which Symfony, Zend, IIS's URL
// rewrite and others let a request replace its own path: the gateway
// judged the path, so no header may change it, whoever sent it.
func pathOverride(k string) bool {
	switch k {
	case "X-Original-Url", "X-Rewrite-Url", "X-Envoy-Original-Path":
		return true
	}
	return false
}

// untrustedForwarding reports the headers that tell a backend who the
// client is, where it connected, and under which scheme, port or prefix
// the application is mounted (Werkzeug's ProxyFix, Spring's
// ForwardedHeaderFilter, Express's trust proxy, Rails, Laravel read
// them). X-Forwarded-For, -Host and -Proto are set by the gateway itself
// (rewrite).
func untrustedForwarding(k string) bool {
	switch k {
	case "X-Forwarded-Port", "X-Forwarded-Prefix", "X-Forwarded-Server", "X-Forwarded-Ssl",
		"X-Forwarded-Scheme", "X-Forwarded-Uri", "X-Forwarded-Path", "X-Forwarded-Client-Cert",
		"X-Real-Ip", "True-Client-Ip", "X-Client-Ip", "X-Cluster-Client-Ip", "X-Originating-Ip",
		"X-Remote-Ip", "X-Remote-Addr", "Cf-Connecting-Ip", "Fastly-Client-Ip",
		"X-Url-Scheme", "Front-End-Https", "X-Original-Host", "X-Host":
		return true
	}
	return false
}
