package repo

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/rvm-launcher/rvm/launcher/runtime/install"
	"github.com/rvm-launcher/rvm/manifest/fetch"
)

// Kind says why the repository failed: a caller decides on it whether the
// last verified copy may stand in (KindNetwork, KindExpired) or the
// repository is to be distrusted.
type Kind string

// The kinds of repository failure.
const (
	KindNetwork   Kind = "network"   // the repository could not be reached, or answered 5xx, or timed out
	KindExpired   Kind = "expired"   // metadata past its expiry: a freeze attack, or a repository not kept up
	KindRollback  Kind = "rollback"  // a version older than, or not the one, the trusted metadata names
	KindSignature Kind = "signature" // signatures under their threshold, or by keys the role does not trust
	KindMismatch  Kind = "mismatch"  // a file whose length or hashes differ from what was signed (mix-and-match, arbitrary software, endless data)
	KindArchive   Kind = "archive"   // a verified runtime archive that rvm will not unpack
	KindNotFound  Kind = "not-found" // no such target, or the server has no such file
	KindInvalid   Kind = "invalid"   // metadata or a target that cannot be read, or a bad request
)

// Error is a failure of the runtime repository: one line that names the
// role (root, timestamp, snapshot, targets), or the target and, for an
// archive, its entry.
type Error struct {
	// Role is the metadata at fault: root, timestamp, snapshot or
	// targets; "" where a target is.
	Role string
	// Target is the target at fault (runtimes/<version>/<os>-<arch>.tar.gz,
	// channels.json); "" where metadata is.
	Target string
	// Entry is the archive entry at fault, where one is.
	Entry string
	// Kind says why.
	Kind Kind
	Err  error
}

func (e *Error) Error() string {
	switch {
	case e.Role != "":
		return fmt.Sprintf("repo: %s metadata: %v", e.Role, e.Err)
	case e.Entry != "":
		return fmt.Sprintf("repo: target %s: entry %s: %v", e.Target, strconv.Quote(e.Entry), e.Err)
	}
	return fmt.Sprintf("repo: target %s: %v", e.Target, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Offline reports whether the error leaves the last verified copy of the
// metadata standing in: the repository could not be reached or its
// metadata expired. Other failures are refusals of what it served; the
// last verified copy still resolves channels to installed versions then,
// since it was verified before.
func (e *Error) Offline() bool { return e.Kind == KindNetwork || e.Kind == KindExpired }

// kindOf classifies an error of go-tuf or of the fetcher.
func kindOf(err error) Kind {
	var fe *fetch.FetchError
	var ae *install.ArchiveError
	switch {
	case errors.As(err, &fe):
		switch fe.Kind {
		case fetch.KindNetwork:
			return KindNetwork
		case fetch.KindTooLarge:
			return KindMismatch
		case fetch.KindStatus:
			if fe.Status == 404 {
				return KindNotFound
			}
		}
		return KindInvalid
	case errors.As(err, &ae):
		return KindArchive
	case errors.Is(err, &metadata.ErrExpiredMetadata{}):
		return KindExpired
	case errors.Is(err, &metadata.ErrUnsignedMetadata{}):
		return KindSignature
	case errors.Is(err, &metadata.ErrBadVersionNumber{}):
		return KindRollback
	case errors.Is(err, &metadata.ErrLengthOrHashMismatch{}), errors.Is(err, &metadata.ErrDownloadLengthMismatch{}):
		return KindMismatch
	case errors.Is(err, &metadata.ErrDownloadHTTP{}):
		return KindNotFound
	}
	return KindInvalid
}
