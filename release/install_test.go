package release_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/corskit/cors/release"
)

// version is the version the release is simulated at: the first one, which
// the README's "go install …@latest" lines will get once it is tagged.
const version = "v0.1.0"

// installLine is a README line that installs one of the commands.
var installLine = regexp.MustCompile(`^go install (github\.com/corskit/cors/cmd/([a-z]+))@latest$`)

// TestInstall proves that the README's install lines work for a user, as
// they will once the working tree is released: it builds the module zips
// of the root (which holds corscheck) and of corsgate at version, exactly
// as a release makes them (corsgate's go.mod and go.sum then name the
// root's release, as the release procedure makes them do), serves them
// from a module proxy in a directory, and runs each "go install …@latest"
// line of the README, verbatim, with a module cache and GOPATH of its own
// and no workspace, then each installed command's --help.
//
// Nothing about corskit is looked up on the internet: GOPROXY is that
// directory, then this machine's module cache (the other modules, which
// the go command verified when it downloaded them), and nothing else; the
// checksum database is off, as it cannot know an unreleased version. (go
// install …@version does not read the installed module's go.sum, so the
// root's hashes written into corsgate's are checked by
// TestAtVersionAsTheProxyServesIt's comparison of the hashing with
// golang.org/x/mod/zip's, not here.)
func TestInstall(t *testing.T) {
	repo, err := release.OpenRepo(".")
	if err != nil {
		t.Fatal(err)
	}
	lines := readmeInstallLines(t, filepath.Join(repo.Dir, "README.md"))
	want := map[string]bool{"corscheck": true, "corsgate": true}
	for _, l := range lines {
		delete(want, installLine.FindStringSubmatch(l)[2])
	}
	if len(want) > 0 {
		t.Fatalf("the README has no install line for %v (it has %q)", want, lines)
	}

	tmp := t.TempDir()
	proxy := release.Proxy{Dir: filepath.Join(tmp, "proxy")}
	root, err := repo.FromTree(release.RootPath, "", version)
	if err != nil {
		t.Fatal(err)
	}
	rootSum, err := proxy.Add(root)
	if err != nil {
		t.Fatal(err)
	}
	gate, err := repo.FromTree(release.RootPath+"/cmd/corsgate", "cmd/corsgate", version)
	if err != nil {
		t.Fatal(err)
	}
	if err := gate.Require(version, rootSum); err != nil {
		t.Fatal(err)
	}
	if _, err := proxy.Add(gate); err != nil {
		t.Fatal(err)
	}

	// The other modules come from this machine's module cache: load the
	// two commands' packages in the workspace, which puts what building
	// them needs there (from GOPROXY, as any build would; the workspace
	// needs nothing of corskit from outside).
	deps := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "./cmd/corscheck", "./cmd/corsgate")
	deps.Dir = repo.Dir
	if out, err := deps.CombinedOutput(); err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	cache := goEnv(t, "GOMODCACHE")
	home := filepath.Join(tmp, "home")
	gopath := filepath.Join(tmp, "gopath")
	bin := filepath.Join(tmp, "bin")
	for _, d := range []string{home, gopath, bin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"GOENV=off", // not this machine's go env file
		"GOCACHE=" + goEnv(t, "GOCACHE"),
		"GOPATH=" + gopath,
		"GOMODCACHE=" + filepath.Join(gopath, "pkg", "mod"),
		"GOBIN=" + bin,
		"GOFLAGS=-modcacherw", // so that the test can remove its module cache
		"GOPROXY=" + proxy.URL() + ",file://" + filepath.ToSlash(filepath.Join(cache, "cache", "download")),
		"GOSUMDB=off",
		"GOWORK=off",
		"GOTOOLCHAIN=local",
	}
	for _, l := range lines {
		t.Run(installLine.FindStringSubmatch(l)[2], func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
			defer cancel()
			args := strings.Fields(l)
			cmd := exec.CommandContext(ctx, args[0], args[1:]...)
			cmd.Dir, cmd.Env = home, env // outside any module
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", l, err, out)
			}
			name := installLine.FindStringSubmatch(l)[2]
			help := exec.CommandContext(ctx, filepath.Join(bin, name), "--help")
			help.Env = env
			out, err := help.CombinedOutput()
			if err != nil || !bytes.Contains(out, []byte(name)) || !bytes.Contains(bytes.ToLower(out), []byte("usage")) {
				t.Fatalf("%s --help: %v\n%s", name, err, out)
			}
			// The binary says which version it was built from.
			mod, err := exec.CommandContext(ctx, "go", "version", "-m", filepath.Join(bin, name)).Output()
			if err != nil {
				t.Fatal(err)
			}
			modPath := release.RootPath
			if name == "corsgate" {
				modPath += "/cmd/corsgate"
			}
			if !regexp.MustCompile(`(?m)^\s+mod\s+` + regexp.QuoteMeta(modPath) + `\s+` + regexp.QuoteMeta(version) + `\s`).Match(mod) {
				t.Fatalf("%s was not built from %s@%s:\n%s", name, modPath, version, mod)
			}
		})
	}
}

// readmeInstallLines returns the README's lines that install a command
// with go install …@latest, inside its sh code blocks.
func readmeInstallLines(t *testing.T, readme string) []string {
	t.Helper()
	f, err := os.Open(readme)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	inSh := false
	s := bufio.NewScanner(f)
	for s.Scan() {
		l := s.Text()
		switch {
		case strings.HasPrefix(l, "```"):
			inSh = !inSh && strings.TrimPrefix(l, "```") == "sh"
		case inSh && installLine.MatchString(l):
			lines = append(lines, l)
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}
