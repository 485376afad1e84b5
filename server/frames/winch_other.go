//go:build !unix

package frames

// onResize does nothing where there is no SIGWINCH.
func onResize(func()) (stop func()) { return func() {} }
