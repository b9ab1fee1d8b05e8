// Package release checks that corskit's modules work as their users get
// them, not only in this repository's workspace: the root module
// (github.com/corskit/cors) and the nested ones (cmd/corsgate, e2e, bench,
// the examples), which go.work ties together for development.
//
// Each nested module requires a real version of the root: the first
// release, v0.1.0, once it is tagged, and until then the pseudo-version of
// a commit on main. Outside the workspace the go command fetches that
// version from a module proxy, and until the repository is public no proxy
// has it. This package builds a module proxy in a directory (the layout
// GOPROXY=file://… reads) holding the root, and corsgate, either at a git
// revision of this repository, exactly as proxy.golang.org would serve it
// (the same files, so the same go.sum hash), or from the working tree at a
// version of the caller's choice, as a release would be.
//
// cmd/tidy uses it to run "go mod tidy" in every module as its users
// would; TestInstall to prove that the README's "go install …@latest"
// lines install working binaries from a clean module cache.
package release

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"
)

// RootPath is the root module's path.
const RootPath = "github.com/corskit/cors"

// A Proxy is a module proxy in a directory, in the layout of the GOPROXY
// protocol (https://go.dev/ref/mod#goproxy-protocol): for each module,
// <path>/@v/list, and <version>.info, .mod and .zip.
type Proxy struct {
	Dir string
}

// URL is the proxy's GOPROXY entry.
func (p Proxy) URL() string { return "file://" + filepath.ToSlash(p.Dir) }

// A Module is one module version to serve: its go.mod and the files of
// its zip.
type Module struct {
	module.Version
	Time  time.Time
	GoMod []byte
	Files []modzip.File
}

// Add writes m into the proxy and returns the go.sum lines that name it
// (the hash of its zip, and of its go.mod).
func (p Proxy) Add(m Module) (sum []string, err error) {
	esc, err := module.EscapePath(m.Path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(p.Dir, filepath.FromSlash(esc), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	base := filepath.Join(dir, m.Version.Version)
	z, err := os.Create(base + ".zip")
	if err != nil {
		return nil, err
	}
	if err := modzip.Create(z, m.Version, m.Files); err != nil {
		z.Close()
		return nil, fmt.Errorf("zip of %s: %w", m.Version, err)
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	if err := os.WriteFile(base+".mod", m.GoMod, 0o644); err != nil {
		return nil, err
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{m.Version.Version, m.Time.UTC()})
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(base+".info", info, 0o644); err != nil {
		return nil, err
	}
	// The list names every version served, one a line.
	list := filepath.Join(dir, "list")
	old, err := os.ReadFile(list)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	versions := strings.Fields(string(old))
	if !slices.Contains(versions, m.Version.Version) {
		versions = append(versions, m.Version.Version)
	}
	if err := os.WriteFile(list, []byte(strings.Join(versions, "\n")+"\n"), 0o644); err != nil {
		return nil, err
	}

	zipHash, err := dirhash.HashZip(base+".zip", dirhash.Hash1)
	if err != nil {
		return nil, err
	}
	// The go command hashes a go.mod as a one-file tree named "go.mod".
	modHash, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(m.GoMod)), nil
	})
	if err != nil {
		return nil, err
	}
	return []string{
		m.Path + " " + m.Version.Version + " " + zipHash,
		m.Path + " " + m.Version.Version + "/go.mod " + modHash,
	}, nil
}

// A Repo is this git repository.
type Repo struct {
	Dir string // the top of the work tree
}

// OpenRepo finds the repository that holds dir.
func OpenRepo(dir string) (Repo, error) {
	out, err := git(dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return Repo{}, err
	}
	return Repo{Dir: strings.TrimSpace(string(out))}, nil
}

