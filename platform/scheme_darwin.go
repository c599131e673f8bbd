package platform

func registerURLSchemes(SchemeOptions) error { return ErrURLSchemesNeedAppBundle }

func unregisterURLSchemes(SchemeOptions) error { return nil }

func checkSchemeExecutable(string) error { return nil }
