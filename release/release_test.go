package release_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"

	"github.com/corskit/cors/release"
)

// TestAtVersionAsTheProxyServesIt: the root and corsgate at the version
// the nested modules require have the go.sum hashes that
// golang.org/x/mod/zip.CreateFromVCS gives from a clone of the
// repository, the zip a module proxy serves; the go.sum files of the
// nested modules hold exactly these hashes (make tidy-check proves it too,
// through the go command).
func TestAtVersionAsTheProxyServesIt(t *testing.T) {
	repo, err := release.OpenRepo(".")
	if err != nil {
		t.Fatal(err)
	}
	goMod, err := os.ReadFile(filepath.Join(repo.Dir, "cmd", "corsgate", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := release.RequiredRoot(goMod)
	if err != nil || v == "" {
		t.Fatalf("cmd/corsgate requires %s at %q (%v)", release.RootPath, v, err)
	}
	rev, err := module.PseudoVersionRev(v)
	if err != nil {
		t.Fatalf("%s: not a pseudo-version (after the first release, this test compares tags): %v", v, err)
	}

	// CreateFromVCS wants a repository whose .git is a directory, which a
	// git worktree is not: use a clone.
	clone := filepath.Join(t.TempDir(), "clone")
	if out, err := exec.Command("git", "clone", "--quiet", "--no-checkout", repo.Dir, clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	for _, tc := range []struct{ path, subdir string }{
		{release.RootPath, ""},
		{release.RootPath + "/cmd/corsgate", "cmd/corsgate"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			zipFile := filepath.Join(t.TempDir(), "m.zip")
			f, err := os.Create(zipFile)
			if err != nil {
				t.Fatal(err)
			}
			if err := modzip.CreateFromVCS(f, module.Version{Path: tc.path, Version: v}, clone, rev, tc.subdir); err != nil {
				t.Fatal(err)
			}
			f.Close()
			want, err := dirhash.HashZip(zipFile, dirhash.Hash1)
			if err != nil {
				t.Fatal(err)
			}

			m, err := repo.AtVersion(tc.path, tc.subdir, v)
			if err != nil {
				t.Fatal(err)
			}
			sum, err := release.Proxy{Dir: t.TempDir()}.Add(m)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Fields(sum[0])[2]; got != want {
				t.Errorf("%s@%s: hash %s, CreateFromVCS gives %s", tc.path, v, got, want)
			}
			if tc.subdir == "" {
				gateSum, err := os.ReadFile(filepath.Join(repo.Dir, "cmd", "corsgate", "go.sum"))
				if err != nil {
					t.Fatal(err)
				}
				for _, line := range sum {
					if !strings.Contains(string(gateSum), line+"\n") {
						t.Errorf("cmd/corsgate/go.sum lacks %q", line)
					}
				}
			}
		})
	}
}