func git(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// AtVersion returns the module whose go.mod is at subdir ("" for the
// root) of the repository, at version v as the go command would fetch it
// from the repository: a pseudo-version names its commit, any other
// version a tag. The files are those git archive gives (what
// proxy.golang.org would serve, so their go.sum hash is the one a user
// gets), and a module in a subdirectory gets the repository's LICENSE if
// it has none, as the go command does.
func (r Repo) AtVersion(modPath, subdir, v string) (Module, error) {
	rev := v
	if module.IsPseudoVersion(v) {
		var err error
		if rev, err = module.PseudoVersionRev(v); err != nil {
			return Module{}, err
		}
	}
	if _, err := git(r.Dir, "cat-file", "-e", rev+"^{commit}"); err != nil {
		return Module{}, fmt.Errorf("%s@%s: this clone has no commit %s (a shallow clone? git fetch --unshallow): %v", modPath, v, rev, err)
	}
	t, err := r.commitTime(rev)
	if err != nil {
		return Module{}, err
	}
	if module.IsPseudoVersion(v) {
		if pt, err := module.PseudoVersionTime(v); err != nil || !pt.Equal(t) {
			return Module{}, fmt.Errorf("%s@%s: the commit's time is %s, not the pseudo-version's", modPath, v, t.UTC().Format("20060102150405"))
		}
	}
	args := []string{"-c", "core.autocrlf=input", "-c", "core.eol=lf", "archive", "--format=zip", rev}
	if subdir != "" {
		args = append(args, subdir)
	}
	archive, err := git(r.Dir, args...)
	if err != nil {
		return Module{}, err
	}
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		return Module{}, err
	}
	m := Module{Version: module.Version{Path: modPath, Version: v}, Time: t}
	prefix := ""
	if subdir != "" {
		prefix = strings.TrimSuffix(subdir, "/") + "/"
	}
	haveLicense := false
	for _, f := range zr.File {
		name, ok := strings.CutPrefix(f.Name, prefix)
		if !ok || name == "" || strings.HasSuffix(name, "/") {
			continue
		}
		data, err := readZipFile(f)
		if err != nil {
			return Module{}, err
		}
		if name == "go.mod" {
			m.GoMod = data
		}
		haveLicense = haveLicense || name == "LICENSE"
		m.Files = append(m.Files, dataFile{name, data})
	}
	if m.GoMod == nil {
		return Module{}, fmt.Errorf("%s@%s: no go.mod in %q", modPath, v, subdir)
	}
	if !haveLicense && subdir != "" {
		if lic, err := git(r.Dir, "cat-file", "blob", rev+":LICENSE"); err == nil {
			m.Files = append(m.Files, dataFile{"LICENSE", lic})
		}
	}
	return m, nil
}

func readZipFile(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func (r Repo) commitTime(rev string) (time.Time, error) {
	out, err := git(r.Dir, "show", "-s", "--format=%ct", rev+"^{commit}")
	if err != nil {
		return time.Time{}, err
	}
	var sec int64
	if _, err := fmt.Sscan(strings.TrimSpace(string(out)), &sec); err != nil {
		return time.Time{}, err
	}
	return time.Unix(sec, 0).UTC(), nil
}

// PseudoVersion returns the version the go command gives the commit rev
// of a module with no release tag before it: v0.0.0-<time>-<hash>. (Once
// v0.1.0 is tagged, depend on tags.)
func (r Repo) PseudoVersion(rev string) (string, error) {
	if semver.IsValid(rev) {
		return rev, nil
	}
	full, err := git(r.Dir, "rev-parse", "--verify", rev+"^{commit}")
	if err != nil {
		return "", err
	}
	t, err := r.commitTime(rev)
	if err != nil {
		return "", err
	}
	return module.PseudoVersion("v0", "", t, strings.TrimSpace(string(full))[:12]), nil
}

// FromTree returns the module at subdir of the working tree, at version
// v, as a release tagged at the current state of the tree would be: the
// files git tracks or would track (new files included, ignored ones not),
// with the repository's LICENSE for a module in a subdirectory.
func (r Repo) FromTree(modPath, subdir, v string) (Module, error) {
	args := []string{"ls-files", "-z", "--cached", "--others", "--exclude-standard"}
	if subdir != "" {
		args = append(args, "--", subdir)
	}
	out, err := git(r.Dir, args...)
	if err != nil {
		return Module{}, err
	}
	m := Module{Version: module.Version{Path: modPath, Version: v}, Time: time.Now().UTC().Truncate(time.Second)}
	prefix := ""
	if subdir != "" {
		prefix = strings.TrimSuffix(subdir, "/") + "/"
	}
	seen := map[string]bool{}
	haveLicense := false
	for _, name := range strings.Split(string(out), "\x00") {
		rel, ok := strings.CutPrefix(name, prefix)
		if name == "" || !ok || seen[rel] {
			continue
		}
		seen[rel] = true
		file := filepath.Join(r.Dir, filepath.FromSlash(name))
		info, err := os.Lstat(file)
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted, not yet committed
		} else if err != nil {
			return Module{}, err
		}
		if rel == "go.mod" {
			if m.GoMod, err = os.ReadFile(file); err != nil {
				return Module{}, err
			}
		}
		haveLicense = haveLicense || rel == "LICENSE"
		m.Files = append(m.Files, treeFile{rel, file, info})
	}
	if m.GoMod == nil {
		return Module{}, fmt.Errorf("no go.mod in %q", subdir)
	}
	if !haveLicense && subdir != "" {
		lic, err := os.ReadFile(filepath.Join(r.Dir, "LICENSE"))
		if err == nil {
			m.Files = append(m.Files, dataFile{"LICENSE", lic})
		}
	}
	return m, nil
}

