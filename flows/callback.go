package flows

import (
	"strconv"
	"strings"
)

// CallbackData returns the callback_data of an answer button:
// "a:<check-in ID in base 36>:<step>:<option>". It always ends in
// ":<option>". Parse checks that every button of a flow fits Telegram's
// 64 bytes for any check-in ID.
func CallbackData(checkinID int64, step, option string) string {
	return "a:" + strconv.FormatInt(checkinID, 36) + ":" + step + ":" + option
}

// ParseCallbackData parses what CallbackData returns. It accepts nothing
// else: not a non-positive or non-canonical ID, not step or option IDs
// outside [a-z0-9_]+, not more than 64 bytes.
func ParseCallbackData(s string) (checkinID int64, step, option string, ok bool) {
	if len(s) > MaxCallbackData {
		return 0, "", "", false
	}
	rest, ok := strings.CutPrefix(s, "a:")
	if !ok {
		return 0, "", "", false
	}
	id, rest, _ := strings.Cut(rest, ":")
	step, option, _ = strings.Cut(rest, ":")
	if !idPattern.MatchString(step) || !idPattern.MatchString(option) {
		return 0, "", "", false
	}
	n, err := strconv.ParseInt(id, 36, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 36) != id {
		return 0, "", "", false
	}
	return n, step, option, true
}
