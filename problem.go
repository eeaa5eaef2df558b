package stripegate

import (
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// problem is an RFC 9457 problem details object. Type is omitted, which the
// RFC reads as "about:blank": the status alone names the problem.
type problem struct {
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

// problemHandler responds with the status, as problem details JSON when the
// client accepts JSON and as plain text otherwise.
func problemHandler(status int, detail string) http.Handler {
	body, _ := json.Marshal(problem{Title: http.StatusText(status), Status: status, Detail: detail})
	text := http.StatusText(status) + ": " + detail + "\n"

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header := w.Header()
		header.Set("X-Content-Type-Options", "nosniff")
		header.Set("Cache-Control", "no-store")
		if acceptsJSON(r.Header.Get("Accept")) {
			header.Set("Content-Type", "application/problem+json")
			w.WriteHeader(status)
			_, _ = w.Write(body)
			return
		}
		header.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(text))
	})
}

// acceptsJSON reports whether an Accept header lists a JSON media type
// (application/json, application/problem+json or any other +json type)
// with a non-zero quality.
func acceptsJSON(accept string) bool {
	for len(accept) > 0 {
		var item string
		item, accept, _ = strings.Cut(accept, ",")
		mediaType, params, err := mime.ParseMediaType(strings.TrimSpace(item))
		if err != nil || refused(params["q"]) {
			continue
		}
		if mediaType == "application/json" || (strings.HasPrefix(mediaType, "application/") && strings.HasSuffix(mediaType, "+json")) {
			return true
		}
	}
	return false
}

// refused reports whether a quality value excludes its media type: q=0 in
// any spelling (0, 0.0, 0.000), or a value that is not a number.
func refused(quality string) bool {
	if quality == "" {
		return false
	}
	q, err := strconv.ParseFloat(quality, 64)
	return err != nil || q <= 0
}
