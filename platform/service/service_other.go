//go:build !linux && !darwin && !windows

package service

import ks "github.com/kardianos/service"

func serviceOptions(user bool) (ks.KeyValue, error) {
	return ks.KeyValue{"UserService": user}, nil
}

func state(s ks.Service, _ *Config) (State, error) { return kardianosState(s) }

func configPath(*Config) string { return "" }

func afterUninstall(*Config) error { return nil }
