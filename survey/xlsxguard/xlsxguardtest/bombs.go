package xlsxguardtest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io"
	"testing"
)

// TinyRow is the row a row bomb repeats: one cell, no row number.
const TinyRow = `<row><c><v>1</v></c></row>`

// RowBomb is a workbook whose one sheet, named sheet, has a header row then
// rows copies of TinyRow: 8 million rows unpack to 200 MB from about 200 KB.
// The sheet's deflated data is made by repeating one compressed block, so
// that building it costs milliseconds, not a 200 MB compression.
func RowBomb(t testing.TB, sheet string, header []string, rows int) []byte {
	t.Helper()
	const perChunk = 1 << 15 // rows per repeated block
	chunk := bytes.Repeat([]byte(TinyRow), perChunk)
	var head bytes.Buffer
	if err := (Sheet{Rows: [][]string{header}}).write(&head, nil); err != nil {
		t.Fatal(err)
	}
	// The sheet without its closing tags, then the rows, then the tags.
	const closing = `</sheetData></worksheet>`
	start := bytes.TrimSuffix(head.Bytes(), []byte(closing))
	var tail []byte
	if rest := rows % perChunk; rest > 0 {
		tail = bytes.Repeat([]byte(TinyRow), rest)
	}
	tail = append(tail, closing...)
	data, crc, size := deflatedRepeat(t, start, chunk, rows/perChunk, tail)
	return withPart(t, Book{Sheets: []Sheet{{Name: sheet}}}, "xl/worksheets/sheet1.xml", data, crc, size)
}

// ZipBomb is a workbook whose one sheet, named sheet, inflates to size
// bytes of zeros and declares declared bytes in the zip directory: the
// same as size for an honest bomb, less for one that lies about its size.
// 1 GB deflates to about 1 MB, made by repeating one compressed block.
func ZipBomb(t testing.TB, sheet string, size, declared int64) []byte {
	t.Helper()
	const chunkSize = 1 << 20
	data, crc, _ := deflatedRepeat(t, nil, make([]byte, chunkSize), int(size/chunkSize), make([]byte, size%chunkSize))
	return withPart(t, Book{Sheets: []Sheet{{Name: sheet}}}, "xl/worksheets/sheet1.xml", data, crc, declared)
}

// deflatedRepeat is the deflate stream of head, then chunk n times, then
// tail, with its CRC-32 and size. A block compressed after a first copy of
// chunk only refers to the 32 KB before it, which are the same before every
// copy: repeating its bytes repeats the chunk.
func deflatedRepeat(t testing.TB, head, chunk []byte, n int, tail []byte) (data []byte, crc uint32, size int64) {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	write := func(p []byte) []byte {
		t.Helper()
		from := buf.Len()
		if _, err := fw.Write(p); err != nil {
			t.Fatal(err)
		}
		if err := fw.Flush(); err != nil {
			t.Fatal(err)
		}
		crc = crc32.Update(crc, crc32.IEEETable, p)
		size += int64(len(p))
		return bytes.Clone(buf.Bytes()[from:])
	}
	write(head)
	if n > 0 {
		write(chunk)
	}
	if n > 1 {
		again := write(chunk)
		for range n - 2 {
			buf.Write(again)
			crc = crc32.Update(crc, crc32.IEEETable, chunk)
			size += int64(len(chunk))
		}
	}
	if _, err := fw.Write(tail); err != nil {
		t.Fatal(err)
	}
	crc = crc32.Update(crc, crc32.IEEETable, tail)
	size += int64(len(tail))
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), crc, size
}

// withPart writes the workbook b with its part name replaced by already
// deflated data.
func withPart(t testing.TB, b Book, name string, data []byte, crc uint32, declared int64) []byte {
	t.Helper()
	src := b.XLSX(t)
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name == name {
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(declared)})
	if err == nil {
		_, err = io.Copy(w, bytes.NewReader(data))
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
