package xlsxguard

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// errNotUTF8 refuses XML in UTF-16 or UTF-32, whose markup scanElements
// would not see; excelize would decode it.
var errNotUTF8 = errors.New("xlsxguard: XML part not in UTF-8")

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

// scanElements calls visit with the local name (without prefix) of every
// start tag of the XML read from r, in order, without building anything,
// and stops at the first error visit returns. Comments, CDATA sections,
// processing instructions and declarations are skipped. In well-formed XML
// a '<' outside them always starts markup (text and attribute values
// cannot hold one), so the elements seen are those an XML parser sees.
func scanElements(r io.Reader, visit func(local []byte) error) error {
	br := bufio.NewReaderSize(noNUL{r}, 64<<10)
	name := make([]byte, 0, 64)
	for {
		if _, err := br.ReadSlice('<'); err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		b, err := br.ReadByte()
		if err != nil {
			return eof(err)
		}
		switch b {
		case '/': // an end tag: the next '<' follows it
			continue
		case '?':
			err = skipPast(br, "?>")
		case '!':
			err = skipDeclaration(br)
		default:
			name = name[:0]
			for b != ' ' && b != '\t' && b != '\r' && b != '\n' && b != '/' && b != '>' {
				if b == ':' {
					name = name[:0]
				} else if len(name) < cap(name) {
					name = append(name, b)
				}
				if b, err = br.ReadByte(); err != nil {
					return eof(err)
				}
			}
			err = visit(name)
		}
		if err != nil {
			return eof(err)
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

// skipPast reads up to and including end.
func skipPast(br *bufio.Reader, end string) error {
	last := end[len(end)-1]
	var tail []byte
	for {
		chunk, err := br.ReadSlice(last)
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
