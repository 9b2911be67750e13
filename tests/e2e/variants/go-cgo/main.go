// go-cgo checks, inside its image, that the libc lookups cgo makes work:
// the account of its UID (getpwuid_r through glibc) and a CA bundle.
package main

import (
	"crypto/x509"
	"fmt"
	"os"
	"os/user"
)

func main() {
	u, err := user.Current()
	if err != nil {
		fmt.Println("check failed: user:", err)
		os.Exit(1)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || len(pool.Subjects()) == 0 { //nolint:staticcheck // a count is all we need
		fmt.Println("check failed: no CA certificates:", err)
		os.Exit(1)
	}
	fmt.Printf("check ok: user=%s home=%s certs=%d\n", u.Username, u.HomeDir, len(pool.Subjects()))
}
