// The Go net/http server for `config --target go`'s proof: the test copies
// this file beside the generated one (cors.go, package main, which declares
// itemsCors) and builds them with Debian's github.com/rs/cors. The routes the
// test probes: /api/items 200 with X-Request-Id, /api/fail 500, anything else
// under /api/ 404, all through the handler the generated comment wraps.
package main

import (
	"net/http"
	"os"
	"strings"
)

func api(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasSuffix(r.URL.Path, "/fail"):
		http.Error(w, "boom", http.StatusInternalServerError)
	case strings.HasSuffix(r.URL.Path, "/items"):
		w.Header().Set("X-Request-Id", "42")
		w.Write([]byte("ok"))
	default:
		http.NotFound(w, r)
	}
}

func main() {
	mux := http.NewServeMux()
	apiHandler := http.HandlerFunc(api)
	mux.Handle("/api/", itemsCors.Handler(apiHandler))
	if err := http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), mux); err != nil {
		panic(err)
	}
}
