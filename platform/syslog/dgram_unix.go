//go:build linux || darwin

package syslog

import (
	"fmt"
	"net"
	"time"
)

// dgram sends datagrams to a local socket (the journal's, syslog's). A
// send that fails dials again and sends once more, so that a log daemon
// that restarted (and made its socket anew) gets the event.
type dgram struct {
	path string
	conn *net.UnixConn
}

func dial(path string) (*dgram, error) {
	d := &dgram{path: path}
	if err := d.redial(); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *dgram) redial() error {
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: d.path, Net: "unixgram"})
	if err != nil {
		return err
	}
	if d.conn != nil {
		d.conn.Close()
	}
	d.conn = c
	return nil
}

func (d *dgram) send(b []byte) error {
	if _, err := d.conn.Write(b); err == nil {
		return nil
	}
	if err := d.redial(); err != nil {
		return err
	}
	_, err := d.conn.Write(b)
	return err
}

func (d *dgram) close() error { return d.conn.Close() }

// localSyslog writes events to a local syslog socket as glibc's syslog(3)
// does: "<PRI>Mmm dd hh:mm:ss TAG[PID]: TEXT", in local time.
type localSyslog struct {
	*dgram
	tag string
	pid int
	now func() time.Time
}

func dialSyslog(path, tag string, pid int, now func() time.Time) (*localSyslog, error) {
	d, err := dial(path)
	if err != nil {
		return nil, err
	}
	return &localSyslog{dgram: d, tag: tag, pid: pid, now: now}, nil
}

func (s *localSyslog) write(level Level, message string, fields []Field) error {
	line := fmt.Sprintf("<%d>%s %s[%d]: %s", facility*8+level.priority(),
		s.now().Format(time.Stamp), s.tag, s.pid, text(message, fields))
	return s.send([]byte(line))
}
