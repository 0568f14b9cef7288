package api

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

type userRequest struct {
	Username    *string             `json:"username"`
	Password    *string             `json:"password"`
	Role        *store.Role         `json:"role"`
	DisplayName *string             `json:"display_name"`
	Extension   *string             `json:"extension"`
	GroupIDs    *[]int64            `json:"group_ids"`
	Level       *int                `json:"level"`
	Permissions *[]store.Permission `json:"permissions"`
	Email       *string             `json:"email"`
	Phone       *string             `json:"phone"`
	Disabled    *bool               `json:"disabled"`
}

type userView struct {
	ID          int64              `json:"id"`
	Username    string             `json:"username"`
	Role        store.Role         `json:"role"`
	DisplayName string             `json:"display_name"`
	Extension   string             `json:"extension"`
	GroupIDs    []int64            `json:"group_ids"`
	Level       int                `json:"level"`
	Permissions []store.Permission `json:"permissions"`
	Extra       []store.Permission `json:"extra_permissions"`
	Email       string             `json:"email"`
	Phone       string             `json:"phone"`
	Disabled    bool               `json:"disabled"`
	LockedUntil *time.Time         `json:"locked_until,omitempty"`
	LastLoginAt *time.Time         `json:"last_login_at,omitempty"`
	CreatedAt   time.Time          `json:"created_at"`
	// SIPPassword is shown only when it is set or reset, so the agent's phone
	// can be configured; it is never listed.
	SIPPassword string `json:"sip_password,omitempty"`
}

func (s *Server) userView(u *store.User) userView {
	v := userView{ID: u.ID, Username: u.Username, Role: u.Role, DisplayName: u.DisplayName, Level: u.Level,
		Permissions: u.Permissions(), Extra: u.ExtraPermissions(), Email: u.Email, Phone: u.Phone, Disabled: u.Disabled,
		LockedUntil: u.LockedUntil, LastLoginAt: u.LastLoginAt, CreatedAt: u.CreatedAt, GroupIDs: []int64{}}
	if u.Extension != nil {
		v.Extension = *u.Extension
	}
	if v.Extra == nil {
		v.Extra = []store.Permission{}
	}
	for _, g := range u.Groups {
		v.GroupIDs = append(v.GroupIDs, g.ID)
	}
	return v
}

// apply copies the request's fields onto u, reporting missing required ones
// when creating.
func (r *userRequest) apply(u *store.User, creating bool) error {
	var errs []store.FieldError
	if creating {
		if r.Username == nil || *r.Username == "" {
			errs = append(errs, store.FieldError{Field: "username", Message: "is required"})
		}
		if r.Password == nil {
			errs = append(errs, store.FieldError{Field: "password", Message: "is required"})
		}
		if r.Role == nil {
			errs = append(errs, store.FieldError{Field: "role", Message: "is required"})
		}
	} else if r.Username != nil && *r.Username != u.Username {
		errs = append(errs, store.FieldError{Field: "username", Message: "cannot be changed"})
	}
	if len(errs) > 0 {
		return &store.ValidationError{Fields: errs}
	}
	if r.Username != nil {
		u.Username = strings.TrimSpace(*r.Username)
	}
	if r.Role != nil {
		u.Role = *r.Role
	}
	if r.DisplayName != nil {
		u.DisplayName = strings.TrimSpace(*r.DisplayName)
	}
	if r.Extension != nil {
		ext := strings.TrimSpace(*r.Extension)
		if ext == "" {
			u.Extension = nil
		} else {
			u.Extension = &ext
		}
	}
	if r.Level != nil {
		u.Level = *r.Level
	}
	if r.Permissions != nil {
		u.SetExtraPermissions(*r.Permissions)
	}
	if r.Email != nil {
		u.Email = strings.TrimSpace(*r.Email)
	}
	if r.Phone != nil {
		u.Phone = strings.TrimSpace(*r.Phone)
	}
	if r.Disabled != nil {
		u.Disabled = *r.Disabled
	}
	if err := u.Validate(); err != nil {
		return err
	}
	if r.Password != nil {
		return u.SetPassword(*r.Password, time.Now())
	}
	return nil
}

