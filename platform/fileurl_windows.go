package platform

// fileURLPath drops the slash before a drive letter: /C:/x is C:/x.
func fileURLPath(p string) string {
	if len(p) >= 3 && p[0] == '/' && p[2] == ':' {
		return p[1:]
	}
	return p
}
