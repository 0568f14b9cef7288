package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Limits on a contact's attributes (the extra columns of an import), so one
// file or request cannot blow a contact up to millions of keys.
const (
	MaxAttributes      = 100  // keys per contact
	MaxAttributeKeyLen = 64   // characters in a key
	MaxAttributeLen    = 1000 // characters in a value
)

func (c *Campaign) encodeSensitive() {
	if c.SensitiveAttributes == nil {
		c.SensitiveAttributes = []string{}
	}
	b, _ := json.Marshal(c.SensitiveAttributes)
	c.SensitiveJSON = string(b)
}

func (c *Campaign) decodeSensitive() {
	c.SensitiveAttributes = []string{}
	if c.SensitiveJSON != "" {
		_ = json.Unmarshal([]byte(c.SensitiveJSON), &c.SensitiveAttributes)
	}
}

// validateSensitive checks the sensitive attribute list of a campaign.
func validateSensitive(keys []string, add func(field, msg string)) {
	if len(keys) > MaxAttributes {
		add("sensitive_attributes", fmt.Sprintf("at most %d keys", MaxAttributes))
	}
	for i, k := range keys {
		if k == "" || utf8.RuneCountInString(k) > MaxAttributeKeyLen {
			add(fmt.Sprintf("sensitive_attributes[%d]", i), fmt.Sprintf("an attribute key of 1 to %d characters", MaxAttributeKeyLen))
		}
	}
}

// Sensitive returns the set of a campaign's sensitive attribute keys.
func (c *Campaign) Sensitive() map[string]bool {
	out := make(map[string]bool, len(c.SensitiveAttributes))
	for _, k := range c.SensitiveAttributes {
		out[k] = true
	}
	return out
}

// AddSensitiveAttributes adds keys to a campaign's sensitive attributes (an
// import found columns holding phone or ID numbers). The row is locked so
// two imports adding keys at once both keep theirs.
func (s *Store) AddSensitiveAttributes(ctx context.Context, campaignID int64, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var c Campaign
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id", "sensitive_attributes").First(&c, campaignID).Error; err != nil {
			return translate(err)
		}
		c.decodeSensitive()
		have := c.Sensitive()
		changed := false
		for _, k := range keys {
			if !have[k] && len(have) < MaxAttributes {
				have[k], changed = true, true
			}
		}
		if !changed {
			return nil
		}
		c.SensitiveAttributes = c.SensitiveAttributes[:0]
		for k := range have {
			c.SensitiveAttributes = append(c.SensitiveAttributes, k)
		}
		sort.Strings(c.SensitiveAttributes)
		c.encodeSensitive()
		return tx.Model(&Campaign{}).Where("id = ?", campaignID).Update("sensitive_attributes", c.SensitiveJSON).Error
	})
	if err != nil {
		return fmt.Errorf("store: sensitive attributes of campaign %d: %w", campaignID, err)
	}
	return nil
}
