package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ErrNoUsername is returned when Telegram answers getMe without a username.
var ErrNoUsername = errors.New("getMe: the bot has no username")

// Username asks Telegram (apiURL, e.g. https://api.telegram.org or a local
// Bot API server) who the bot with token is, with getMe, and returns its
// username without "@": the name invite links must carry. The token never
// appears in a returned error.
func Username(ctx context.Context, apiURL, token string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(apiURL, "/")+"/bot"+token+"/getMe", nil)
	if err != nil {
		return "", errors.New("getMe: TELEGRAM_API_URL is not a URL")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) { // *url.Error names the URL, and so the token
			err = ue.Unwrap()
		}
		return "", fmt.Errorf("getMe: %w", err)
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool   `json:"ok"`
		Description string `json:"description"`
		Result      struct {
			Username string `json:"username"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return "", fmt.Errorf("getMe: HTTP %d: %w", resp.StatusCode, err)
	}
	if !r.OK {
		return "", fmt.Errorf("getMe: HTTP %d: %s", resp.StatusCode, r.Description)
	}
	if r.Result.Username == "" {
		return "", ErrNoUsername
	}
	return r.Result.Username, nil
}
