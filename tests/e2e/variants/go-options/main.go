// go-options checks, inside its own image, what the runtime promises:
// a resolvable account with a home, a world-writable sticky /tmp, a CA
// bundle, and every time zone name it is given.
package main

import (
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"os/user"
	"strings"
	"time"

	"example.com/greet"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Println("usage: go-options hello|health|check|zones NAME...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "hello":
		fmt.Println(greet.Hello(os.Getenv("GREETING")))
	case "health":
		fmt.Println("healthy")
	case "check":
		check()
	case "zones":
		var failed []string
		for _, name := range os.Args[2:] {
			if _, err := time.LoadLocation(name); err != nil {
				failed = append(failed, name)
			}
		}
		fmt.Printf("zones: %d loaded, %d failed: %s\n", len(os.Args)-2-len(failed), len(failed), strings.Join(failed, " "))
	}
}

func check() {
	u, err := user.Current()
	if err != nil {
		fail("user: %v", err)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		fail("home: %v", err)
	}
	if err := os.WriteFile(home+"/probe", []byte("x"), 0o600); err != nil {
		fail("home not writable: %v", err)
	}
	info, err := os.Stat(os.TempDir())
	if err != nil {
		fail("tmp: %v", err)
	}
	tmp, err := os.CreateTemp("", "probe")
	if err != nil {
		fail("temp file: %v", err)
	}
	tmp.Close()
	pool, err := x509.SystemCertPool()
	if err != nil || len(pool.Subjects()) == 0 { //nolint:staticcheck // a count is all we need
		fail("no CA certificates: %v", err)
	}
	// net makes the binary depend on cgo when CGO_ENABLED=1: a dynamic
	// binary would not even start on scratch.
	_, _ = net.LookupPort("tcp", "http")
	// runtime.writable on scratch: made in the builder, owned by the user.
	if err := os.WriteFile("data/cache/probe", []byte("x"), 0o600); err != nil {
		fail("runtime.writable: %v", err)
	}
	fmt.Printf("check ok: user=%s home=%s tmp=%o sticky=%t certs=%d writable=data/cache\n",
		u.Username, home, info.Mode().Perm(), info.Mode()&os.ModeSticky != 0, len(pool.Subjects()))
}

func fail(format string, args ...any) {
	fmt.Printf("check failed: "+format+"\n", args...)
	os.Exit(1)
}
