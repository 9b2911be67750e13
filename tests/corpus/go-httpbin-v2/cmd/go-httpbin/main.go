// Command go-httpbin serves httpbin's endpoints on $PORT (default 8080).
package main

import (
	"log"
	"net/http"
	"os"

	"github.com/example/go-httpbin/v2/httpbin"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Printf("go-httpbin listening on :%s", port)
	log.Fatal(http.ListenAndServe(":"+port, httpbin.Handler()))
}
