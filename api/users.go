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
	Skills      *string             `json:"skills" doc:"comma list of skills (languages, products): calls that need one go only to agents who have it"`
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
	Skills      string             `json:"skills"`
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

// userView shows u; locks holds the users' sign-in lockouts in force (nil: none shown).
func (s *Server) userView(u *store.User, locks map[int64]time.Time) userView {
	v := userView{ID: u.ID, Username: u.Username, Role: u.Role, DisplayName: u.DisplayName, Level: u.Level, Skills: u.Skills,
		Permissions: u.Permissions(), Extra: u.ExtraPermissions(), Email: u.Email, Phone: u.Phone, Disabled: u.Disabled,
		LastLoginAt: u.LastLoginAt, CreatedAt: u.CreatedAt, GroupIDs: []int64{}}
	if t, ok := locks[u.ID]; ok {
		v.LockedUntil = &t
	}
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
	} else if r.Username != nil && store.NormalizeUsername(*r.Username) != u.Username {
		errs = append(errs, store.FieldError{Field: "username", Message: "cannot be changed"})
	}
	if len(errs) > 0 {
		return &store.ValidationError{Fields: errs}
	}
	if r.Username != nil {
		u.Username = store.NormalizeUsername(*r.Username)
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
	if r.Skills != nil {
		u.Skills = *r.Skills
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
	if err := currentUser(c).CheckGrant(&store.User{}, u); err != nil {
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
	v := s.userView(u, nil)
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
	ids := make([]int64, 0, len(users))
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	locks, err := s.store.LockedUntil(c.Request.Context(), ids)
	if err != nil {
		fail(c, err)
		return
	}
	views := make([]userView, 0, len(users))
	for i := range users {
		views = append(views, s.userView(&users[i], locks))
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
	c.JSON(http.StatusOK, s.lockedView(c, u))
}

// lockedView is userView with the user's lockout, if any.
func (s *Server) lockedView(c *gin.Context, u *store.User) userView {
	locks, err := s.store.LockedUntil(c.Request.Context(), []int64{u.ID})
	if err != nil {
		logger(c).Error("read lockouts", "user_id", u.ID, "err", err)
	}
	return s.userView(u, locks)
}

func (s *Server) updateUser(c *gin.Context) {
	var req userRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	u, ok := s.manageableUser(c)
	if !ok {
		return
	}
	before := *u
	wasAdmin, hadExt := u.Role == store.RoleAdmin && !u.Disabled, u.Extension != nil
	if err := req.apply(u, false); err != nil {
		fail(c, err)
		return
	}
	if err := currentUser(c).CheckGrant(&before, u); err != nil {
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
	// A changed password, role or a disabled account ends existing sessions;
	// a password reset also lifts sign-in lockouts.
	up := store.UserUpdate{GroupIDs: groupIDs(&req), EndSessions: req.Password != nil || u.Disabled || req.Role != nil,
		ClearLockouts: req.Password != nil}
	if err := s.store.UpdateUser(ctx, u, up); err != nil {
		fail(c, err)
		return
	}
	u, _ = s.store.GetUser(ctx, u.ID)
	v := s.lockedView(c, u)
	if !hadExt && u.Extension != nil {
		v.SIPPassword = u.SIPPassword
	}
	c.JSON(http.StatusOK, v)
}

// manageableUser loads the user named by :id and checks that the signed-in
// user may manage them (hole 7: only admins manage admins, nobody manages
// someone holding more than they do).
func (s *Server) manageableUser(c *gin.Context) (*store.User, bool) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return nil, false
	}
	u, err := s.store.GetUser(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return nil, false
	}
	if err := currentUser(c).CheckManage(u); err != nil {
		fail(c, err)
		return nil, false
	}
	auditDetail(c, "username="+u.Username)
	return u, true
}

// unlockUser lifts a user's sign-in lockouts from every address.
func (s *Server) unlockUser(c *gin.Context) {
	u, ok := s.manageableUser(c)
	if !ok {
		return
	}
	if err := s.store.UnlockUser(c.Request.Context(), u.ID); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.lockedView(c, u))
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
	u, ok := s.manageableUser(c)
	if !ok {
		return
	}
	if u.ID == currentUser(c).ID {
		fail(c, newError("conflict", "you cannot delete your own account"))
		return
	}
	if u.Role == store.RoleAdmin {
		if err := s.keepOneAdmin(c, u.ID); err != nil {
			fail(c, err)
			return
		}
	}
	if err := s.store.DeleteUser(c.Request.Context(), u.ID); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
