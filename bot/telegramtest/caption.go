package telegramtest

import "github.com/go-telegram/bot/models"

// SendPhotoCaption sends a photo with a caption (a photo of a letter, with a
// question about it).
func (u *User) SendPhotoCaption(caption string) int64 {
	return u.sendFile("photo", "photo.jpg", func(m *models.Message, f *file) {
		m.Photo = f.photo()
		m.Caption = caption
	})
}
