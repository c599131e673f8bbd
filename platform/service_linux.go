package platform

import "github.com/kardianos/service"

func serviceOptions(user bool) (service.KeyValue, error) {
	return service.KeyValue{"UserService": user, "Restart": "on-failure"}, nil
}
