package driver

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

func TestProbeFirefox(t *testing.T) {
	if os.Getenv("PROBE") == "" { t.Skip() }
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<!doctype html><title>x</title><body>hi</body>")
	}))
	defer page.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "OPTIONS" { w.WriteHeader(403); return }
		fmt.Fprint(w, "api")
	}))
	defer api.Close()
	start := time.Now()
	f, err := StartFirefox(FirefoxOptions{Path: "firefox-esr", LocalHosts: []string{"api.test"}, Stderr: os.Stderr})
	if err != nil { t.Fatal(err) }
	defer f.Close()
	t.Logf("started in %v", time.Since(start))
	ctx := context.Background()
	p, err := f.NewPage(ctx)
	if err != nil { t.Fatal(err) }
	if err := p.Navigate(ctx, page.URL+"/"); err != nil { t.Fatal(err) }
	for _, body := range []string{
		`try { const r = await fetch('` + api.URL + `/x'); return 'ok ' + r.status } catch (e) { return String(e) }`,
		`try { const r = await fetch('` + api.URL + `/x', {method: 'PUT'}); return 'ok ' + r.status } catch (e) { return String(e) }`,
		`console.log('marker'); return 1`,
	} {
		t0 := time.Now()
		res, err := p.Eval(ctx, body)
		t.Logf("eval: %s %v (%v)", res, err, time.Since(t0))
		time.Sleep(1500*time.Millisecond)
		for _, l := range p.Console().Lines() { t.Logf("  %+v", l) }
	}
}

func TestProbeWebKit(t *testing.T) {
	if os.Getenv("PROBE") == "" { t.Skip() }
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<!doctype html><title>x</title><body>hi</body>")
	}))
	defer page.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Logf("api: %s %s host=%s origin=%s", r.Method, r.URL, r.Host, r.Header.Get("Origin"))
		if r.Method == "OPTIONS" { w.WriteHeader(403); return }
		fmt.Fprint(w, "api")
	}))
	defer api.Close()
	start := time.Now()
	wk, err := StartWebKit(WebKitOptions{Browsers: 2, Stderr: os.Stderr})
	if err != nil { t.Fatal(err) }
	defer wk.Close()
	t.Logf("started in %v", time.Since(start))
	ctx := context.Background()
	p, err := wk.NewPage(ctx)
	if err != nil { t.Fatal(err) }
	_, port, _ := strings.Cut(strings.TrimPrefix(page.URL, "http://"), ":")
	_, aport, _ := strings.Cut(strings.TrimPrefix(api.URL, "http://"), ":")
	if err := p.Navigate(ctx, "http://app.test:"+port+"/"); err != nil { t.Fatal(err) }
	for _, body := range []string{
		`try { const r = await fetch('http://api.test:` + aport + `/x'); return 'ok ' + r.status } catch (e) { return String(e) }`,
		`try { const r = await fetch('http://api.localhost:` + aport + `/x', {method: 'PUT'}); return 'ok ' + r.status } catch (e) { return String(e) }`,
		`console.log('marker'); return 1`,
	} {
		t0 := time.Now()
		res, err := p.Eval(ctx, body)
		t.Logf("eval: %s %v (%v)", res, err, time.Since(t0))
		time.Sleep(500*time.Millisecond)
		for _, l := range p.Console().Lines() { t.Logf("  %+v", l) }
	}
	p.Close()
}
