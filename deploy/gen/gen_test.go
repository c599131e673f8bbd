package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// deployDir is the folder the generator writes into, from this package.
const deployDir = ".."

// generatedGlobs are where the generated files are: anything there that
// the generator does not write is a leftover.
var generatedGlobs = []string{"windows/*.admx", "windows/*/*.adml", "macos/*", "schemas/*"}

// TestGeneratedFilesAreCurrent runs the generator in memory and compares
// what it writes with the committed files: a file that differs, is
// missing or is left over from an earlier generator fails, naming the
// command that mends it.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	want, err := files()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range sortedNames(want) {
		got, err := os.ReadFile(filepath.Join(deployDir, filepath.FromSlash(name)))
		switch {
		case err != nil:
			t.Errorf("deploy/%s: %v: run make generate and commit it", name, err)
		case !bytes.Equal(got, want[name]):
			t.Errorf("deploy/%s is stale (%s): run make generate and commit it", name, firstDifference(got, want[name]))
		}
	}
	for _, glob := range generatedGlobs {
		paths, err := filepath.Glob(filepath.Join(deployDir, filepath.FromSlash(glob)))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range paths {
			rel, err := filepath.Rel(deployDir, path)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := want[filepath.ToSlash(rel)]; !ok {
				t.Errorf("deploy/%s is not generated any more: remove it", filepath.ToSlash(rel))
			}
		}
	}
}

// firstDifference says where got and want first differ, by line.
func firstDifference(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl || i >= len(g) || i >= len(w) {
			return fmt.Sprintf("line %d: got %q, want %q", i+1, gl, wl)
		}
	}
	return "no difference by line"
}

// TestWrite checks that the command writes the files it generates, as
// make generate runs it.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	if err := write(dir); err != nil {
		t.Fatal(err)
	}
	want, err := files()
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range want {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s: got %d bytes (%v), want the %d generated", name, len(got), err, len(data))
		}
	}
}
