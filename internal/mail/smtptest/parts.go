package smtptest

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
)

// Part is one decoded part of a message: its text with line ends as "\n",
// and the charset its Content-Type names.
type Part struct {
	Body    string
	Charset string
}

// Parts decodes a raw message into its parts by media type: the parts of
// a multipart message (quoted-printable decoded), or the body of a
// single-part one.
func Parts(raw []byte) (map[string]Part, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("smtptest: read message: %w", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return nil, fmt.Errorf("smtptest: Content-Type %q: %w", msg.Header.Get("Content-Type"), err)
	}
	out := map[string]Part{}
	if !strings.HasPrefix(mt, "multipart/") {
		b, err := io.ReadAll(msg.Body)
		if err != nil {
			return nil, fmt.Errorf("smtptest: read body: %w", err)
		}
		out[mt] = Part{Body: strings.ReplaceAll(string(b), "\r\n", "\n"), Charset: params["charset"]}
		return out, nil
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("smtptest: next part: %w", err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return nil, fmt.Errorf("smtptest: read part: %w", err)
		}
		ct, cp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		out[ct] = Part{Body: strings.ReplaceAll(string(b), "\r\n", "\n"), Charset: cp["charset"]}
	}
}

// Bodies is Parts without the charsets.
func Bodies(raw []byte) (map[string]string, error) {
	parts, err := Parts(raw)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(parts))
	for ct, p := range parts {
		out[ct] = p.Body
	}
	return out, nil
}
