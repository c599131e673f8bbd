package platform

import "os"

// chmodSocket: Windows has no file modes for sockets; who may connect is
// the data directory's ACL.
func chmodSocket(string, os.FileMode) error { return nil }
