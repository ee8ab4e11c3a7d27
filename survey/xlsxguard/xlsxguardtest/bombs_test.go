package xlsxguardtest

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"io"
	"strings"
	"testing"
	"time"
)

// part returns the content of a part of an xlsx, inflated.
func part(t *testing.T, data []byte, name string) (declared uint64, content io.ReadCloser) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			return f.UncompressedSize64, rc
		}
	}
	t.Fatalf("no part %s", name)
	return 0, nil
}

func TestRowBombInflatesToItsRows(t *testing.T) {
	t.Parallel()
	const rows = 100_003
	bomb := RowBomb(t, "Feuil1", []string{"N° commande", "Client"}, rows)
	declared, rc := part(t, bomb, "xl/worksheets/sheet1.xml")
	defer rc.Close()
	got := sha256.New()
	n, err := io.Copy(got, rc)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := (Sheet{Rows: [][]string{{"N° commande", "Client"}}, Data: func(w io.Writer) error {
		_, err := io.WriteString(w, strings.Repeat(TinyRow, rows))
		return err
	}}).write(&want, nil); err != nil {
		t.Fatal(err)
	}
	// Rows written after the header: the same bytes.
	if uint64(n) != declared || int(n) != want.Len() || !bytes.Equal(got.Sum(nil), sha(want.Bytes())) {
		t.Fatalf("inflated %d bytes (declared %d), want %d identical", n, declared, want.Len())
	}
}

func sha(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

func TestZipBombInflatesToZeros(t *testing.T) {
	t.Parallel()
	const size = 48<<20 + 123
	start := time.Now()
	bomb := ZipBomb(t, "Feuil1", size, size)
	t.Logf("%d MB of zeros in %d KB, built in %v", size>>20, len(bomb)>>10, time.Since(start))
	declared, rc := part(t, bomb, "xl/worksheets/sheet1.xml")
	defer rc.Close()
	buf := make([]byte, 1<<20)
	var n int64
	for {
		m, err := rc.Read(buf)
		if bytes.ContainsFunc(buf[:m], func(r rune) bool { return r != 0 }) {
			t.Fatal("not only zeros")
		}
		n += int64(m)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err) // a bad CRC too
		}
	}
	if n != size || declared != size {
		t.Fatalf("inflated %d, declared %d, want %d", n, declared, size)
	}
}

func TestALyingZipBombIsStoppedAtItsDeclaredSize(t *testing.T) {
	t.Parallel()
	bomb := ZipBomb(t, "Feuil1", 16<<20, 1<<10)
	_, rc := part(t, bomb, "xl/worksheets/sheet1.xml")
	defer rc.Close()
	n, err := io.Copy(io.Discard, rc)
	if err == nil || n > 1<<10 {
		t.Fatalf("read %d bytes, err %v: Go's zip reader must stop at the declared size", n, err)
	}
}
