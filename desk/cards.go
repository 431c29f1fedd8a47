package desk

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"codeberg.org/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"

	"github.com/lijntje/lijntje/store"
)

// Card is one invite to hand over in person.
type Card struct {
	Student store.Student
	Link    string
}

// cardsDir is the directory of PNG cards, or "" when path is a PDF file.
func cardsDir(path string) string {
	if path == "" || strings.EqualFold(filepath.Ext(path), ".pdf") {
		return ""
	}
	return path
}

// FirstName is the name a card greets: the first word of the name.
func FirstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return name
}

// WriteCards writes one printable card a student: to path as a PDF with one
// A6 page a card, or, when path is not a .pdf, as one PNG a student in the
// directory path, named by ID (FileName). A card has the first name, the QR
// code, the link and three steps.
func (d *Desk) WriteCards(path string, cards []Card) error {
	if dir := cardsDir(path); dir != "" {
		for _, c := range cards {
			b, err := d.CardPNG(c)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, FileName(c.Student, ".png")), b, 0o600); err != nil {
				return err
			}
		}
		return nil
	}
	pdf := fpdf.New("P", "mm", "A6", "")
	pdf.SetCompression(false) // small files anyway; readable by a test
	pdf.AddUTF8FontFromBytes("sans", "", liberationsansregular.TTF)
	pdf.AddUTF8FontFromBytes("sans", "B", liberationsansbold.TTF)
	pdf.SetMargins(10, 10, 10)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetTitle(d.T("cli.card.title"), true)
	for _, c := range cards {
		pdf.AddPage()
		pdf.SetFont("sans", "B", 20)
		pdf.SetXY(10, 12)
		pdf.CellFormat(85, 10, d.T("cli.card.hello", "Name", FirstName(c.Student.Name)), "", 1, "C", false, 0, "")
		pdf.SetFont("sans", "", 11)
		pdf.CellFormat(85, 6, d.T("cli.card.intro"), "", 1, "C", false, 0, "")
		q, err := qrcode.New(c.Link, qrcode.Medium)
		if err != nil {
			return err
		}
		var jb bytes.Buffer // JPEG: fpdf embeds it as it is (DCTDecode)
		if err := jpeg.Encode(&jb, grayOf(q.Image(600)), &jpeg.Options{Quality: 95}); err != nil {
			return err
		}
		name := "qr-" + FileName(c.Student, "")
		pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "JPG"}, &jb)
		pdf.ImageOptions(name, 22.5, 32, 60, 60, false, fpdf.ImageOptions{ImageType: "JPG"}, 0, "")
		pdf.SetXY(10, 94)
		pdf.SetFont("sans", "", 7)
		pdf.CellFormat(85, 4, c.Link, "", 1, "C", false, 0, c.Link)
		pdf.SetFont("sans", "", 12)
		pdf.SetXY(14, 102)
		for _, step := range []string{"cli.card.step1", "cli.card.step2", "cli.card.step3"} {
			pdf.CellFormat(80, 8, d.T(step), "", 1, "L", false, 0, "")
			pdf.SetX(14)
		}
		pdf.SetFont("sans", "", 7)
		pdf.SetXY(10, 136)
		pdf.CellFormat(85, 4, d.T("cli.card.footer", "ID", c.Student.ID), "", 1, "C", false, 0, "")
	}
	return pdf.OutputFileAndClose(path)
}

func grayOf(img image.Image) *image.Gray {
	g := image.NewGray(img.Bounds())
	draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Src)
	return g
}

// CardPNG draws a card as a PNG: the QR code with the first name and link
// under it in plain pixels (a printable card is the PDF; a PNG is for a
// message or a mail merge).
func (d *Desk) CardPNG(c Card) ([]byte, error) {
	q, err := qrcode.New(c.Link, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, 600, 820))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(0, 60, 600, 660), q.Image(600), image.Point{}, draw.Src)
	if err := drawText(img, []cardLine{
		{d.T("cli.card.hello", "Name", FirstName(c.Student.Name)), 30, 40, true},
		{c.Link, 12, 690, false},
		{d.T("cli.card.step1"), 20, 730, false},
		{d.T("cli.card.step2"), 20, 765, false},
		{d.T("cli.card.step3"), 20, 800, false},
	}); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = png.Encode(&b, img)
	return b.Bytes(), err
}

var _ = color.Black
