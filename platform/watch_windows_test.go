package platform

import (
	"context"
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/windows/registry"
)

func TestWatchSettingsRegistry(t *testing.T) {
	changed := make(chan struct{}, 16)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fatalIf(t, WatchSettings(ctx, "", os.Getenv, nil, func() { changed <- struct{}{} }))

	path := fmt.Sprintf(`Software\RVMTest-watch-%d`, os.Getpid())
	k, _, err := registry.CreateKey(registry.CURRENT_USER, path, registry.ALL_ACCESS)
	fatalIf(t, err)
	defer func() {
		k.Close()
		registry.DeleteKey(registry.CURRENT_USER, path)
	}()
	waitChange(t, changed, "creating a key under HKCU\\Software")
	fatalIf(t, k.SetStringValue(SettingRevocationMode, "off"))
	waitChange(t, changed, "setting a value")
}
