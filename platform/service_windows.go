package platform

import (
	"errors"

	"github.com/kardianos/service"
)

func serviceOptions(user bool) (service.KeyValue, error) {
	if user {
		return nil, errors.New("Windows has no per-user services: install the system service, as an administrator")
	}
	return service.KeyValue{
		service.StartType:              service.ServiceStartAutomatic,
		service.OnFailure:              service.OnFailureRestart,
		service.OnFailureDelayDuration: "5s",
		service.OnFailureResetPeriod:   24 * 60 * 60, // seconds without failure before the count starts again
	}, nil
}
