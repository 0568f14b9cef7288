package api

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/scriptimport"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// scriptRequest creates a script or saves its next version. On PATCH,
// fields left out keep the newest version's; nodes and campaign_kinds, when
// given, replace the whole list. publish needs script_publish.
type scriptRequest struct {
	Title         *string               `json:"title"`
	CampaignKinds *[]store.CampaignKind `json:"campaign_kinds"`
	Start         *string               `json:"start"`
	Nodes         *[]store.ScriptNode   `json:"nodes"`
	Layout        *store.ScriptLayout   `json:"layout" doc:"where the designer drew each node, by node id ({\"q1\":{\"x\":40,\"y\":60}}); optional, places of nodes the flow does not have are dropped"`
	Note          string                `json:"note" doc:"what this version changes (shown in the version list)"`
	BaseVersion   int                   `json:"base_version" doc:"PATCH: the version the change is based on; another save since then is 409 (0: no check)"`
	Publish       bool                  `json:"publish" doc:"make the saved version current at once (needs script_publish)"`
}

func (r *scriptRequest) draft(base *store.ScriptView) *store.ScriptDraft {
	d := &store.ScriptDraft{Note: strings.TrimSpace(r.Note)}
	if base != nil {
		d.Title, d.CampaignKinds, d.Flow = base.Title, base.CampaignKinds, store.ScriptFlow{Start: base.Start, Nodes: base.Nodes}
		d.Layout = base.Layout
	}
	setIf(&d.Title, r.Title)
	setIf(&d.CampaignKinds, r.CampaignKinds)
	setIf(&d.Flow.Start, r.Start)
	setIf(&d.Flow.Nodes, r.Nodes)
	setIf(&d.Layout, r.Layout)
	if d.CampaignKinds == nil {
		d.CampaignKinds = []store.CampaignKind{}
	}
	if len(d.Note) > 255 {
		d.Note = d.Note[:255]
	}
	return d
}

// checkPublish refuses publish=true to a user without script_publish.
func checkPublish(c *gin.Context, publish bool) error {
	if publish && !currentUser(c).Can(store.PermScriptPublish) {
		return newError("permission_denied", "publishing needs script_publish; save without publish and ask a manager to publish")
	}
	return nil
}

func (s *Server) createScript(c *gin.Context) {
	var req scriptRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if err := checkPublish(c, req.Publish); err != nil {
		fail(c, err)
		return
	}
	sc, err := s.store.CreateScript(c.Request.Context(), req.draft(nil), currentUser(c).ID, req.Publish)
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "script", sc.ID)
	auditDetail(c, fmt.Sprintf("version=1 nodes=%d published=%v", len(sc.Nodes), req.Publish))
	c.JSON(http.StatusCreated, sc)
}

// scriptQuery filters the script list.
type scriptQuery struct {
	Q            string             `form:"q" doc:"keyword in the title or content (Chinese substring); title matches first"`
	CampaignKind store.CampaignKind `form:"campaign_kind"`
	Published    bool               `form:"published" doc:"only scripts with a published version"`
}

func (s *Server) listScripts(c *gin.Context) {
	var q scriptQuery
	if err := firstError(bindQuery(c, &q), checkEnum("campaign_kind", q.CampaignKind)); err != nil {
		fail(c, err)
		return
	}
	p, err := searchPage(c, q.Q)
	if err != nil {
		fail(c, err)
		return
	}
	items, total, err := s.store.ListScripts(c.Request.Context(), store.ScriptFilter{Query: q.Q, CampaignKind: q.CampaignKind, Published: q.Published, Page: p})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, total))
}

// scriptVersionQuery picks an older version of a script (documented in
// the OpenAPI; the handler reads it with its own message).
type scriptVersionQuery struct {
	Version int `form:"version" doc:"an older version to read; the newest when absent"`
}

