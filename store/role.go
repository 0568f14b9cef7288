package store

import (
	"slices"
	"sort"
	"strings"
)

// Role is a user's base role; permissions come from the role plus extras
// granted to the user.
type Role string

const (
	RoleAdmin      Role = "admin"
	RoleSupervisor Role = "supervisor"
	RoleQA         Role = "qa"
	RoleAgent      Role = "agent"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return OneOf(r) }

// Permission is a fine-grained right checked by the API on every route.
type Permission string

const (
	PermUsersManage     Permission = "users_manage"     // users and groups
	PermAuditRead       Permission = "audit_read"       // read the audit log
	PermCampaignManage  Permission = "campaign_manage"  // campaigns, strategies, calendars, imports
	PermCampaignView    Permission = "campaign_view"    // read campaigns and their figures
	PermDNCManage       Permission = "dnc_manage"       // blacklist add/delete
	PermExport          Permission = "export"           // export customer data
	PermPIIView         Permission = "pii_view"         // see unmasked phone and ID numbers
	PermListen          Permission = "listen"           // listen to calls and recordings
	PermScore           Permission = "score"            // QA scoring
	PermScriptEdit      Permission = "script_edit"      // edit, import, delete scripts; answer feedback
	PermScriptPublish   Permission = "script_publish"   // make a script version current
	PermKBManage        Permission = "kb_manage"        // write, publish, retire knowledge-base articles
	PermMonitor         Permission = "monitor"          // wallboard and live monitor
	PermAssign          Permission = "assign"           // assign contacts to agents
	PermAgentDesk       Permission = "agent_desk"       // softphone, states, calls of one's own
	PermReports         Permission = "reports"          // reports
	PermSettingsManage  Permission = "settings_manage"  // system settings, import sources
	PermBroadcastManage Permission = "broadcast_manage" // announcements
	PermShiftManage     Permission = "shift_manage"     // shifts, roster, attendance, break reasons
)

// AllPermissions lists every permission, for validation and the UI.
var AllPermissions = []Permission{
	PermUsersManage, PermAuditRead, PermCampaignManage, PermCampaignView, PermDNCManage,
	PermExport, PermPIIView, PermListen, PermScore, PermScriptEdit, PermMonitor, PermAssign,
	PermAgentDesk, PermReports, PermSettingsManage, PermBroadcastManage, PermShiftManage,
	PermScriptPublish, PermKBManage,
}

// rolePermissions is what each role can do before per-user extras.
// Export and PII are deliberately not given to supervisors by default: a bank
// grants them per person.
var rolePermissions = map[Role][]Permission{
	RoleAdmin: AllPermissions,
	RoleSupervisor: {PermCampaignManage, PermCampaignView, PermDNCManage, PermListen, PermMonitor,
		PermAssign, PermReports, PermScriptEdit, PermScriptPublish, PermKBManage, PermBroadcastManage, PermAgentDesk, PermShiftManage},
	RoleQA:    {PermCampaignView, PermListen, PermScore, PermReports},
	RoleAgent: {PermAgentDesk},
}

// ValidPermission reports whether p is known.
func ValidPermission(p Permission) bool { return OneOf(p) }

// Permissions returns the user's effective permissions, sorted.
func (u *User) Permissions() []Permission {
	set := map[Permission]bool{}
	for _, p := range rolePermissions[u.Role] {
		set[p] = true
	}
	for _, p := range u.ExtraPermissions() {
		set[p] = true
	}
	out := make([]Permission, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Can reports whether the user holds permission p.
func (u *User) Can(p Permission) bool {
	return slices.Contains(rolePermissions[u.Role], p) || slices.Contains(u.ExtraPermissions(), p)
}

// ExtraPermissions are the permissions granted to this user beyond the role.
func (u *User) ExtraPermissions() []Permission {
	if u.Extra == "" {
		return nil
	}
	var out []Permission
	for _, s := range strings.Split(u.Extra, ",") {
		if s != "" {
			out = append(out, Permission(s))
		}
	}
	return out
}

// SetExtraPermissions stores the per-user extras.
func (u *User) SetExtraPermissions(ps []Permission) {
	strs := make([]string, 0, len(ps))
	for _, p := range ps {
		strs = append(strs, string(p))
	}
	sort.Strings(strs)
	u.Extra = strings.Join(slices.Compact(strs), ",")
}
