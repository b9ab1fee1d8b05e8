package driver

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// firefoxPrefs is the user.js of every fresh profile: no network service may
// reach the internet (the machine has none, and a test must not depend on a
// server elsewhere), no first-run page, no upgrade of http: to https:, and
// nothing that would add requests the suite's servers would count.
var firefoxPrefs = []struct {
	name  string
	value any
}{
	// Updates of the browser, add-ons, search engines, system add-ons.
	{"app.update.disabledForTesting", true},
	{"app.update.auto", false},
	{"app.update.checkInstallTime", false},
	{"extensions.update.enabled", false},
	{"extensions.update.autoUpdateDefault", false},
	{"extensions.getAddons.cache.enabled", false},
	{"extensions.systemAddon.update.enabled", false},
	{"extensions.blocklist.enabled", false},
	{"browser.search.update", false},
	{"media.gmp-manager.url", ""},
	{"media.gmp-manager.updateEnabled", false},
	// Telemetry, health report, studies (Normandy, Shield), crash reports.
	{"toolkit.telemetry.enabled", false},
	{"toolkit.telemetry.unified", false},
	{"toolkit.telemetry.archive.enabled", false},
	{"toolkit.telemetry.server", ""},
	{"datareporting.healthreport.uploadEnabled", false},
	{"datareporting.policy.dataSubmissionEnabled", false},
	{"app.normandy.enabled", false},
	{"app.normandy.api_url", ""},
	{"app.shield.optoutstudies.enabled", false},
	{"browser.crashReports.unsubmittedCheck.enabled", false},
	{"browser.tabs.crashReporting.sendReport", false},
	// Captive portal and connectivity checks.
	{"network.captive-portal-service.enabled", false},
	{"network.connectivity-service.enabled", false},
	{"captivedetect.canonicalURL", ""},
	// Safe Browsing lists and lookups.
	{"browser.safebrowsing.malware.enabled", false},
	{"browser.safebrowsing.phishing.enabled", false},
	{"browser.safebrowsing.downloads.enabled", false},
	{"browser.safebrowsing.downloads.remote.enabled", false},
	{"browser.safebrowsing.blockedURIs.enabled", false},
	{"browser.safebrowsing.update.enabled", false},
	{"browser.safebrowsing.provider.google4.updateURL", ""},
	{"browser.safebrowsing.provider.google.updateURL", ""},
	{"browser.safebrowsing.provider.mozilla.updateURL", ""},
	// Remote Settings (blocklists, certificate revocation lists, …).
	{"services.settings.server", "http://127.0.0.1:9/"},
	{"security.remote_settings.crlite_filters.enabled", false},
	{"security.remote_settings.intermediates.enabled", false},
	// Push, sync, geolocation, region, new-tab content, pings.
	{"dom.push.enabled", false},
	{"dom.push.connection.enabled", false},
	{"dom.push.serverURL", ""},
	{"identity.fxaccounts.enabled", false},
	{"geo.provider.network.url", ""},
	{"browser.region.network.url", ""},
	{"browser.region.update.enabled", false},
	{"browser.newtabpage.enabled", false},
	{"browser.newtabpage.activity-stream.feeds.topsites", false},
	{"browser.newtabpage.activity-stream.feeds.section.topstories", false},
	{"browser.newtabpage.activity-stream.feeds.system.topstories", false},
	{"browser.newtabpage.activity-stream.telemetry", false},
	{"browser.ping-centre.telemetry", false},
	{"browser.topsites.contile.enabled", false},
	{"browser.urlbar.suggest.quicksuggest.sponsored", false},
	{"browser.urlbar.quicksuggest.enabled", false},
	{"extensions.pocket.enabled", false},
	{"browser.contentblocking.report.monitor.enabled", false},
	{"privacy.resistFingerprinting.block_mozAddonManager", true},
	// First run, welcome pages, default-browser check.
	{"browser.shell.checkDefaultBrowser", false},
	{"browser.startup.homepage_override.mstone", "ignore"},
	{"browser.startup.page", 0},
	{"browser.aboutwelcome.enabled", false},
	{"startup.homepage_welcome_url", ""},
	{"startup.homepage_welcome_url.additional", ""},
	{"trailhead.firstrun.didSeeAboutWelcome", true},
	{"datareporting.policy.firstRunURL", ""},
	// No speculative or background connections the API servers would see.
	{"network.dns.disablePrefetch", true},
	{"network.prefetch-next", false},
	{"network.predictor.enabled", false},
	{"network.http.speculative-parallel-limit", 0},
	{"browser.places.speculativeConnect.enabled", false},
	{"browser.urlbar.speculativeConnect.enabled", false},
	// No DNS over HTTPS, no OCSP: names resolve locally, certificates are
	// not used (every origin of the suite is http:).
	{"network.trr.mode", 5},
	{"security.OCSP.enabled", 0},
	// The suite's origins are http: on loopback names: never upgrade them.
	{"dom.security.https_first", false},
	{"dom.security.https_first_schemeless", false},
	{"dom.security.https_only_mode", false},
	{"network.stricttransportsecurity.preloadlist", false},
	// Everything goes straight to 127.0.0.1.
	{"network.proxy.type", 0},
	// Popups and dialogs never block a script.
	{"dom.disable_open_during_load", false},
	{"browser.tabs.warnOnClose", false},
}

// firefoxUserJS renders firefoxPrefs, plus network.dns.localDomains for
// hosts and the preferences extra, as a user.js.
func firefoxUserJS(hosts []string, extra map[string]any) string {
	var b strings.Builder
	b.WriteString("// Written by corskit's e2e suite for a throwaway profile.\n")
	for _, p := range firefoxPrefs {
		fmt.Fprintf(&b, "user_pref(%q, %s);\n", p.name, jsValue(p.value))
	}
	if len(hosts) > 0 {
		fmt.Fprintf(&b, "user_pref(%q, %q);\n", "network.dns.localDomains", strings.Join(hosts, ","))
	}
	for _, name := range slices.Sorted(maps.Keys(extra)) {
		fmt.Fprintf(&b, "user_pref(%q, %s);\n", name, jsValue(extra[name]))
	}
	return b.String()
}

func jsValue(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	default:
		return fmt.Sprint(v)
	}
}