func groupIDs(r *userRequest) []int64 {
	if r.GroupIDs == nil {
		return nil
	}
	if *r.GroupIDs == nil {
		return []int64{}
	}
	return *r.GroupIDs
}

func (s *Server) createUser(c *gin.Context) {
	var req userRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	u := &store.User{}
	if err := req.apply(u, true); err != nil {
		fail(c, err)
		return
	}
	if u.Extension != nil {
		u.SIPPassword = newSIPPassword()
	}
	if err := s.store.CreateUser(c.Request.Context(), u, groupIDs(&req)); err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "user", u.ID)
	v := s.userView(u)
	v.SIPPassword = u.SIPPassword
	c.JSON(http.StatusCreated, v)
}

func newSIPPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) listUsers(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	var q userQuery
	if err := firstError(bindQuery(c, &q), q.check()); err != nil {
		fail(c, err)
		return
	}
	f := store.UserFilter{Role: q.Role, Q: q.Q, GroupID: q.GroupID, Page: p}
	users, total, err := s.store.ListUsers(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	views := make([]userView, 0, len(users))
	for i := range users {
		views = append(views, s.userView(&users[i]))
	}
	c.JSON(http.StatusOK, newList(views, total))
}

func (s *Server) getUser(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	u, err := s.store.GetUser(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.userView(u))
}

func (s *Server) updateUser(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var req userRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	u, err := s.store.GetUser(ctx, id)
	if err != nil {
		fail(c, err)
		return
	}
	wasAdmin, hadExt := u.Role == store.RoleAdmin && !u.Disabled, u.Extension != nil
	if err := req.apply(u, false); err != nil {
		fail(c, err)
		return
	}
	if wasAdmin && (u.Role != store.RoleAdmin || u.Disabled) {
		if err := s.keepOneAdmin(c, u.ID); err != nil {
			fail(c, err)
			return
		}
	}
	if u.Extension != nil && !hadExt {
		u.SIPPassword = newSIPPassword()
	}
	if err := s.store.UpdateUser(ctx, u, groupIDs(&req)); err != nil {
		fail(c, err)
		return
	}
	if req.Password != nil || u.Disabled || req.Role != nil {
		// A changed password, role or a disabled account ends existing sessions.
		if err := s.store.RevokeUserSessions(ctx, u.ID); err != nil {
			fail(c, err)
			return
		}
	}
	u, _ = s.store.GetUser(ctx, id)
	v := s.userView(u)
	if !hadExt && u.Extension != nil {
		v.SIPPassword = u.SIPPassword
	}
	c.JSON(http.StatusOK, v)
}

// keepOneAdmin refuses a change that would leave no active admin.
func (s *Server) keepOneAdmin(c *gin.Context, exceptID int64) error {
	admins, _, err := s.store.ListUsers(c.Request.Context(), store.UserFilter{Role: store.RoleAdmin, Page: store.Page{Size: store.MaxPageSize}})
	if err != nil {
		return err
	}
	for _, a := range admins {
		if a.ID != exceptID && !a.Disabled {
			return nil
		}
	}
	return newError("conflict", "this is the last active admin; create another admin first")
}

func (s *Server) deleteUser(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	if id == currentUser(c).ID {
		fail(c, newError("conflict", "you cannot delete your own account"))
		return
	}
	u, err := s.store.GetUser(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	if u.Role == store.RoleAdmin {
		if err := s.keepOneAdmin(c, id); err != nil {
			fail(c, err)
			return
		}
	}
	if err := s.store.DeleteUser(c.Request.Context(), id); err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, "username="+u.Username)
	c.Status(http.StatusNoContent)
}
