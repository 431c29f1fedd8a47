package telegramtest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxBody is Telegram's upload limit for bots.
const maxBody = 50 << 20

// params are the arguments of one call, whatever the encoding: query string,
// multipart/form-data (nested objects as JSON text, files as parts),
// application/x-www-form-urlencoded or application/json. Values are kept as
// text; JSON objects and arrays as their JSON text.
type params struct {
	vals  map[string]string
	files map[string]upload
}

type upload struct {
	name string
	data []byte
}

func parseParams(r *http.Request) (params, *apiError) {
	p := params{vals: map[string]string{}, files: map[string]upload{}}
	for k, v := range r.URL.Query() {
		p.vals[k] = v[0]
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return p, badRequest("can't read request body")
	}
	if len(body) > maxBody {
		return p, &apiError{code: http.StatusRequestEntityTooLarge, desc: "Request Entity Too Large"}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		err = p.addMultipart(body, ctParams["boundary"])
	case "application/json":
		err = p.addJSON(body)
	default:
		err = p.addForm(body)
	}
	if err != nil {
		return p, badRequest("can't parse request: %v", err)
	}
	return p, nil
}

func (p params) addMultipart(body []byte, boundary string) error {
	form, err := multipart.NewReader(bytes.NewReader(body), boundary).ReadForm(maxBody)
	if err != nil {
		return err
	}
	defer func() { _ = form.RemoveAll() }()
	for k, v := range form.Value {
		p.vals[k] = v[0]
	}
	for k, hs := range form.File {
		data, err := readPart(hs[0])
		if err != nil {
			return err
		}
		p.files[k] = upload{name: hs[0].Filename, data: data}
	}
	return nil
}

func readPart(h *multipart.FileHeader) ([]byte, error) {
	f, err := h.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

func (p params) addJSON(body []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return err
	}
	for k, raw := range m {
		switch {
		case string(raw) == "null":
		case raw[0] == '"':
			var str string
			if err := json.Unmarshal(raw, &str); err != nil {
				return err
			}
			p.vals[k] = str
		default:
			p.vals[k] = string(raw)
		}
	}
	return nil
}

func (p params) addForm(body []byte) error {
	q, err := url.ParseQuery(string(body))
	if err != nil {
		return err
	}
	for k, v := range q {
		p.vals[k] = v[0]
	}
	return nil
}

func (p params) str(key string) string { return p.vals[key] }

func (p params) has(key string) bool {
	_, ok := p.vals[key]
	_, file := p.files[key]
	return ok || file
}

// int returns an integer parameter, 0 if it is absent.
func (p params) int(key string) (int64, *apiError) {
	v := strings.TrimSpace(p.vals[key])
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, badRequest("wrong parameter %s", key)
	}
	return n, nil
}

func (p params) flag(key string) bool {
	v := strings.ToLower(strings.TrimSpace(p.vals[key]))
	return v == "true" || v == "1"
}

// decode unmarshals a JSON parameter. It reports false if the parameter is
// absent.
func (p params) decode(key string, v any) (bool, error) {
	raw := p.vals[key]
	if raw == "" {
		return false, nil
	}
	return true, json.Unmarshal([]byte(raw), v)
}

// chatID is the numeric chat_id, 0 if absent or not a number.
func (p params) chatID() int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(p.vals["chat_id"]), 10, 64)
	return n
}
