package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
)

// EnsureAdmin creates the first admin when no user exists. With an empty
// password it generates one and returns it so the caller can show it once;
// otherwise it returns "".
func (s *Store) EnsureAdmin(ctx context.Context, password string) (generated string, err error) {
	n, err := s.CountUsers(ctx)
	if err != nil {
		return "", fmt.Errorf("store: count users: %w", err)
	}
	if n > 0 {
		return "", nil
	}
	if password == "" {
		password = randomPassword()
		for CheckPassword("admin", password) != nil { // a random core can, rarely, be a listed word
			password = randomPassword()
		}
		generated = password
	}
	u := &User{Username: "admin", Role: RoleAdmin, DisplayName: "Administrator"}
	if err := u.SetPassword(password, s.now()); err != nil {
		return "", fmt.Errorf("admin.password: %w", err)
	}
	if err := s.CreateUser(ctx, u, nil); err != nil {
		return "", err
	}
	return generated, nil
}

// randomPassword makes a policy-conforming password of 16 characters.
func randomPassword() string {
	const sets = "abcdefghijkmnpqrstuvwxyz" + "ABCDEFGHJKLMNPQRSTUVWXYZ" + "23456789" + "-_!#%"
	classes := []string{"abcdefghijkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "-_!#%"}
	out := make([]byte, 0, 16)
	for _, c := range classes { // one of each class guarantees the policy
		out = append(out, pick(c))
	}
	for len(out) < 16 {
		out = append(out, pick(sets))
	}
	return string(out)
}

func pick(set string) byte {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
	if err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return set[n.Int64()]
}
