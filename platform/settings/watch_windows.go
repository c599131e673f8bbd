package settings

import (
	"context"
	"fmt"
	"runtime"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// settingsFiles: on Windows the machine settings live in the registry.
func settingsFiles(func(string) string) []string { return nil }

// regNotifyThreadAgnostic lets a notification outlive the thread that asked
// for it (REG_NOTIFY_THREAD_AGNOSTIC).
const regNotifyThreadAgnostic = 0x10000000

// watchRegistry asks for change notification on the parents of the
// settings keys (HKLM and HKCU Software, whole subtrees), so that a key
// created after start is seen too, and calls onChange at each change until
// ctx ends.
func watchRegistry(ctx context.Context, onChange func()) error {
	type watch struct {
		key   registry.Key
		event windows.Handle
	}
	var watches []watch
	closeWatches := func() {
		for _, w := range watches {
			w.key.Close()
			windows.CloseHandle(w.event)
		}
	}
	arm := func(w watch) error {
		return windows.RegNotifyChangeKeyValue(windows.Handle(w.key), true,
			windows.REG_NOTIFY_CHANGE_NAME|windows.REG_NOTIFY_CHANGE_LAST_SET|regNotifyThreadAgnostic, w.event, true)
	}
	for _, root := range []registry.Key{registry.LOCAL_MACHINE, registry.CURRENT_USER} {
		k, err := registry.OpenKey(root, `Software`, registry.NOTIFY)
		if err != nil {
			continue
		}
		ev, err := windows.CreateEvent(nil, 0, 0, nil)
		if err != nil {
			k.Close()
			closeWatches()
			return fmt.Errorf("platform: watch registry: %w", err)
		}
		w := watch{k, ev}
		if err := arm(w); err != nil {
			k.Close()
			windows.CloseHandle(ev)
			continue
		}
		watches = append(watches, w)
	}
	if len(watches) == 0 {
		return nil
	}
	stop, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		closeWatches()
		return fmt.Errorf("platform: watch registry: %w", err)
	}
	go func() {
		<-ctx.Done()
		windows.SetEvent(stop)
	}()
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		handles := []windows.Handle{stop}
		for _, w := range watches {
			handles = append(handles, w.event)
		}
		defer func() {
			closeWatches()
			windows.CloseHandle(stop)
		}()
		for {
			r, err := windows.WaitForMultipleObjects(handles, false, windows.INFINITE)
			if err != nil || r == windows.WAIT_OBJECT_0 {
				return
			}
			i := int(r-windows.WAIT_OBJECT_0) - 1
			if i >= 0 && i < len(watches) {
				arm(watches[i])
				onChange()
			}
		}
	}()
	return nil
}
