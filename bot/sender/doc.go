// Package sender drains the outbox into Telegram: lanes first (people before
// bulk), one chat's messages in order, within a global rate (fixed, or found by
// additive increase and halving on a 429) and a per-chat rate. It sorts
// Telegram's errors into classes (wait, blocked, refused, edit target gone,
// try again later) and acts on each; a message is marked sent only after
// Telegram took it. The bot hands it messages it just wrote, wakes it, and
// answers its hooks (rendering an alert, a chat that blocked the bot, a coach
// who cannot be reached).
package sender
