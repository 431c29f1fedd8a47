//go:build tools

// Package tools pins dependencies that packages under construction will use.
package tools

import (
	_ "github.com/BurntSushi/toml"
	_ "github.com/chromedp/chromedp"
	_ "github.com/go-telegram/bot"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/nicksnyder/go-i18n/v2/i18n"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/robfig/cron/v3"
	_ "github.com/skip2/go-qrcode"
	_ "github.com/xuri/excelize/v2"
	_ "gonum.org/v1/plot"
	_ "gopkg.in/yaml.v3"
)
