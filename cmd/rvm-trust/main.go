// Command rvm-trust is a trust authority's tool for rvm: it makes a root,
// issues code-signing certificates, signs trustedAppConfigs blocks, embeds
// a block in a manifest, shows what a block holds (in a file or at a URL),
// and issues CRLs. See package
// github.com/rvm-launcher/rvm/manifest/trust/authority for the files it
// keeps in each directory.
//
// Exit codes: 0 done, 1 failed, 2 bad usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"os"
	"strings"

	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/manifest/trust/authority"
)

// commands are the commands, with their synopses for the usage and for
// each command's --help.
var commands = []struct{ name, synopsis, help string }{
	{"init-root", "--out DIR [--name NAME] [--alg ALG] [--days N]",
		"make a root key and a self-signed root certificate"},
	{"issue", "--ca DIR --name NAME --out DIR [--alg ALG] [--days N] [--crl-url URL] [--intermediate] [--permitted-dns NAME]...",
		"issue a code-signing certificate (or an intermediate CA, name-constrained with --permitted-dns) from a CA"},
	{"sign", "--signer DIR --apps FILE [--intermediates FILE] [--platforms win,mac,linux]",
		"print a signed trustedAppConfigs object"},
	{"embed", "--block FILE MANIFEST",
		"set a signed block (FILE, or - for stdin) as the manifest's trustedAppConfigs, every other byte kept"},
	{"inspect", "[--trust-roots FILE] [--resolve HOST:PORT:ADDR]... FILE|URL|-",
		"show what a manifest's or a trustedAppConfigs object's block holds (a URL is fetched strictly)"},
	{"revoke", "--ca DIR --out FILE [--serial N]... [--cert FILE]... [--days N]",
		"revoke certificates and write the CA's CRL (DER)"},
}

var usage = func() string {
	var b strings.Builder
	b.WriteString("usage: rvm-trust COMMAND [flags]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-9s  %s\n             %s\n", c.name, c.synopsis, c.help)
	}
	b.WriteString("\nALG is ecdsa-p256 (default), ecdsa-p384, ed25519 or rsa-3072.\nRun rvm-trust COMMAND --help for a command's flags.\n")
	return b.String()
}()

// day formats the dates that the commands print.
const day = "2006-01-02"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// errUsage marks a usage error, already explained on stderr.
var errUsage = errors.New("usage")

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "init-root":
		err = initRoot(args[1:], stdout, stderr)
	case "issue":
		err = issue(args[1:], stdout, stderr)
	case "sign":
		err = sign(args[1:], stdout, stderr)
	case "embed":
		err = embed(args[1:], stdin, stdout, stderr)
	case "inspect":
		err = inspect(args[1:], stdin, stdout, stderr)
	case "revoke":
		err = revoke(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "rvm-trust: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintf(stderr, "rvm-trust: %v\n", err)
	return 1
}

// flags returns a flag set for command cmd, one of commands. It prints
// nothing itself: parse shows the usage, on stdout for --help and on
// stderr for an error.
func flags(cmd string) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		for _, c := range commands {
			if c.name == cmd {
				fmt.Fprintf(fs.Output(), "usage: rvm-trust %s %s\n\nflags:\n", cmd, c.synopsis)
			}
		}
		fs.PrintDefaults()
	}
	return fs
}

// keyFlags adds the flags of a new key and certificate, shared by
// init-root and issue: --alg, and --days with its default; what names the
// certificate in the help.
func keyFlags(fs *flag.FlagSet, what string, days int) (alg *string, validDays *int) {
	alg = fs.String("alg", string(authority.ECDSAP256), "key: ecdsa-p256, ecdsa-p384, ed25519 or rsa-3072")
	validDays = fs.Int("days", days, "days the "+what+" is valid")
	return alg, validDays
}

// parse parses args, and checks the required flags and the number of
// arguments left.
func parse(fs *flag.FlagSet, args []string, stdout, stderr io.Writer, nargs int, required ...string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		return err
	}
	problem := ""
	switch {
	case err != nil:
		problem = err.Error()
	case fs.NArg() != nargs:
		problem = fmt.Sprintf("got %d arguments, want %d", fs.NArg(), nargs)
	}
	for _, name := range required {
		if problem == "" && fs.Lookup(name).Value.String() == "" {
			problem = "--" + name + " is required"
		}
	}
	if problem != "" {
		fmt.Fprintf(stderr, "rvm-trust %s: %s\n", fs.Name(), problem)
		fs.SetOutput(stderr)
		fs.Usage()
		return errUsage
	}
	return nil
}

func initRoot(args []string, stdout, stderr io.Writer) error {
	fs := flags("init-root")
	out := fs.String("out", "", "directory to write key.pem and cert.pem to")
	name := fs.String("name", "rvm-trust root", "the root's common name")
	alg, days := keyFlags(fs, "root", 3650)
	if err := parse(fs, args, stdout, stderr, 0, "out"); err != nil {
		return err
	}
	cert, err := authority.InitRoot(*out, authority.RootOptions{Name: *name, Alg: authority.Alg(*alg), Days: *days})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "root %q in %s, valid until %s\n", cert.Subject.CommonName, *out, cert.NotAfter.UTC().Format(day))
	return nil
}

