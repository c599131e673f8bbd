package service

import ks "github.com/kardianos/service"

func serviceOptions(user bool) (ks.KeyValue, error) {
	return ks.KeyValue{"UserService": user, "RunAtLoad": true, "KeepAlive": true}, nil
}