func (s *Server) getScript(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	version := 0
	if v := c.Query("version"); v != "" {
		if version, err = strconv.Atoi(v); err != nil || version < 1 {
			fail(c, fieldError("version", "must be a version number from 1"))
			return
		}
	}
	sc, err := s.store.GetScript(c.Request.Context(), id, version)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, sc)
}

func (s *Server) updateScript(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var req scriptRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if err := checkPublish(c, req.Publish); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	base, err := s.store.GetScript(ctx, id, 0)
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "script", id)
	sc, err := s.store.SaveScript(ctx, id, req.draft(base), req.BaseVersion, currentUser(c).ID, req.Publish)
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, fmt.Sprintf("version=%d nodes=%d published=%v", sc.Version, len(sc.Nodes), req.Publish))
	c.JSON(http.StatusOK, sc)
}

func (s *Server) deleteScript(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "script", id)
	if err := s.store.DeleteScript(c.Request.Context(), id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) listScriptVersions(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	vs, err := s.store.ListScriptVersions(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(vs, int64(len(vs))))
}

// publishRequest names the version to make current.
type publishRequest struct {
	Version int `json:"version" doc:"0 or left out: the newest"`
}

func (s *Server) publishScript(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var req publishRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if req.Version < 0 {
		fail(c, fieldError("version", "must be 0 (the newest) or a version number"))
		return
	}
	setTarget(c, "script", id)
	sc, err := s.store.PublishScript(c.Request.Context(), id, req.Version)
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, fmt.Sprintf("published_version=%d", sc.PublishedVersion))
	c.JSON(http.StatusOK, sc)
}

// scriptUpload is a script file to turn into a new script.
type scriptUpload struct {
	File     *multipart.FileHeader `form:"file" doc:"xlsx sheet, Word table (docx or doc) or csv/txt with columns 编号, 问题, 类型, 选项, 跳转 (结果), or a txt outline (UTF-8 or GBK); see docs/scripts.md"`
	Title    string                `form:"title" doc:"the script's title; empty takes the outline's 标题 or the file name"`
	Encoding importer.Encoding     `form:"encoding" doc:"txt only; empty detects it"`
	Sheet    string                `form:"sheet" doc:"xlsx sheet name; empty is the first"`
	DryRun   bool                  `form:"dry_run" doc:"check and show the script without storing it"`
}

// importScript reads a script file; on any error nothing is stored and the
// details name the row (or outline line). The new script is a draft the
// designer opens.
func (s *Server) importScript(c *gin.Context) {
	up, err := s.saveUpload(c)
	if err != nil {
		fail(c, err)
		return
	}
	defer os.Remove(up.path)
	var f scriptUpload
	if err := firstError(bindUpload(c, &f), checkEncoding("encoding", &f.Encoding)); err != nil {
		fail(c, err)
		return
	}
	file, err := os.Open(up.path)
	if err != nil {
		fail(c, err)
		return
	}
	defer file.Close()
	d, err := scriptimport.Read(file, up.size, up.name, scriptimport.Options{Encoding: string(f.Encoding), Sheet: f.Sheet,
		Title: strings.TrimSpace(f.Title), MaxBytes: s.cfg.MaxUploadBytes})
	if err != nil {
		fail(c, importFailure(err))
		return
	}
	if f.DryRun {
		c.JSON(http.StatusOK, &store.ScriptView{Script: store.Script{Title: d.Title, CampaignKinds: d.CampaignKinds}, Start: d.Flow.Start, Nodes: d.Flow.Nodes})
		return
	}
	sc, err := s.store.CreateScript(c.Request.Context(), d, currentUser(c).ID, false)
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "script", sc.ID)
	auditDetail(c, fmt.Sprintf("imported from %s: %d nodes", up.name, len(sc.Nodes)))
	c.JSON(http.StatusCreated, sc)
}

// importFailure answers a file the importer cannot read as 422 naming the
// file; validation errors (rows) stay 400 with their details.
func importFailure(err error) error {
	var ve *store.ValidationError
	if errors.As(err, &ve) {
		return err
	}
	return unprocessable("file", err)
}