// Require makes m, a module that depends on the root, require it at
// version v, whose go.sum lines are sum, as the release of a nested module
// does after the root's release is tagged: its go.mod requires v (and
// replaces the root with nothing), and its go.sum names v instead of the
// version it named.
func (m *Module) Require(v string, sum []string) error {
	f, err := modfile.Parse("go.mod", m.GoMod, nil)
	if err != nil {
		return err
	}
	if err := f.AddRequire(RootPath, v); err != nil {
		return err
	}
	for _, r := range slices.Clone(f.Replace) {
		if r.Old.Path == RootPath {
			if err := f.DropReplace(r.Old.Path, r.Old.Version); err != nil {
				return err
			}
		}
	}
	f.Cleanup()
	if m.GoMod, err = f.Format(); err != nil {
		return err
	}
	var goSum []byte
	for i, file := range m.Files {
		switch file.Path() {
		case "go.mod":
			m.Files[i] = dataFile{"go.mod", m.GoMod}
		case "go.sum":
			rc, err := file.Open()
			if err != nil {
				return err
			}
			old, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				return err
			}
			var lines []string
			for _, l := range strings.Split(string(old), "\n") {
				if l != "" && !strings.HasPrefix(l, RootPath+" ") {
					lines = append(lines, l)
				}
			}
			lines = append(lines, sum...)
			slices.Sort(lines)
			goSum = []byte(strings.Join(lines, "\n") + "\n")
			m.Files[i] = dataFile{"go.sum", goSum}
		}
	}
	if goSum == nil {
		m.Files = append(m.Files, dataFile{"go.sum", []byte(strings.Join(sum, "\n") + "\n")})
	}
	return nil
}

// RequiredRoot returns the version of the root that the go.mod data
// requires, or "" if it does not.
func RequiredRoot(goMod []byte) (string, error) {
	f, err := modfile.Parse("go.mod", goMod, nil)
	if err != nil {
		return "", err
	}
	for _, r := range f.Require {
		if r.Mod.Path == RootPath {
			return r.Mod.Version, nil
		}
	}
	return "", nil
}

// Workspace lists the directories of the modules in the repository's
// go.work, relative to its top ("." for the root), in go.work's order: the
// one list of the repository's modules.
func (r Repo) Workspace() ([]string, error) {
	cmd := exec.Command("go", "work", "edit", "-json")
	cmd.Dir = r.Dir
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go work edit -json: %v", err)
	}
	var w struct{ Use []struct{ DiskPath string } }
	if err := json.Unmarshal(out, &w); err != nil {
		return nil, err
	}
	var dirs []string
	for _, u := range w.Use {
		dirs = append(dirs, path.Clean(filepath.ToSlash(u.DiskPath)))
	}
	return dirs, nil
}

// WorkspaceReplaces returns the versions of the root that go.work
// replaces with the root's own directory.
func (r Repo) WorkspaceReplaces() (map[string]bool, error) {
	cmd := exec.Command("go", "work", "edit", "-json")
	cmd.Dir = r.Dir
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go work edit -json: %v", err)
	}
	var w struct {
		Replace []struct {
			Old struct{ Path, Version string }
			New struct{ Path string }
		}
	}
	if err := json.Unmarshal(out, &w); err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, rep := range w.Replace {
		if rep.Old.Path == RootPath && path.Clean(rep.New.Path) == "." {
			have[rep.Old.Version] = true
		}
	}
	return have, nil
}

// dataFile is a module file held in memory.
type dataFile struct {
	name string
	data []byte
}

func (f dataFile) Path() string                 { return f.name }
func (f dataFile) Lstat() (os.FileInfo, error)  { return dataInfo{f}, nil }
func (f dataFile) Open() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(f.data)), nil }

type dataInfo struct{ f dataFile }

func (i dataInfo) Name() string       { return path.Base(i.f.name) }
func (i dataInfo) Size() int64        { return int64(len(i.f.data)) }
func (i dataInfo) Mode() os.FileMode  { return 0o644 }
func (i dataInfo) ModTime() time.Time { return time.Time{} }
func (i dataInfo) IsDir() bool        { return false }
func (i dataInfo) Sys() any           { return nil }

// treeFile is a module file in the working tree.
type treeFile struct {
	name, file string
	info       os.FileInfo
}

func (f treeFile) Path() string                 { return f.name }
func (f treeFile) Lstat() (os.FileInfo, error)  { return f.info, nil }
func (f treeFile) Open() (io.ReadCloser, error) { return os.Open(f.file) }
