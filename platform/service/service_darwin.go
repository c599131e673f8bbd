package service

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"

	ks "github.com/kardianos/service"
)

func serviceOptions(user bool) (ks.KeyValue, error) {
	return ks.KeyValue{"UserService": user, "RunAtLoad": true, "KeepAlive": true}, nil
}

// launchdPID is the process id in what `launchctl list NAME` prints.
var launchdPID = regexp.MustCompile(`"PID" = ([0-9]+);`)

func state(s ks.Service, cfg *Config) (State, error) {
	st, err := kardianosState(s)
	if err != nil || !st.Running {
		return st, err
	}
	if out, err := exec.Command("launchctl", "list", cfg.Name).Output(); err == nil {
		if m := launchdPID.FindSubmatch(out); m != nil {
			st.PID, _ = strconv.Atoi(string(m[1]))
		}
	}
	return st, nil
}

func configPath(cfg *Config) string {
	if !cfg.User {
		return "/Library/LaunchDaemons/" + cfg.Name + ".plist"
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "Library", "LaunchAgents", cfg.Name+".plist")
	}
	return ""
}

func afterUninstall(*Config) error { return nil }
