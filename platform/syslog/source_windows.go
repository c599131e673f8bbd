package syslog

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/windows/registry"
)

// sourcesKey holds the Application log's event sources, under HKLM.
const sourcesKey = `SYSTEM\CurrentControlSet\Services\EventLog\Application`

func registerSource(name string) error {
	if err := checkSourceName(name); err != nil {
		return fmt.Errorf("syslog: register event source: %w", err)
	}
	path := sourcesKey + `\` + name
	k, _, err := registry.CreateKey(registry.LOCAL_MACHINE, path, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf(`syslog: register event source: HKLM\%s: %w`, path, err)
	}
	defer k.Close()
	err = k.SetExpandStringValue("EventMessageFile", `%SystemRoot%\System32\EventCreate.exe`)
	if err == nil {
		err = k.SetDWordValue("TypesSupported", 7)
	}
	if err == nil {
		err = k.SetDWordValue("CustomSource", 1)
	}
	if err != nil {
		return fmt.Errorf(`syslog: register event source: HKLM\%s: %w`, path, err)
	}
	return nil
}

func unregisterSource(name string) error {
	if err := checkSourceName(name); err != nil {
		return fmt.Errorf("syslog: unregister event source: %w", err)
	}
	path := sourcesKey + `\` + name
	if err := registry.DeleteKey(registry.LOCAL_MACHINE, path); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf(`syslog: unregister event source: HKLM\%s: %w`, path, err)
	}
	return nil
}

// checkSourceName refuses a name that is not one registry key's name.
func checkSourceName(name string) error {
	if name == "" || strings.Contains(name, `\`) {
		return fmt.Errorf("%q is not an event source's name", name)
	}
	return nil
}
