package store

import (
	"fmt"
	"strconv"

	"gorm.io/gorm"
)

// lowercaseUsernames is migration 3: usernames become case-insensitive and are
// stored in lower case. Where two differ only in case (SQLite allowed that
// before), the oldest account keeps the name and each later one is renamed
// to name-<id>; every rename is written to the log and the audit log
// (action user.rename) so an administrator can tell its owner. Its password,
// role and history stay.
func lowercaseUsernames(tx *gorm.DB) error {
	var users []User
	if err := tx.Select("id", "username").Order("id").Find(&users).Error; err != nil {
		return fmt.Errorf("read usernames: %w", err)
	}
	final := finalUsernames(users)
	// Park the changed rows under unique temporary names first, so that no
	// intermediate state breaks the unique index, then give the final names.
	for _, u := range users {
		if final[u.ID] != u.Username {
			if err := tx.Model(&User{}).Where("id = ?", u.ID).Update("username", "~migrating~"+strconv.FormatInt(u.ID, 10)).Error; err != nil {
				return fmt.Errorf("park username of user %d: %w", u.ID, err)
			}
		}
	}
	for _, u := range users {
		if final[u.ID] == u.Username {
			continue
		}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Update("username", final[u.ID]).Error; err != nil {
			return fmt.Errorf("rename user %d: %w", u.ID, err)
		}
		if NormalizeUsername(u.Username) != final[u.ID] {
			if err := reportRename(tx, u, final[u.ID]); err != nil {
				return err
			}
		}
	}
	return nil
}

// finalUsernames maps each user id to its lower-case name; a later account
// whose name clashes with an earlier one gets name-<id> (cut to fit 64).
func finalUsernames(users []User) map[int64]string {
	out := map[int64]string{}
	taken := map[string]bool{}
	for _, u := range users { // ordered by id: the oldest account wins
		name := NormalizeUsername(u.Username)
		for n := 0; taken[name]; n++ {
			suffix := "-" + strconv.FormatInt(u.ID, 10)
			if n > 0 {
				suffix += "-" + strconv.Itoa(n)
			}
			name = truncate(NormalizeUsername(u.Username), 64-len(suffix)) + suffix
		}
		taken[name] = true
		out[u.ID] = name
	}
	return out
}

func reportRename(tx *gorm.DB, u User, renamed string) error {
	detail := fmt.Sprintf("usernames are now case-insensitive: %q clashed with an older account's %q, so it was renamed to %q; tell its owner",
		u.Username, NormalizeUsername(u.Username), renamed)
	tx.Logger.Warn(tx.Statement.Context, "migration 3: user %d renamed from %q to %q (clashed with an older account differing only in case)", u.ID, u.Username, renamed)
	e := &AuditEntry{At: tx.NowFunc(), Username: "system", Action: "user.rename", TargetType: "user",
		TargetID: strconv.FormatInt(u.ID, 10), Result: "ok", Status: 200, Detail: detail}
	if err := tx.Create(e).Error; err != nil {
		return fmt.Errorf("audit rename of user %d: %w", u.ID, err)
	}
	return nil
}
