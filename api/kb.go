package api

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// articleRequest creates an article or saves its next version; fields left
// out on PATCH keep the newest version's.
type articleRequest struct {
	Title    *string   `json:"title"`
	Category *string   `json:"category"`
	Tags     *[]string `json:"tags"`
	Body     *string   `json:"body" doc:"plain text or Markdown"`
}

// articleStatusRequest publishes, retires or returns an article to draft.
type articleStatusRequest struct {
	Status  store.ArticleStatus `json:"status"`
	Version int                 `json:"version" doc:"publish: the version (0: the newest)"`
}

// articleQuery searches articles.
type articleQuery struct {
	Q        string              `form:"q" doc:"keyword (Chinese substring) in title, tags or body; ranked title, tags, body"`
	Category string              `form:"category"`
	Tag      string              `form:"tag"`
	Status   store.ArticleStatus `form:"status" doc:"managers' list only"`
}

// articleView is an article with its attachments.
type articleView struct {
	store.Article
	Attachments []store.ArticleAttachment `json:"attachments"`
}

// attachmentUpload is a file attached to an article.
type attachmentUpload struct {
	File *multipart.FileHeader `form:"file" doc:"any file up to 10 MiB"`
}

func (r *articleRequest) input(base *store.Article) *store.ArticleInput {
	in := &store.ArticleInput{}
	if base != nil {
		in.Title, in.Category, in.Tags, in.Body = base.Title, base.Category, base.Tags, base.Body
	}
	setIf(&in.Title, r.Title)
	setIf(&in.Category, r.Category)
	setIf(&in.Tags, r.Tags)
	setIf(&in.Body, r.Body)
	return in
}

func (s *Server) createArticle(c *gin.Context) {
	var req articleRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	a, err := s.store.CreateArticle(c.Request.Context(), req.input(nil), currentUser(c).ID)
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "article", a.ID)
	c.JSON(http.StatusCreated, a)
}

func (s *Server) updateArticle(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var req articleRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	base, err := s.store.GetArticle(ctx, id)
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "article", id)
	a, err := s.store.SaveArticle(ctx, id, req.input(base), currentUser(c).ID)
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, fmt.Sprintf("version=%d", a.Version))
	c.JSON(http.StatusOK, a)
}

func (s *Server) setArticleStatus(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var req articleStatusRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "article", id)
	a, err := s.store.SetArticleStatus(c.Request.Context(), id, req.Status, req.Version)
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, fmt.Sprintf("status=%s published_version=%d", a.Status, a.PublishedVersion))
	c.JSON(http.StatusOK, a)
}

func (s *Server) listArticles(c *gin.Context) { s.articleList(c, false) }

// searchArticles is the agents' search: published versions only.
func (s *Server) searchArticles(c *gin.Context) { s.articleList(c, true) }

func (s *Server) articleList(c *gin.Context, agent bool) {
	var q articleQuery
	if err := firstError(bindQuery(c, &q), checkEnum("status", q.Status)); err != nil {
		fail(c, err)
		return
	}
	p, err := searchPage(c, q.Q)
	if err != nil {
		fail(c, err)
		return
	}
	items, total, err := s.store.ListArticles(c.Request.Context(), store.ArticleFilter{Query: q.Q, Category: q.Category, Tag: q.Tag,
		Status: q.Status, Agent: agent, Page: p})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, total))
}

// getArticle: managers read the newest version of any article.
func (s *Server) getArticle(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	a, err := s.store.GetArticle(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	s.answerArticle(c, a)
}

// readArticle: agents read the published version; drafts and retired
// articles are not found.
func (s *Server) readArticle(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	v, err := s.store.PublishedArticle(ctx, id)
	if err != nil {
		fail(c, err)
		return
	}
	a, err := s.store.GetArticle(ctx, id)
	if err != nil {
		fail(c, err)
		return
	}
	a.Title, a.Category, a.Tags, a.Body, a.Version = v.Title, v.Category, v.Tags, v.Body, v.Version
	s.answerArticle(c, a)
}

func (s *Server) answerArticle(c *gin.Context, a *store.Article) {
	ats, err := s.store.ArticleAttachments(c.Request.Context(), a.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, articleView{Article: *a, Attachments: ats})
}

func (s *Server) listArticleVersions(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	vs, err := s.store.ListArticleVersions(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(vs, int64(len(vs))))
}

func (s *Server) articleCategories(c *gin.Context) {
	cats, err := s.store.ArticleCategories(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(cats, int64(len(cats))))
}

func (s *Server) addArticleAttachment(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	fh, err := c.FormFile("file")
	if err != nil {
		fail(c, fieldError("file", "a multipart form field \"file\" is required"))
		return
	}
	if fh.Size > store.MaxAttachmentBytes {
		fail(c, newError("too_large", "file is %d MB, attachments are at most %d MB", fh.Size>>20, store.MaxAttachmentBytes>>20))
		return
	}
	in, err := fh.Open()
	if err != nil {
		fail(c, err)
		return
	}
	defer in.Close()
	data, err := io.ReadAll(io.LimitReader(in, store.MaxAttachmentBytes+1))
	if err != nil {
		fail(c, err)
		return
	}
	ct := fh.Header.Get("Content-Type")
	if ct == "" || len(ct) > 128 {
		ct = http.DetectContentType(data)
	}
	at := &store.ArticleAttachment{ArticleID: id, Name: fh.Filename, ContentType: ct, Data: data, CreatedBy: currentUser(c).ID}
	setTarget(c, "article", id)
	if err := s.store.AddArticleAttachment(c.Request.Context(), at); err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, fmt.Sprintf("attachment=%d size=%d", at.ID, at.Size))
	c.JSON(http.StatusCreated, at)
}

func (s *Server) deleteArticleAttachment(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	aid, err := idParam(c, "attachment_id")
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "article", id)
	auditDetail(c, fmt.Sprintf("attachment=%d", aid))
	if err := s.store.DeleteArticleAttachment(c.Request.Context(), id, aid); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// downloadAttachment streams a file of an article the caller may read:
// managers any, agents those of published articles.
func (s *Server) downloadAttachment(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	aid, err := idParam(c, "attachment_id")
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if !currentUser(c).Can(store.PermKBManage) {
		if _, err := s.store.PublishedArticle(ctx, id); err != nil {
			fail(c, err)
			return
		}
	}
	at, err := s.store.GetArticleAttachment(ctx, id, aid)
	if err != nil {
		fail(c, err)
		return
	}
	name := strings.NewReplacer(`"`, "", "\r", "", "\n", "").Replace(at.Name)
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, name, url.PathEscape(at.Name)))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "application/octet-stream", at.Data)
}
