package authority

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/strictjson"
)

// maxManifest bounds the manifests Embed reads and writes, as rvm does: 1
// MiB.
const maxManifest = 1 << 20

// blockKey is the manifest key that holds the block.
const blockKey = "trustedAppConfigs"

// EmbedOptions say how to embed a block.
type EmbedOptions struct {
	// Stdin is read for the block where the block file is "-".
	Stdin io.Reader
	// Check, when set, is given the manifest as Embed would write it; an
	// error stops the write. rvm-trust passes rvm's manifest parser, so
	// that what is written is a manifest rvm reads.
	Check func(manifest []byte) error
}

// Embed sets the trustedAppConfigs block read from blockFile (as
// rvm-trust sign prints it; "-" reads o.Stdin) as the trustedAppConfigs of
// the manifest manifestFile, with every other byte of the manifest kept:
// an existing block is replaced where it stands, and a new one is added as
// the last member. It refuses a block that does not decode or whose
// signatures do not verify against its own certificate. The manifest is
// replaced whole or not at all (a link is followed to the file it names,
// which keeps its mode). It reports whether the manifest had a block
// before.
func Embed(blockFile, manifestFile string, o EmbedOptions) (replaced bool, err error) {
	replaced, err = embed(blockFile, manifestFile, o)
	if err != nil {
		return false, fmt.Errorf("authority: embed %s in %s: %w", blockFile, manifestFile, err)
	}
	return replaced, nil
}

func embed(blockFile, manifestFile string, o EmbedOptions) (bool, error) {
	var block []byte
	var err error
	if blockFile == "-" {
		if block, err = io.ReadAll(io.LimitReader(o.Stdin, trust.MaxBlockSize+1)); err == nil && len(block) > trust.MaxBlockSize {
			err = fmt.Errorf("the block is larger than %d KiB", trust.MaxBlockSize>>10)
		}
	} else {
		block, err = platform.ReadFileLimit(blockFile, trust.MaxBlockSize)
	}
	if err != nil {
		return false, err
	}
	if err := checkBlock(block); err != nil {
		return false, err
	}
	path, err := filepath.EvalSymlinks(manifestFile)
	if err != nil {
		return false, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	data, err := platform.ReadFileLimit(path, maxManifest)
	if err != nil {
		return false, err
	}
	out, replaced, err := setBlock(data, block)
	if err != nil {
		return false, err
	}
	if len(out) > maxManifest {
		return false, fmt.Errorf("the manifest with the block is %d bytes, more than the %d rvm reads", len(out), maxManifest)
	}
	if o.Check != nil {
		if err := o.Check(out); err != nil {
			return false, fmt.Errorf("rvm would not read the manifest with the block: %w", err)
		}
	}
	return replaced, platform.WriteFileAtomic(path, out, fi.Mode().Perm())
}

// checkBlock checks a block as rvm-trust sign prints it: one
// trustedAppConfigs object that decodes, whose every signature verifies
// against its certificate.
func checkBlock(block []byte) error {
	if err := strictjson.Check(block); err != nil {
		return fmt.Errorf("the block: %w", err)
	}
	b, err := trust.ParseBlock(bytes.TrimSpace(block))
	if err != nil {
		return err
	}
	cfg, err := trust.ParseConfig(b.Value)
	if err != nil {
		return err
	}
	if len(b.Signature) == 0 {
		return fmt.Errorf("the block has no signature")
	}
	for _, p := range trust.Platforms() {
		if sig, ok := b.Signature[p]; ok {
			if err := trust.CheckSignature(cfg.Certificate, p, b.Value, sig); err != nil {
				return fmt.Errorf("the block's %s signature: %w", p, err)
			}
		}
	}
	return nil
}

// setBlock returns manifest (a JSON object) with block (a checked JSON
// object) as the value of its trustedAppConfigs, and reports whether it
// had one: that value's bytes are replaced by the block's, where they
// stand; otherwise the block becomes the last member, after the white
// space that comes before the first member's name (so that a manifest
// written a member a line gets it on a line of its own). Every other byte
// is kept. The block's own white space follows the manifest's: in a
// manifest written on one line the block is compact, in one written a
// member a line the block's lines are indented as its member's line is.
// It refuses what rvm refuses at the top level of a manifest: anything but
// one strict JSON object, a key given twice.
func setBlock(manifest, block []byte) ([]byte, bool, error) {
	top, err := strictjson.Outer(manifest)
	if err != nil {
		return nil, false, fmt.Errorf("the manifest: %w", err)
	}
	// The opening brace is the first byte that is not white space, and
	// what comes before the first member's name is the manifest's layout.
	open := len(manifest) - len(trimSpace(manifest)) + 1
	first := manifest[open : len(manifest)-len(trimSpace(manifest[open:]))]
	layout := func(line []byte) []byte {
		if !bytes.Contains(first, []byte("\n")) {
			var b bytes.Buffer
			json.Compact(&b, block) // block is checked JSON
			return b.Bytes()
		}
		return bytes.ReplaceAll(bytes.TrimSpace(block), []byte("\n"), append([]byte("\n"), line...))
	}
	if i := slices.IndexFunc(top, func(m strictjson.Member) bool { return m.Name == blockKey }); i >= 0 {
		start, end := top[i].Offset, top[i].Offset+int64(len(top[i].Value))
		// The indentation of the line where the old block starts.
		line := manifest[bytes.LastIndexByte(manifest[:start], '\n')+1 : start]
		line = line[:len(line)-len(bytes.TrimLeft(line, " \t"))]
		return slices.Concat(manifest[:start], layout(line), manifest[end:]), true, nil
	}
	at, member := open, `"`+blockKey+`": `
	if len(top) > 0 {
		last := top[len(top)-1]
		at = int(last.Offset) + len(last.Value)
		member = "," + string(first) + member
	}
	line := first[bytes.LastIndexByte(first, '\n')+1:]
	return slices.Concat(manifest[:at], []byte(member), layout(line), manifest[at:]), false, nil
}

// trimSpace is b without the JSON white space it starts with.
func trimSpace(b []byte) []byte { return bytes.TrimLeft(b, " \t\r\n") }
