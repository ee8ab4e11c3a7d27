package embedded

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The data folder's check says why the store cannot start there, in plain
// words: a full disk, a folder capsat may not write in. Filling a disk or
// mounting a read-only file system needs root, so those errors are made up
// here.
func TestDataDirErrorsNameTheCause(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err       error
		is        error
		plainWord string
	}{
		{&fs.PathError{Op: "write", Path: "/data/x", Err: syscall.ENOSPC}, ErrDiskFull, "disk full: no room for 1024 KiB in the data folder /data"},
		{&fs.PathError{Op: "open", Path: "/data/x", Err: syscall.EACCES}, ErrNotWritable, "data folder not writable: cannot write in /data"},
		{&fs.PathError{Op: "open", Path: "/data/x", Err: syscall.EROFS}, ErrNotWritable, "data folder not writable: cannot write in /data"},
	}
	for _, c := range cases {
		err := dataDirError("/data", "write in", c.err)
		if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.plainWord) || !errors.Is(err, c.err) {
			t.Errorf("%v: got %q", c.err, err)
		}
	}
}

func TestStartRefusesADataFolderItCannotUse(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Start(file, nil); err == nil || !strings.Contains(err.Error(), "data folder "+file) {
		t.Errorf("a file as data folder: %v", err)
	}
	if os.Geteuid() == 0 {
		return // root writes in any folder
	}
	ro := t.TempDir()
	if err := os.Chmod(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(ro, 0o700) })
	if _, err := Start(ro, nil); !errors.Is(err, ErrNotWritable) {
		t.Errorf("a read-only data folder: %v, want ErrNotWritable", err)
	}
}
