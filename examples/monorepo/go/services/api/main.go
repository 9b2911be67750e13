// api: a service of a Go workspace that imports the workspace's library.
package main

import (
	"fmt"

	"example.com/greet"
)

func main() {
	fmt.Println(greet.Hello("api"))
}
