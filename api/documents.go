package api

import (
	"errors"
	"fmt"
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
	File *multipart.FileHeader `form:"file" doc:"a PDF; converted to a fax TIFF (G3, 204x196 dpi, A4) with ghostscript"`
}

// maxDocumentBytes bounds an uploaded fax document.
const maxDocumentBytes = 20 << 20

// createDocument stores a PDF as a fax document: converted to a fax TIFF
// under data.dir/fax (absolute, as FreeSWITCH's txfax reads it), its pages
// counted. A file that is no PDF, or one ghostscript cannot render, is a
// 400 naming the file.
func (s *Server) createDocument(c *gin.Context) {
	fh, err := c.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			fail(c, newError("too_large", "file is larger than the %d MB fax document limit", maxDocumentBytes>>20))
			return
		}
		fail(c, fieldError("file", "a multipart form field \"file\" with the PDF is required"))
		return
	}
	name := uploadName(fh.Filename)
	switch {
	case fh.Size > maxDocumentBytes:
		fail(c, newError("too_large", "%s is %d MB, larger than the %d MB fax document limit", name, fh.Size>>20, maxDocumentBytes>>20))
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
	defer os.Remove(up.path)
	release, ok := s.readSlot(c)
	if !ok {
		return
	}
	doc, err := s.convertDocument(c, up, name)
	release()
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "document", doc.ID)
	auditDetail(c, fmt.Sprintf("file=%s pages=%d bytes=%d", doc.Name, doc.Pages, up.size))
	c.JSON(http.StatusCreated, doc)
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
	doc := &store.Document{Name: name, Path: out.Name(), Pages: pages, Bytes: st.Size(), CreatedBy: currentUser(c).ID}
	if err := s.store.CreateDocument(c.Request.Context(), doc); err != nil {
		os.Remove(out.Name())
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
