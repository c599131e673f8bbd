package service

import (
	"errors"

	ks "github.com/kardianos/service"
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
