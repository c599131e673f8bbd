package prompt

import (
	"context"
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/windows"
)

// nativeDialog asks through a message box when the desktop can be seen.
// It offers yes and no only (see the package doc).
func nativeDialog(e Env, _ Question) (dialog, bool) {
	if !e.InteractiveDesktop {
		return dialog{}, false
	}
	return dialog{how: MessageBox, box: messageBox}, true
}

// idYes is what MessageBoxW returns for the Yes button.
const idYes = 6

// messageBox asks with MessageBoxW, No being the default button. The box
// cannot be closed from outside: when ctx ends first, the question is
// denied and the box stays until answered or rvm exits.
func messageBox(ctx context.Context, question string) (bool, error) {
	text, err := windows.UTF16PtrFromString(question)
	if err != nil {
		return false, err
	}
	caption, _ := windows.UTF16PtrFromString("rvm")
	type answer struct {
		id  int32
		err error
	}
	answers := make(chan answer, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		id, err := windows.MessageBox(0, text, caption,
			windows.MB_YESNO|windows.MB_ICONQUESTION|windows.MB_DEFBUTTON2|windows.MB_SETFOREGROUND|windows.MB_TOPMOST)
		answers <- answer{id, err}
	}()
	select {
	case <-ctx.Done():
		return false, ctx.Err()
	case a := <-answers:
		if a.id == 0 {
			return false, a.err
		}
		return a.id == idYes, nil
	}
}

var (
	user32                       = windows.NewLazySystemDLL("user32.dll")
	procGetProcessWindowStation  = user32.NewProc("GetProcessWindowStation")
	procGetUserObjectInformation = user32.NewProc("GetUserObjectInformationW")
)

// userObjectFlags is USEROBJECTFLAGS.
type userObjectFlags struct {
	inherit  int32
	reserved int32
	flags    uint32
}

const (
	uoiFlags   = 1 // UOI_FLAGS
	wsfVisible = 1 // WSF_VISIBLE
)

// interactiveDesktop reports whether the process's window station is
// visible: false for a service in session 0 or an SSH session.
func interactiveDesktop() bool {
	station, _, _ := procGetProcessWindowStation.Call()
	if station == 0 {
		return false
	}
	var f userObjectFlags
	var needed uint32
	ok, _, _ := procGetUserObjectInformation.Call(station, uoiFlags,
		uintptr(unsafe.Pointer(&f)), unsafe.Sizeof(f), uintptr(unsafe.Pointer(&needed)))
	return ok != 0 && f.flags&wsfVisible != 0
}

func isTerminal(f *os.File) bool {
	var mode uint32
	return windows.GetConsoleMode(windows.Handle(f.Fd()), &mode) == nil
}
