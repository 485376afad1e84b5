package views_test

import (
	"math/rand/v2"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/sshresume/sshresume/content"
	"github.com/sshresume/sshresume/views"
)

// sameWithShared plays data to two models of d, one rendering everything itself
// and one taking what it can from shared, and fails at the first frame where
// they differ.
func sameWithShared(t *testing.T, d *content.Document, shared *views.Shared, opts views.Options, data []byte) {
	t.Helper()
	alone := views.New(d, opts)
	opts.Shared = shared
	withShared := views.New(d, opts)
	check := func(after tea.Msg) {
		t.Helper()
		if a, b := alone.View().Content, withShared.View().Content; a != b {
			t.Fatalf("after %#v (options %+v), with the Shared:\n%s\nwithout:\n%s", after, opts, b, a)
		}
	}
	check(nil)
	playFuzz(data, func(msg tea.Msg, _, _ int) {
		alone.Update(msg)
		withShared.Update(msg)
		check(msg)
	})
}

// FuzzShared checks that a session draws exactly what it would draw alone,
// whatever other sessions of the same resume left in the Shared before it: the
// Shared lives as long as the fuzzer, as it lives as long as the server.
func FuzzShared(f *testing.F) {
	docs := []*content.Document{doc(f), everySection(f)}
	shared := []*views.Shared{views.NewShared(docs[0]), views.NewShared(docs[1])}
	f.Add(uint8(80), uint8(24), uint8(0), []byte{0, 12, 0, 1, 10, 5, 5, 0, 0, 5, 21, 21})
	f.Add(uint8(120), uint8(40), uint8(3), []byte("\x05\x00\x00\x00\x00\x00\x05\x15\x15\x02\x01\x01\x05\x0a\x0b"))
	f.Fuzz(func(t *testing.T, w, h, section uint8, data []byte) {
		for i, d := range docs {
			opts := views.Options{
				Width: int(w) * 2, Height: int(h),
				Section:      []string{"", "work", "3", "nope"}[section%4],
				ColorProfile: colorprofile.Profile(section / 4 % 6),
			}
			sameWithShared(t, d, shared[i], opts, data)
		}
	})
}

// TestSharedDrawsTheSame is FuzzShared over a fixed set of random sessions, in
// every window size class and theme, one after another on one Shared.
func TestSharedDrawsTheSame(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for _, d := range []*content.Document{doc(t), everySection(t)} {
		shared := views.NewShared(d)
		for range 300 {
			opts := views.Options{
				Width:        fuzzSizes[rng.IntN(len(fuzzSizes)-3)],
				Height:       fuzzSizes[rng.IntN(len(fuzzSizes)-3)],
				Section:      []string{"", "work", "3", "nope"}[rng.IntN(4)],
				ColorProfile: colorprofile.Profile(rng.IntN(6)),
			}
			data := make([]byte, 3*rng.IntN(40))
			for i := range data {
				data[i] = byte(rng.IntN(256))
			}
			sameWithShared(t, d, shared, opts, data)
		}
		// Long walks through the sections in low, wide windows, where the
		// section list scrolls and where it stands depends on the way there.
		nav := []byte{0, 1, 2, 3, 22, 23, 24, 12, 10, 16, 19, 20}
		for range 100 {
			opts := views.Options{Width: 100 + rng.IntN(120), Height: 12 + rng.IntN(10)}
			data := make([]byte, 0, 3*80)
			for range 80 {
				data = append(data, 0, nav[rng.IntN(len(nav))], 0)
			}
			sameWithShared(t, d, shared, opts, data)
		}
	}
}

// TestSharedOfAnotherDocumentIgnored checks that a Shared made for another
// resume is not used: its pieces would show the other resume.
func TestSharedOfAnotherDocumentIgnored(t *testing.T) {
	mine, other := doc(t), everySection(t)
	shared := views.NewShared(other)
	views.New(other, views.Options{Width: 80, Height: 24, Shared: shared}).View()
	got := views.New(mine, views.Options{Width: 80, Height: 24, Shared: shared}).View().Content
	if want := views.New(mine, views.Options{Width: 80, Height: 24}).View().Content; got != want {
		t.Errorf("a model of one resume drew pieces of another:\n%s", got)
	}
}

// TestSharedIsBounded checks that visitors choosing ever new window sizes
// cannot make the Shared grow without bound.
func TestSharedIsBounded(t *testing.T) {
	d := doc(t)
	shared := views.NewSharedMax(d, 50)
	for w := 40; w < 300; w++ {
		m := views.New(d, views.Options{Width: w, Height: 30, Shared: shared})
		press(m, "l", "?")
	}
	if n := shared.Size(); n > 50 {
		t.Errorf("%d pieces kept, at most 50 allowed", n)
	}
	if n := shared.Size(); n < 40 {
		t.Errorf("%d pieces kept: the Shared does not keep what it is given", n)
	}
}
