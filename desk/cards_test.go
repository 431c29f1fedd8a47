package desk_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/lijntje/lijntje/desk"
	"github.com/lijntje/lijntje/locales"
	"github.com/lijntje/lijntje/store"
)

func newDesk(t *testing.T, lang string) *desk.Desk {
	t.Helper()
	texts, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	zone, _ := time.LoadLocation("Europe/Amsterdam")
	return &desk.Desk{Texts: texts, Lang: lang, Zone: zone}
}

// decodeQR reads the QR code in img.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("no QR code: %v", err)
	}
	return res.GetText()
}

var (
	pdfPage    = regexp.MustCompile(`/Type /Page[^s]`)
	pdfDraw    = regexp.MustCompile(`/(I[0-9a-f]+) Do`)        // a page draws image I<n>
	pdfXObject = regexp.MustCompile(`/(I[0-9a-f]+) (\d+) 0 R`) // image I<n> is object m
	pdfImage   = regexp.MustCompile(`(?s)\n(\d+) 0 obj\s*<<[^>]*?/Subtype /Image[^>]*?/Filter /DCTDecode\s*/Length (\d+)\s*>>\s*stream\r?\n`)
)

// pdfImages returns the JPEG image each page draws, in page order (the
// content streams come in page order in an uncompressed fpdf file).
func pdfImages(t *testing.T, b []byte) []image.Image {
	t.Helper()
	objOf := map[string]string{}
	for _, m := range pdfXObject.FindAllSubmatch(b, -1) {
		objOf[string(m[1])] = string(m[2])
	}
	jpegOf := map[string][]byte{}
	for _, m := range pdfImage.FindAllSubmatchIndex(b, -1) {
		n, _ := strconv.Atoi(string(b[m[4]:m[5]]))
		jpegOf[string(b[m[2]:m[3]])] = b[m[1] : m[1]+n]
	}
	var out []image.Image
	for _, m := range pdfDraw.FindAllSubmatch(b, -1) {
		data, ok := jpegOf[objOf[string(m[1])]]
		if !ok {
			t.Fatalf("image %s: no JPEG object", m[1])
		}
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, img)
	}
	return out
}

func TestCardsPDFHasOnePageAStudentWithTheirQRCode(t *testing.T) {
	t.Parallel()
	d := newDesk(t, "nl")
	cards := []desk.Card{
		{Student: store.Student{ID: 7, Name: "Daniël de Vries", Ref: "ROC1-7"}, Link: "https://t.me/LijntjeTestBot?start=AAAAAAAAAAAAAAAAAAAAAAA7"},
		{Student: store.Student{ID: 4294967301, Name: "Şeyma Yılmaz"}, Link: "https://t.me/LijntjeTestBot?start=BBBBBBBBBBBBBBBBBBBBBBB8"},
		{Student: store.Student{ID: 9, Name: "Noor"}, Link: "https://t.me/LijntjeTestBot?start=CCCCCCCCCCCCCCCCCCCCCCC9"},
	}
	path := filepath.Join(t.TempDir(), "kaarten.pdf")
	if err := d.WriteCards(path, cards); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(pdfPage.FindAll(b, -1)); n != len(cards) {
		t.Fatalf("%d pages, want %d", n, len(cards))
	}
	imgs := pdfImages(t, b)
	if len(imgs) != len(cards) {
		t.Fatalf("%d QR images, want %d", len(imgs), len(cards))
	}
	for i, c := range cards {
		if got := decodeQR(t, imgs[i]); got != c.Link {
			t.Errorf("page %d: QR code reads %q, want %q", i+1, got, c.Link)
		}
	}
	if p := os.Getenv("LIJNTJE_WRITE_CARDS_PDF"); p != "" { // for docs/card-example.png (pdftoppm)
		_ = os.WriteFile(p, b, 0o644)
	}
}

func TestCardPNGsAreNamedByIDAndReadable(t *testing.T) {
	t.Parallel()
	d := newDesk(t, "nl")
	dir := t.TempDir()
	cards := []desk.Card{{Student: store.Student{ID: 12, Name: "Sem Jansen", Ref: "A/12"}, Link: "https://t.me/LijntjeTestBot?start=DDDDDDDDDDDDDDDDDDDDDDD1"}}
	if err := d.WriteCards(dir, cards); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "student-12-A_12.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeQR(t, img); got != cards[0].Link {
		t.Fatalf("QR code reads %q", got)
	}
}
