package settings

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
	"golang.org/x/sys/windows/registry"
)

func TestWatchSettingsRegistry(t *testing.T) {
	changed := make(chan struct{}, 16)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	platformtest.Must(t, Watch(ctx, "", os.Getenv, nil, func() { changed <- struct{}{} }))

	path := fmt.Sprintf(`Software\RVMTest-watch-%d`, os.Getpid())
	k, _, err := registry.CreateKey(registry.CURRENT_USER, path, registry.ALL_ACCESS)
	platformtest.Must(t, err)
	defer func() {
		k.Close()
		registry.DeleteKey(registry.CURRENT_USER, path)
	}()
	waitChange(t, changed, "creating a key under HKCU\\Software")
	platformtest.Must(t, k.SetStringValue(RevocationMode, "off"))
	waitChange(t, changed, "setting a value")
}
