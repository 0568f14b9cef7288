package api

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/bankcc/callcenter/messaging"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// documentUpload is the form of POST /documents.
type documentUpload struct {
	File *multipart.FileHeader `form:"file" doc:"fax: a PDF, converted to a fax TIFF (G3, 204x196 dpi, A4) with ghostscript and kept as uploaded (it may be attached to e-mails too); attachment: a file of 10 MB at most (pdf, ofd, doc, docx, xls, xlsx, csv, txt, jpg, png) whose content matches its extension, kept as uploaded"`
	Kind store.DocumentKind    `form:"kind" doc:"fax (default) or attachment"`
}

// maxDocumentBytes bounds an uploaded fax document.
const maxDocumentBytes = 20 << 20

// createDocument stores an uploaded document. A fax document is converted
// to a fax TIFF under data.dir/fax (absolute, as FreeSWITCH's txfax reads
// it), its pages counted; a file that is no PDF, or one ghostscript cannot
// render, is a 400 naming the file. Every upload is kept as sent under
// data.dir/documents so e-mail campaigns can attach it.
func (s *Server) createDocument(c *gin.Context) {
	kind := store.DocumentKind(c.PostForm("kind"))
	if kind == "" {
		kind = store.DocumentFax
	}
	if err := checkEnum("kind", kind); err != nil {
		fail(c, err)
		return
	}
	limit := int64(maxDocumentBytes)
	if kind == store.DocumentAttachment {
		limit = store.MaxEmailAttachmentBytes
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			fail(c, newError("too_large", "file is larger than the %d MB %s limit", limit>>20, kind))
			return
		}
		fail(c, fieldError("file", "a multipart form field \"file\" is required"))
		return
	}
	name := uploadName(fh.Filename)
	switch {
	case fh.Size > limit:
		fail(c, newError("too_large", "%s is %d MB, larger than the %d MB %s limit", name, fh.Size>>20, limit>>20, kind))
		return
	case fh.Size == 0:
		fail(c, fieldError("file", name+" is empty (0 bytes)"))
		return
	}
	up, err := s.copyUpload(fh)
	if err != nil {
		fail(c, err)
		return
	}
	defer os.Remove(up.path) // kept ones were moved away
	var doc *store.Document
	if kind == store.DocumentAttachment {
		doc, err = s.keepAttachment(c, up, name)
	} else {
		release, ok := s.readSlot(c)
		if !ok {
			return
		}
		doc, err = s.convertDocument(c, up, name)
		release()
	}
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "document", doc.ID)
	auditDetail(c, fmt.Sprintf("kind=%s file=%s pages=%d bytes=%d sha256=%s", doc.Kind, doc.Name, doc.Pages, up.size, up.sha))
	c.JSON(http.StatusCreated, doc)
}

// keepAttachment checks an e-mail attachment (an accepted extension whose
// content matches it) and keeps it as uploaded.
func (s *Server) keepAttachment(c *gin.Context, up *upload, name string) (*store.Document, error) {
	head, err := readHead(up.path, 512)
	if err != nil {
		return nil, err
	}
	ctype, err := store.SniffAttachment(name, head)
	if err != nil {
		return nil, fieldError("file", err.Error())
	}
	src, err := s.keepSource(up)
	if err != nil {
		return nil, err
	}
	doc := &store.Document{Name: name, Kind: store.DocumentAttachment, Path: src, Source: src, ContentType: ctype,
		SourceBytes: up.size, SHA256: up.sha, Bytes: up.size, CreatedBy: currentUser(c).ID}
	if err := s.store.CreateDocument(c.Request.Context(), doc); err != nil {
		os.Remove(src)
		return nil, err
	}
	return doc, nil
}

// keepSource moves an upload into data.dir/documents, where the uploaded
// originals stay (owner only: statements hold customer data).
func (s *Server) keepSource(up *upload) (string, error) {
	dir, err := filepath.Abs(filepath.Join(s.cfg.DataDir, "documents"))
	if err != nil {
		return "", fmt.Errorf("api: documents folder: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("api: documents folder: %w", err)
	}
	f, err := os.CreateTemp(dir, "doc-*"+strings.ToLower(filepath.Ext(up.name)))
	if err != nil {
		return "", fmt.Errorf("api: keep document: %w", err)
	}
	f.Close()
	if err := os.Rename(up.path, f.Name()); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("api: keep document: %w", err)
	}
	return f.Name(), nil
}

func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("api: read upload: %w", err)
	}
	defer f.Close()
	head := make([]byte, n)
	k, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("api: read upload: %w", err)
	}
	return head[:k], nil
}

func (s *Server) convertDocument(c *gin.Context, up *upload, name string) (*store.Document, error) {
	dir, err := filepath.Abs(filepath.Join(s.cfg.DataDir, "fax"))
	if err != nil {
		return nil, fmt.Errorf("api: fax folder: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil { // FreeSWITCH's user reads it through the group
		return nil, fmt.Errorf("api: fax folder: %w", err)
	}
	out, err := os.CreateTemp(dir, "doc-*.tif")
	if err != nil {
		return nil, fmt.Errorf("api: fax file: %w", err)
	}
	out.Close()
	pages, err := s.cfg.FaxConverter.ConvertPDF(c.Request.Context(), name, up.path, out.Name())
	switch {
	case errors.Is(err, messaging.ErrBadDocument):
		os.Remove(out.Name())
		return nil, fieldError("file", strings.TrimPrefix(err.Error(), messaging.ErrBadDocument.Error()+": "))
	case errors.Is(err, messaging.ErrNoConverter):
		os.Remove(out.Name())
		return nil, newError("unavailable", "cannot convert %s: ghostscript (gs) is not installed on the server", name)
	case err != nil:
		os.Remove(out.Name())
		return nil, err
	}
	st, err := os.Stat(out.Name())
	if err != nil {
		return nil, fmt.Errorf("api: fax file: %w", err)
	}
	src, err := s.keepSource(up)
	if err != nil {
		os.Remove(out.Name())
		return nil, err
	}
	doc := &store.Document{Name: name, Kind: store.DocumentFax, Path: out.Name(), Source: src, ContentType: "application/pdf",
		SourceBytes: up.size, SHA256: up.sha, Pages: pages, Bytes: st.Size(), CreatedBy: currentUser(c).ID}
	if err := s.store.CreateDocument(c.Request.Context(), doc); err != nil {
		os.Remove(out.Name())
		os.Remove(src)
		return nil, err
	}
	return doc, nil
}

func (s *Server) listDocuments(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	items, total, err := s.store.ListDocuments(c.Request.Context(), p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, total))
}

func (s *Server) getDocument(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	d, err := s.store.GetDocument(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}
