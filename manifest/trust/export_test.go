package trust

// RootCount returns how many certificates r holds, for the tests of
// ParseRoots.
func RootCount(r *Roots) int { return len(r.certs) }
