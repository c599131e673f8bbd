package platform

// syncDir is a no-op on Windows: NTFS makes a rename durable on its own and
// a directory cannot be opened for syncing.
func syncDir(string) {}
