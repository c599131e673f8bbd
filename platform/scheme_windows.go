package platform

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/windows/registry"
)

// schemeCommand is the command line that the shell runs for a link, with
// the link in place of %1.
func schemeCommand(exe string) string { return `"` + exe + `" launch --from-link -- "%1"` }

// checkSchemeExecutable refuses paths that the command line cannot hold:
// a quote would end the quoted path, and the shell expands "%" sequences
// (%1, %L, %*) anywhere in the command.
func checkSchemeExecutable(exe string) error {
	if strings.ContainsAny(exe, `"%`) {
		return fmt.Errorf("platform: URL schemes: executable %q holds a quote or a percent sign", exe)
	}
	return nil
}

func classesRoot(o SchemeOptions) registry.Key {
	if o.System {
		return registry.LOCAL_MACHINE
	}
	return registry.CURRENT_USER
}

func registerURLSchemes(o SchemeOptions) error {
	root := classesRoot(o)
	for _, scheme := range URLSchemes {
		key := o.ClassesKey + `\` + scheme
		if err := setDefault(root, key, "URL:"+scheme+" Protocol", map[string]string{"URL Protocol": ""}); err != nil {
			return err
		}
		if err := setDefault(root, key+`\shell\open\command`, schemeCommand(o.Executable), nil); err != nil {
			return err
		}
	}
	return nil
}

// setDefault creates a key with its default value and other string values.
func setDefault(root registry.Key, path, value string, others map[string]string) error {
	k, _, err := registry.CreateKey(root, path, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf(`%s: %w`, path, err)
	}
	defer k.Close()
	if err := k.SetStringValue("", value); err != nil {
		return fmt.Errorf(`%s: %w`, path, err)
	}
	for name, v := range others {
		if err := k.SetStringValue(name, v); err != nil {
			return fmt.Errorf(`%s\%s: %w`, path, name, err)
		}
	}
	return nil
}

func unregisterURLSchemes(o SchemeOptions) error {
	root := classesRoot(o)
	for _, scheme := range URLSchemes {
		if err := deleteRegistryTree(root, o.ClassesKey+`\`+scheme); err != nil {
			return err
		}
	}
	return nil
}

// deleteRegistryTree deletes a key and everything under it; a missing key
// is no error.
func deleteRegistryTree(root registry.Key, path string) error {
	k, err := registry.OpenKey(root, path, registry.ENUMERATE_SUB_KEYS)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	subkeys, err := k.ReadSubKeyNames(-1)
	k.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, sub := range subkeys {
		if err := deleteRegistryTree(root, path+`\`+sub); err != nil {
			return err
		}
	}
	if err := registry.DeleteKey(root, path); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