func issue(args []string, stdout, stderr io.Writer) error {
	fs := flags("issue")
	ca := fs.String("ca", "", "directory of the issuing CA")
	name := fs.String("name", "", "the certificate's common name: the signer's name that rvm shows")
	out := fs.String("out", "", "directory to write key.pem and cert.pem (and chain.pem) to")
	alg, days := keyFlags(fs, "certificate", 365)
	crlURL := fs.String("crl-url", "", "https URL where the CA's CRL is published (the certificate's CRL distribution point)")
	inter := fs.Bool("intermediate", false, "issue an intermediate CA instead of a code-signing certificate")
	var permitted repeated
	fs.Var(&permitted, "permitted-dns", "issue an intermediate CA whose blocks may name only hosts within DNS name `NAME` (repeatable; .NAME: the names below it only)")
	if err := parse(fs, args, stdout, stderr, 0, "ca", "name", "out"); err != nil {
		return err
	}
	cert, err := authority.Issue(*ca, *out, authority.IssueOptions{Name: *name, Alg: authority.Alg(*alg), Days: *days, CRLURL: *crlURL, CA: *inter, PermittedDNS: permitted})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "certificate %q (serial %s) in %s, valid until %s\n", cert.Subject.CommonName, cert.SerialNumber, *out, cert.NotAfter.UTC().Format(day))
	if len(cert.PermittedDNSDomains) > 0 {
		fmt.Fprintf(stdout, "an intermediate CA for hosts within %s only\n", strings.Join(cert.PermittedDNSDomains, ", "))
	}
	return nil
}

func sign(args []string, stdout, stderr io.Writer) error {
	fs := flags("sign")
	signer := fs.String("signer", "", "directory of the signing key and certificate")
	apps := fs.String("apps", "", "JSON file: an array of app entries (name, match, permissions)")
	inters := fs.String("intermediates", "", "PEM file of intermediate certificates (default: the signer's chain.pem, if any)")
	platforms := fs.String("platforms", "win,mac,linux", "platforms to sign for")
	if err := parse(fs, args, stdout, stderr, 0, "signer", "apps"); err != nil {
		return err
	}
	block, err := authority.Sign(*signer, authority.SignOptions{AppsFile: *apps, IntermediatesFile: *inters, Platforms: strings.Split(*platforms, ",")})
	if err != nil {
		return err
	}
	_, err = stdout.Write(block)
	return err
}

func embed(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flags("embed")
	block := fs.String("block", "", "file of the signed block, as rvm-trust sign prints it (- for stdin)")
	if err := parse(fs, args, stdout, stderr, 1, "block"); err != nil {
		return err
	}
	check := func(data []byte) error {
		_, err := manifest.Parse(data)
		return err
	}
	replaced, err := authority.Embed(*block, fs.Arg(0), authority.EmbedOptions{Stdin: stdin, Check: check})
	if err != nil {
		return err
	}
	how := "added to"
	if replaced {
		how = "replaced in"
	}
	fmt.Fprintf(stdout, "trustedAppConfigs %s %s\n", how, fs.Arg(0))
	return nil
}

func inspect(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flags("inspect")
	roots := fs.String("trust-roots", "", "PEM file of trust roots to verify the block against")
	var resolve repeated
	fs.Var(&resolve, "resolve", "HOST:PORT:ADDR: fetch a URL's HOST:PORT from ADDR, still verifying TLS for HOST, as curl does (repeatable)")
	if err := parse(fs, args, stdout, stderr, 1); err != nil {
		return err
	}
	o := authority.InspectOptions{RootsFile: *roots, Fetcher: &fetch.Fetcher{Resolve: map[string]string{}}}
	for _, r := range resolve {
		from, to, err := fetch.ParseResolve(r)
		if err != nil {
			fmt.Fprintf(stderr, "rvm-trust inspect: %v\n", err)
			return errUsage
		}
		o.Fetcher.Resolve[from] = to
	}
	name := fs.Arg(0)
	if strings.Contains(name, "://") {
		req, err := manifest.ParseRequest(name)
		if err != nil {
			return err
		}
		return authority.InspectURL(context.Background(), stdout, req.URL, o)
	}
	in := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	return authority.Inspect(stdout, in, name, o)
}

// serials is a repeatable --serial flag: decimal, or hexadecimal with 0x.
type serials []*big.Int

func (s *serials) String() string { return "" }

func (s *serials) Set(v string) error {
	n, ok := new(big.Int).SetString(v, 0)
	if !ok || n.Sign() <= 0 {
		return fmt.Errorf("want a positive decimal or 0x hexadecimal number, got %q", v)
	}
	*s = append(*s, n)
	return nil
}

// repeated is a repeatable flag of strings: file names, DNS names.
type repeated []string

func (r *repeated) String() string { return "" }

func (r *repeated) Set(v string) error {
	*r = append(*r, v)
	return nil
}

func revoke(args []string, stdout, stderr io.Writer) error {
	fs := flags("revoke")
	ca := fs.String("ca", "", "directory of the CA whose CRL to issue")
	out := fs.String("out", "", "file to write the CRL (DER) to")
	var ss serials
	var cs repeated
	fs.Var(&ss, "serial", "serial number to revoke (repeatable)")
	fs.Var(&cs, "cert", "PEM certificate to revoke (repeatable)")
	days := fs.Int("days", 7, "days until the CRL's NextUpdate")
	if err := parse(fs, args, stdout, stderr, 0, "ca", "out"); err != nil {
		return err
	}
	crl, err := authority.Revoke(*ca, *out, authority.RevokeOptions{Serials: ss, CertFiles: cs, Days: *days})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "CRL number %s in %s: %d revoked, next update %s\n", crl.Number, *out, len(crl.RevokedCertificateEntries), crl.NextUpdate.UTC().Format("2006-01-02T15:04:05Z"))
	return nil
}
