package service

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	ks "github.com/kardianos/service"
)

func serviceOptions(user bool) (ks.KeyValue, error) {
	return ks.KeyValue{"UserService": user, "Restart": "on-failure"}, nil
}

// Where kardianos/service's SysV init script keeps the service: the
// script, the links that start and stop it at each run level, and the
// file with the process id.
const (
	sysvScripts = "/etc/init.d"
	sysvPIDs    = "/var/run"
)

func sysv() bool { return ks.ChosenSystem().String() == "unix-systemv" }

// state: kardianos/service reads a SysV service's status through
// `service NAME status`, which fails for a stopped service and one not
// installed alike; rvm reads the script and the process id file itself.
func state(s ks.Service, cfg *Config) (State, error) {
	if sysv() {
		return sysvState(cfg.Name)
	}
	st, err := kardianosState(s)
	if err != nil || !st.Running || ks.ChosenSystem().String() != "linux-systemd" {
		return st, err
	}
	args := []string{"show", "--property=MainPID", "--value", cfg.Name + ".service"}
	if cfg.User {
		args = append([]string{"--user"}, args...)
	}
	out, err := exec.Command("systemctl", args...).Output()
	if err != nil {
		return st, nil // running, its process id untold
	}
	st.PID, _ = strconv.Atoi(strings.TrimSpace(string(out)))
	return st, nil
}

// sysvState reads the SysV init script of the service name and the
// process id its start recorded: running where that process exists.
func sysvState(name string) (State, error) {
	if _, err := os.Stat(filepath.Join(sysvScripts, name)); errors.Is(err, fs.ErrNotExist) {
		return State{}, nil
	} else if err != nil {
		return State{}, err
	}
	st := State{Installed: true}
	data, err := os.ReadFile(filepath.Join(sysvPIDs, name+".pid"))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	} else if err != nil {
		return State{}, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return st, nil // not a process id: not running
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
		st.Running, st.PID = true, pid
	}
	return st, nil
}

// configPath is where the service manager keeps the service's
// definition.
func configPath(cfg *Config) string {
	switch {
	case sysv():
		return filepath.Join(sysvScripts, cfg.Name)
	case ks.ChosenSystem().String() != "linux-systemd":
		return ""
	case !cfg.User:
		return "/etc/systemd/system/" + cfg.Name + ".service"
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".config", "systemd", "user", cfg.Name+".service")
	}
	return ""
}

// afterUninstall removes the run level links that kardianos/service's
// SysV install made and its uninstall leaves behind, pointing nowhere.
func afterUninstall(cfg *Config) error {
	if !sysv() {
		return nil
	}
	for _, level := range "0123456" {
		for _, prefix := range []string{"S50", "K02"} {
			link := fmt.Sprintf("/etc/rc%c.d/%s%s", level, prefix, cfg.Name)
			if err := os.Remove(link); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}
