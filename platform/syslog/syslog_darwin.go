package syslog

import (
	"fmt"
	"os"
	"time"
)

func open(name string) (sink, error) {
	s, err := dialSyslog("/var/run/syslog", name, os.Getpid(), time.Now)
	if err != nil {
		return nil, fmt.Errorf("syslog: no system log to write to: %w", err)
	}
	return s, nil
}
