package testkit

import (
	"fmt"
	"image"
	"image/color"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// QRCode reads a QR code drawn on the screen with half blocks and decodes it,
// as a phone's camera would read the screen. Each cell is two pixels, one
// above the other, painted as the terminal paints it: "▀" its foreground over
// its background, "▄" the other way round, "█" all foreground, a space (or any
// other character, too thin to count) all background. A cell without a colour
// of its own has the terminal's: background bg, and a foreground that stands
// out from it. A pixel is dark when its colour is.
//
// It finds the code anywhere on the screen, so a code whose cells carry no
// colours of their own, or the wrong ones, fails to decode on one of the two
// backgrounds a test gives.
func (s *Screen) QRCode(bg color.Color) (string, error) {
	img := s.halfBlockImage(bg)
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", fmt.Errorf("read screen image: %w", err)
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return "", fmt.Errorf("decode qr code: %w", err)
	}
	return res.GetText(), nil
}

// qrScale is how many image pixels a module takes each way: the decoder
// samples modules, and one pixel each leaves it no room to.
const qrScale = 4

// halfBlockImage is the screen as a grey image, a half cell a module, with a
// border of the terminal's background.
func (s *Screen) halfBlockImage(bg color.Color) *image.Gray {
	if bg == nil {
		bg = color.Black
	}
	fg := color.Color(color.White)
	if !isDark(bg) {
		fg = color.Black
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w, h := s.emu.Width(), s.emu.Height()
	const border = 8
	img := image.NewGray(image.Rect(0, 0, (w+2*border)*qrScale, (2*h+2*border)*qrScale))
	paint := func(x, y int, c color.Color) {
		g := color.GrayModel.Convert(c).(color.Gray)
		for dy := range qrScale {
			for dx := range qrScale {
				img.SetGray(x*qrScale+dx, y*qrScale+dy, g)
			}
		}
	}
	for y := range 2*h + 2*border {
		for x := range w + 2*border {
			paint(x, y, bg)
		}
	}
	for y := range h {
		for x := range w {
			top, bottom := halves(s.emu.CellAt(x, y), fg, bg)
			paint(border+x, border+2*y, top)
			paint(border+x, border+2*y+1, bottom)
		}
	}
	return img
}

// halves are the colours of a cell's top and bottom halves.
func halves(c *uv.Cell, fg, bg color.Color) (top, bottom color.Color) {
	if c == nil {
		return bg, bg
	}
	if c.Style.Fg != nil {
		fg = c.Style.Fg
	}
	if c.Style.Bg != nil {
		bg = c.Style.Bg
	}
	if c.Style.Attrs&uv.AttrReverse != 0 {
		fg, bg = bg, fg
	}
	switch c.Content {
	case "▀":
		return fg, bg
	case "▄":
		return bg, fg
	case "█":
		return fg, fg
	}
	return bg, bg
}

// isDark reports whether a colour is nearer black than white.
func isDark(c color.Color) bool {
	return color.GrayModel.Convert(c).(color.Gray).Y < 128
}
