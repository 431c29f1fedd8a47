package desk

import (
	"image"
	"image/draw"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

type cardLine struct {
	text string
	size float64
	y    int
	bold bool
}

// drawText draws each line centred on img.
func drawText(img draw.Image, lines []cardLine) error {
	reg, err := opentype.Parse(liberationsansregular.TTF)
	if err != nil {
		return err
	}
	bold, err := opentype.Parse(liberationsansbold.TTF)
	if err != nil {
		return err
	}
	for _, l := range lines {
		f := reg
		if l.bold {
			f = bold
		}
		face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: l.size, DPI: 96, Hinting: font.HintingFull})
		if err != nil {
			return err
		}
		dr := &font.Drawer{Dst: img, Src: image.Black, Face: face}
		wid := dr.MeasureString(l.text).Ceil()
		dr.Dot = fixed.P((img.Bounds().Dx()-wid)/2, l.y)
		dr.DrawString(l.text)
		_ = face.Close()
	}
	return nil
}
