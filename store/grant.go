package store

import (
	"fmt"
	"slices"
)

// adminOnly permissions are granted by admins alone: no other role holds them
// by default, and each opens customer data, the audit trail or control of
// the system itself.
var adminOnly = []Permission{PermUsersManage, PermAuditRead, PermExport, PermPIIView, PermSettingsManage}

// AdminOnly reports whether only admins may grant p.
func AdminOnly(p Permission) bool { return slices.Contains(adminOnly, p) }

// ErrNotAllowed is returned when a user may not make a change to another
// user's account or rights; the API answers it with 403.
type ErrNotAllowed struct{ Reason string }

func (e *ErrNotAllowed) Error() string { return e.Reason }

// CheckManage says whether actor may create, change, reset the password of,
// unlock or delete target as target now is: admins may manage anyone; anyone
// else only non-admins whose every permission the actor holds, so that
// taking over an account never gains a right.
func (actor *User) CheckManage(target *User) error {
	if actor.Role == RoleAdmin {
		return nil
	}
	if target.Role == RoleAdmin {
		return &ErrNotAllowed{"only an admin may create, change, reset, unlock or delete an admin"}
	}
	for _, p := range target.Permissions() {
		if !actor.Can(p) {
			return &ErrNotAllowed{fmt.Sprintf("user %q holds %q, which you do not; only someone who holds it may manage them", target.Username, p)}
		}
	}
	return nil
}

// CheckGrant says whether actor may turn before into after: every permission
// after gains (through its role or extras) must be one actor holds, and not
// admin-only unless actor is an admin.
func (actor *User) CheckGrant(before, after *User) error {
	if after.Role == RoleAdmin && before.Role != RoleAdmin && actor.Role != RoleAdmin {
		return &ErrNotAllowed{"only an admin may make someone an admin"}
	}
	for _, p := range after.Permissions() {
		if before.Can(p) || actor.Role == RoleAdmin {
			continue
		}
		switch {
		case AdminOnly(p):
			return &ErrNotAllowed{fmt.Sprintf("only an admin may grant %q", p)}
		case !actor.Can(p):
			return &ErrNotAllowed{fmt.Sprintf("you may not grant %q: you do not hold it yourself", p)}
		}
	}
	return nil
}
