// Package httpbin answers a few of httpbin.org's endpoints.
package httpbin

import (
	"encoding/json"
	"net/http"
	"os"
)

// Handler serves /get and /status/ok.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"service": "go-httpbin",
			"url":     r.URL.String(),
			"uid":     os.Getuid(),
		})
	})
	mux.HandleFunc("/status/ok", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}
