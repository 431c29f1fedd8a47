// Package proccpu reads how much CPU a process on this machine has used, from
// /proc: how the benchmark meters Lijntje, Postgres's backends and Redis from
// outside, and how store's BenchmarkTap meters one Postgres backend.
package proccpu

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// Of is the user and system CPU that process pid has used so far, in clock
// ticks of 10 ms, and whether /proc showed it (false: not Linux, or no such
// process here).
func Of(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 { // after the name, which may hold spaces
		s = s[i+1:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, true
}
