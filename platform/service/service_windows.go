package service

import (
	"errors"

	ks "github.com/kardianos/service"
	"golang.org/x/sys/windows/svc/mgr"
)

func serviceOptions(user bool) (ks.KeyValue, error) {
	if user {
		return nil, errors.New("Windows has no per-user services: install the system service, as an administrator")
	}
	return ks.KeyValue{
		ks.StartType:              ks.ServiceStartAutomatic,
		ks.OnFailure:              ks.OnFailureRestart,
		ks.OnFailureDelayDuration: "5s",
		ks.OnFailureResetPeriod:   24 * 60 * 60, // seconds without failure before the count starts again
	}, nil
}

func state(s ks.Service, cfg *Config) (State, error) {
	st, err := kardianosState(s)
	if err != nil || !st.Running {
		return st, err
	}
	m, err := mgr.Connect()
	if err != nil {
		return st, nil // running, its process id untold
	}
	defer m.Disconnect()
	svc, err := m.OpenService(cfg.Name)
	if err != nil {
		return st, nil
	}
	defer svc.Close()
	if q, err := svc.Query(); err == nil {
		st.PID = int(q.ProcessId)
	}
	return st, nil
}

func configPath(*Config) string { return "" }

func afterUninstall(*Config) error { return nil }
