package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// keys builds every Redis key Lijntje uses, in one place. Every key has a TTL.
type keys struct{ prefix string }

// conv holds where a chat's conversation is (JSON), see Conv.
func (k keys) conv(chatID int64) string { return k.prefix + "conv:" + strconv.FormatInt(chatID, 10) }

// update marks an update ID of a bot as seen (dedupe fast path; Postgres decides).
func (k keys) update(bot, updateID int64) string {
	return k.prefix + "upd:" + strconv.FormatInt(bot, 10) + ":" + strconv.FormatInt(updateID, 10)
}

const (
	convTTL   = 72 * time.Hour
	updateTTL = 48 * time.Hour
)

// Who a chat belongs to.
const (
	RoleNone    = ""
	RoleStudent = "student"
	RoleCoach   = "coach"
)

// Conv is the fast-path view of a chat: who it is and where its check-in is.
// It is rebuilt from Postgres whenever it is missing.
type Conv struct {
	Role      string            `json:"r"`
	ID        int64             `json:"id"`
	Lang      string            `json:"l,omitempty"`
	Name      string            `json:"n,omitempty"` // first name
	Coach     string            `json:"o,omitempty"` // the student's coach's first name
	CheckinID int64             `json:"c,omitempty"`
	Version   string            `json:"v,omitempty"`
	Step      string            `json:"s,omitempty"`
	Skip      []string          `json:"k,omitempty"`
	Previous  map[string]string `json:"p,omitempty"`
}

// CachedConv returns the cached conversation of chatID, or ok=false when Redis has none.
func (s *Store) CachedConv(ctx context.Context, chatID int64) (Conv, bool, error) {
	b, err := s.rdb.Get(ctx, s.key.conv(chatID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return Conv{}, false, nil
	}
	if err != nil {
		return Conv{}, false, fmt.Errorf("redis get conv: %w", err)
	}
	var c Conv
	if err := json.Unmarshal(b, &c); err != nil {
		return Conv{}, false, nil // a damaged entry is a miss
	}
	return c, true, nil
}

// CacheConv stores the conversation of chatID.
func (s *Store) CacheConv(ctx context.Context, chatID int64, c Conv) error {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode conv: %w", err)
	}
	if err := s.rdb.Set(ctx, s.key.conv(chatID), b, convTTL).Err(); err != nil {
		return fmt.Errorf("redis set conv: %w", err)
	}
	return nil
}

// cacheConvs stores the conversations of chats in one round trip; a chat
// whose conversation could not be stored has none cached (Postgres has it).
func (s *Store) cacheConvs(ctx context.Context, chats []int64, convs []Conv) {
	if len(chats) == 0 {
		return
	}
	pipe := s.rdb.Pipeline()
	for i, c := range convs {
		if b, err := json.Marshal(c); err == nil {
			pipe.Set(ctx, s.key.conv(chats[i]), b, convTTL)
		} else {
			pipe.Del(ctx, s.key.conv(chats[i]))
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		keys := make([]string, len(chats))
		for i, chat := range chats {
			keys[i] = s.key.conv(chat)
		}
		s.rdb.Del(ctx, keys...) // better no cache than an old one
	}
}

// ForgetConv drops the cached conversation of chatID.
func (s *Store) ForgetConv(ctx context.Context, chatID int64) error {
	if err := s.rdb.Del(ctx, s.key.conv(chatID)).Err(); err != nil {
		return fmt.Errorf("redis del conv: %w", err)
	}
	return nil
}

// FlushRedis deletes every key of this store's prefix (tests and `student delete`).
func (s *Store) FlushRedis(ctx context.Context) error {
	iter := s.rdb.Scan(ctx, 0, s.key.prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		if err := s.rdb.Del(ctx, iter.Val()).Err(); err != nil {
			return fmt.Errorf("redis del: %w", err)
		}
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("redis scan: %w", err)
	}
	return nil
}

// MarkUpdate records in Redis that an update was handled (after Postgres has it).
func (s *Store) MarkUpdate(ctx context.Context, updateID int64) {
	s.rdb.Set(ctx, s.key.update(s.bot, updateID), 1, updateTTL)
}

// Lookup is the fast path's first step for an update, in one Redis round trip
// (shared with other updates': pipes.go): whether the update was handled
// before, and who the chat is (from the cache, or rebuilt from Postgres when
// Redis has nothing or is away). Redis away: not seen, and the conversation
// from Postgres, which is the record of both.
func (s *Store) Lookup(ctx context.Context, updateID, chatID int64) (seen bool, c Conv, err error) {
	seen, c, ok := s.lookupConv(ctx, updateID, chatID)
	switch {
	case seen:
		return true, Conv{}, nil
	case ok:
		return false, c, nil
	}
	c, err = s.loadConv(ctx, chatID)
	return false, c, err
}
