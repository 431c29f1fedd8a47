package sender

import (
	"net/http"
	"time"
)

// HTTPClient is the HTTP client for Telegram calls. Go's default transport
// keeps only 2 idle connections to a host, so with the sender's requests in
// flight and the taps answered at once, most calls would dial (and, against
// api.telegram.org, shake hands over TLS) anew; this one keeps enough open.
func HTTPClient(timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	t.IdleConnTimeout = 90 * time.Second
	return &http.Client{Timeout: timeout, Transport: t}
}
