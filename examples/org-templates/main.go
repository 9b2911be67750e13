// org-templates: a stdlib-only web server that also answers one-shot requests.
package main

import (
	"fmt"
	"net/http"
	"os"
)

func hello(w http.ResponseWriter, _ *http.Request) {
	fmt.Fprintln(w, "Hello from org-templates!")
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--once" {
		fmt.Println("Hello from org-templates!")
		return
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", hello)
	fmt.Println("listening on :" + port)
	if err := http.ListenAndServe(":"+port, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
