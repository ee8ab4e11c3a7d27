package xlsxguard

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// MaxTextBytes bounds a text, a comment, or the attributes of a tag in the
// XML of a sheet or of the shared strings: an XML parser builds each whole.
// A cell holds at most 32 767 characters in Excel, under 200 KB written
// in XML.
const MaxTextBytes = 1 << 20

// scanBuffer is the buffer of scanElements: the offsets it gives are
// within this many bytes.
const scanBuffer = 64 << 10

var (
	// errNotUTF8 refuses XML in UTF-16 or UTF-32, whose markup
	// scanElements would not see; excelize would decode it.
	errNotUTF8 = errors.New("xlsxguard: XML part not in UTF-8")
	// errTooLong refuses a text longer than MaxTextBytes.
	errTooLong = errors.New("xlsxguard: text too long")
)

// noNUL fails a read that returns a NUL byte: none occurs in XML written
// in UTF-8 or another encoding that keeps ASCII as is.
type noNUL struct{ r io.Reader }

func (n noNUL) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	if bytes.IndexByte(p[:k], 0) >= 0 {
		return 0, errNotUTF8
	}
	return k, err
}

// counting counts the bytes read through it.
type counting struct {
	r io.Reader
	n int64
}

func (c *counting) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	return k, err
}

// scanElements calls visit with the local name (without prefix) of every
// start tag of the XML read from r, and with nil for every end tag, in
// order, with the number of bytes read so far (to within scanBuffer); it
// builds nothing, and stops at the first error visit returns, or at a
// text, a comment or a tag longer than MaxTextBytes (errTooLong).
// Comments, CDATA sections, processing instructions and declarations are
// skipped. In well-formed XML a '<' outside them always starts markup
// (text and attribute values cannot hold one), so the elements seen are
// those an XML parser sees.
func scanElements(r io.Reader, visit func(local []byte, offset int64) error) error {
	src := &counting{r: noNUL{r}}
	br := bufio.NewReaderSize(src, scanBuffer)
	name := make([]byte, 0, 64)
	for {
		if err := skipTo(br, '<'); err != nil {
			return eof(err)
		}
		b, err := br.ReadByte()
		if err != nil {
			return eof(err)
		}
		switch b {
		case '/':
			err = visit(nil, src.n)
		case '?':
			err = skipPast(br, "?>")
		case '!':
			err = skipDeclaration(br)
		default:
			name = name[:0]
			for n := 0; b != ' ' && b != '\t' && b != '\r' && b != '\n' && b != '/' && b != '>'; n++ {
				switch {
				case n > MaxTextBytes:
					return errTooLong
				case b == ':':
					name = name[:0]
				case len(name) < cap(name):
					name = append(name, b)
				}
				if b, err = br.ReadByte(); err != nil {
					return eof(err)
				}
			}
			err = visit(name, src.n)
		}
		if err != nil {
			return eof(err)
		}
	}
}

// skipTo reads up to and including the byte c, at most MaxTextBytes.
func skipTo(br *bufio.Reader, c byte) error {
	for run := 0; ; {
		chunk, err := br.ReadSlice(c)
		if run += len(chunk); run > MaxTextBytes {
			return errTooLong
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

// skipDeclaration skips what follows "<!": a comment, a CDATA section or
// a declaration (<!DOCTYPE ...>).
func skipDeclaration(br *bufio.Reader) error {
	switch head, _ := br.Peek(7); {
	case bytes.HasPrefix(head, []byte("--")):
		return skipPast(br, "-->")
	case bytes.HasPrefix(head, []byte("[CDATA[")):
		return skipPast(br, "]]>")
	}
	return skipPast(br, ">")
}

// skipPast reads up to and including end, at most MaxTextBytes.
func skipPast(br *bufio.Reader, end string) error {
	last := end[len(end)-1]
	var tail []byte
	for run := 0; ; {
		chunk, err := br.ReadSlice(last)
		if run += len(chunk); run > MaxTextBytes {
			return errTooLong
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
		tail = append(tail, chunk...)
		if err == nil && bytes.HasSuffix(tail, []byte(end)) {
			return nil
		}
		if len(tail) > len(end) {
			tail = tail[len(tail)-len(end):]
		}
	}
}

// eof turns the end of the part inside markup into the end of the scan:
// the XML parser would fail there, read nothing more.
func eof(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}
