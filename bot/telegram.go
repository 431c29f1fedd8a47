package bot

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/lijntje/lijntje/bot/sender"
)

// Client is the Telegram Bot API client; only bot/ and its subpackages call it.
type Client = tgbot.Bot

// NewClient returns a Bot API client for token at apiURL, on keep-alive
// connections; log (nil: none) hears the client's own errors.
func NewClient(token, apiURL string, log *slog.Logger) (*Client, error) {
	opts := []tgbot.Option{tgbot.WithServerURL(apiURL), tgbot.WithSkipGetMe(), tgbot.WithHTTPClient(time.Minute, sender.HTTPClient(time.Minute))}
	if log != nil {
		opts = append(opts, tgbot.WithErrorsHandler(func(err error) { log.Warn("telegram client", "err", err) }))
	}
	tg, err := tgbot.New(token, opts...)
	if err != nil {
		return nil, fmt.Errorf("telegram client: %w", err)
	}
	return tg, nil
}

// AllowedUpdates are the update types Lijntje asks Telegram for.
var AllowedUpdates = []string{"message", "edited_message", "callback_query", "my_chat_member"}

// SetWebhook asks Telegram to post updates to url with secret.
func (b *Bot) SetWebhook(ctx context.Context, url, secret string) error {
	if _, err := b.tg.SetWebhook(ctx, &tgbot.SetWebhookParams{URL: url, SecretToken: secret, AllowedUpdates: AllowedUpdates}); err != nil {
		return fmt.Errorf("setWebhook: %w", err)
	}
	return nil
}

// DeleteWebhook tells Telegram to stop posting updates (before polling).
func (b *Bot) DeleteWebhook(ctx context.Context) error {
	if _, err := b.tg.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil {
		return fmt.Errorf("deleteWebhook: %w", err)
	}
	return nil
}

// SendPlain sends text to a chat at once, outside the outbox: the
// benchmark's bare I/O floor, nothing a person reads.
func SendPlain(ctx context.Context, tg *Client, chatID int64, text string) error {
	if _, err := tg.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: chatID, Text: text}); err != nil {
		return fmt.Errorf("sendMessage: %w", err)
	}
	return nil
}
