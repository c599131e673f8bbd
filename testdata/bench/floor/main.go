// Command floor is what `rvm verify` through a service is measured
// against in `make bench`: a bare Go program that connects to the
// service's socket, posts the request that rvm's client would post and
// prints the answer, and does nothing else.
//
//	floor SOCKET REQUEST-JSON
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: floor SOCKET REQUEST-JSON")
		os.Exit(2)
	}
	sock, body := os.Args[1], os.Args[2]
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
	resp, err := client.Post("http://rvm/v1/verify", "application/json", strings.NewReader(body))
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "floor: the service answered", resp.Status)
		os.Exit(1)
	}
	if _, err := io.Copy(os.Stdout, resp.Body); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}
