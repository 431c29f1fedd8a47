package telegramtest

import (
	"fmt"
	"mime"
	"path/filepath"
	"strings"

	"github.com/go-telegram/bot/models"
)

// file is something that has a file_id. Guarded by Server.mu.
type file struct {
	id     string
	unique string
	kind   string // "photo", "document", "voice", "sticker"
	name   string
	data   []byte
}

func (s *Server) newFileLocked(kind, name string, data []byte) *file {
	s.nextFileID++
	f := &file{
		id:     fmt.Sprintf("TT%s%08d", strings.ToUpper(kind[:2]), s.nextFileID),
		unique: fmt.Sprintf("U%08d", s.nextFileID),
		kind:   kind,
		name:   name,
		data:   data,
	}
	s.files[f.id] = f
	if kind == "photo" {
		s.files[f.id+"_s"] = f
		s.files[f.id+"_m"] = f
	}
	return f
}

// inputFileLocked resolves an InputFile parameter: an uploaded part, a
// "attach://<part>" reference, a file_id of a known file, or an http(s) URL.
func (s *Server) inputFileLocked(p params, key, kind string) (*file, *apiError) {
	if up, ok := p.files[key]; ok {
		return s.uploadLocked(up, kind)
	}
	v := strings.TrimSpace(p.str(key))
	switch {
	case v == "":
		return nil, badRequest("there is no %s in the request", kind)
	case strings.HasPrefix(v, "attach://"):
		up, ok := p.files[strings.TrimPrefix(v, "attach://")]
		if !ok {
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
		return s.uploadLocked(up, kind)
	case strings.HasPrefix(v, "http://"), strings.HasPrefix(v, "https://"):
		return s.newFileLocked(kind, filepath.Base(v), nil), nil
	case s.files[v] != nil:
		return s.files[v], nil
	}
	return nil, badRequest("wrong file identifier/HTTP URL specified")
}

func (s *Server) uploadLocked(up upload, kind string) (*file, *apiError) {
	if len(up.data) == 0 {
		return nil, badRequest("file must be non-empty")
	}
	return s.newFileLocked(kind, up.name, up.data), nil
}

func (f *file) photo() []models.PhotoSize {
	size := len(f.data)
	return []models.PhotoSize{
		{FileID: f.id + "_s", FileUniqueID: f.unique + "s", Width: 90, Height: 90, FileSize: size / 16},
		{FileID: f.id + "_m", FileUniqueID: f.unique + "m", Width: 320, Height: 320, FileSize: size / 4},
		{FileID: f.id, FileUniqueID: f.unique, Width: 800, Height: 800, FileSize: size},
	}
}

func (f *file) document() *models.Document {
	name := f.name
	if name == "" {
		name = "file"
	}
	mt := mime.TypeByExtension(filepath.Ext(name))
	if mt == "" {
		mt = "application/octet-stream"
	}
	return &models.Document{
		FileID: f.id, FileUniqueID: f.unique, FileName: name, MimeType: mt, FileSize: int64(len(f.data)),
	}
}

func (f *file) voice() *models.Voice {
	return &models.Voice{
		FileID: f.id, FileUniqueID: f.unique, Duration: 3, MimeType: "audio/ogg", FileSize: int64(len(f.data)),
	}
}

func (f *file) sticker() *models.Sticker {
	return &models.Sticker{
		FileID: f.id, FileUniqueID: f.unique, Type: "regular", Width: 512, Height: 512, Emoji: "👍",
	}
}
