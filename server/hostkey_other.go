//go:build !unix

package server

import (
	"fmt"
	"io/fs"
)

// checkKeyFile accepts any regular file where Unix owners and modes do not
// exist; protecting the key is then the operating system's ACLs' business.
func checkKeyFile(path string, info fs.FileInfo) error {
	if !info.Mode().IsRegular() {
		return fmt.Errorf("host key %s is not a regular file (%v)", path, info.Mode().Type())
	}
	return nil
}

// checkKeyDir accepts any directory where Unix owners and modes do not exist.
func checkKeyDir(string) error { return nil }
