package embedded

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// Plain-word causes of a data folder that cannot hold the store; the
// errors of Start match them with errors.Is.
var (
	ErrDiskFull    = errors.New("disk full")
	ErrNotWritable = errors.New("data folder not writable")
)

// checkRoom is what the data folder must take before the store starts:
// room for SQLite to open its files and write a little.
const checkRoom = 1 << 20

// checkDataDir makes sure the data folder exists and takes a write: it
// writes checkRoom bytes to a file of its own, syncs and removes it. SQLite
// itself would say "disk I/O error (4874)" or "unable to open database
// file (14)"; this says why.
func checkDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return dataDirError(dir, "create", err)
	}
	f, err := os.CreateTemp(dir, ".capsat-write-check-*")
	if err != nil {
		return dataDirError(dir, "create a file in", err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(make([]byte, checkRoom))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return dataDirError(dir, "write in", err)
	}
	return nil
}

// dataDirError names the cause of a failed check of dir.
func dataDirError(dir, what string, err error) error {
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return fmt.Errorf("%w: no room for %d KiB in the data folder %s (free some space): %w", ErrDiskFull, checkRoom>>10, dir, err)
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return fmt.Errorf("%w: cannot %s %s (let the user capsat runs as write there): %w", ErrNotWritable, what, dir, err)
	}
	return fmt.Errorf("data folder %s: cannot %s it: %w", dir, what, err)
}
