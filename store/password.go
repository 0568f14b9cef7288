package store

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/crypto/bcrypt"
)

// Password policy. bcrypt reads only the first 72 bytes of a password, so a
// longer one would be silently cut: it is refused instead, with the limit named.
const (
	minPasswordLen   = 10
	MaxPasswordBytes = 72
)

// bcryptCost is a variable so tests can lower it; production keeps the default.
var bcryptCost = bcrypt.DefaultCost

// CheckPassword enforces the password policy: 10 characters to 72 bytes, three
// of the four classes (lower, upper, digit, symbol), not containing the
// username, and not a common password with digits or symbols around it.
func CheckPassword(username, password string) error {
	if len([]rune(password)) < minPasswordLen {
		return Invalid("password", fmt.Sprintf("must have at least %d characters", minPasswordLen))
	}
	if len(password) > MaxPasswordBytes {
		return Invalid("password", fmt.Sprintf("must be at most %d bytes (a Chinese character takes 3); it is %d bytes", MaxPasswordBytes, len(password)))
	}
	if passwordClasses(password) < 3 {
		return Invalid("password", "must mix at least three of: lower case, upper case, digits, symbols")
	}
	if username != "" && strings.Contains(strings.ToLower(password), strings.ToLower(username)) {
		return Invalid("password", "must not contain the username")
	}
	if IsCommonPassword(password) {
		return Invalid("password", "is too common (it is, or is built on, a password attackers try first); choose another")
	}
	return nil
}

func passwordClasses(password string) int {
	var lower, upper, digit, other bool
	for _, r := range password {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	n := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			n++
		}
	}
	return n
}

//go:embed common_passwords.txt
var commonPasswordsText string

var commonPasswords = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
	for sc.Scan() {
		line := strings.ToLower(strings.TrimSpace(sc.Text()))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		set[line] = true
		if core := passwordCore(line); core != "" {
			set[core] = true
		}
	}
	return set
})

// leetSpeak undoes the substitutions people make to satisfy a policy.
var leetSpeak = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s")

// passwordCore is the word an attacker's list would try first: lower case,
// digits and symbols at either end removed, substitutions undone.
// "P@ssw0rd2026!" and "Password123!" both give "password".
func passwordCore(pw string) string {
	s := strings.TrimFunc(strings.ToLower(pw), func(r rune) bool { return !unicode.IsLetter(r) })
	return leetSpeak.Replace(s)
}

// IsCommonPassword reports whether the password, or its core, is on the
// embedded list of common and bank-typical passwords.
func IsCommonPassword(pw string) bool {
	set := commonPasswords()
	lower := strings.ToLower(pw)
	return set[lower] || set[strings.TrimRightFunc(lower, isSymbolOrDigit)] || set[passwordCore(pw)]
}

func isSymbolOrDigit(r rune) bool { return !unicode.IsLetter(r) }

// SetPassword checks the policy and stores a bcrypt hash.
func (u *User) SetPassword(password string, now time.Time) error {
	if err := CheckPassword(u.Username, password); err != nil {
		return err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return fmt.Errorf("store: hash password: %w", err)
	}
	u.PasswordHash = string(h)
	u.PasswordAt = now
	return nil
}

// PasswordHasher compares a password with a stored hash. Tests inject one
// that counts calls, to prove that every sign-in attempt, whatever its
// outcome, costs exactly one compare (so timing tells nothing).
type PasswordHasher interface {
	Compare(hash, password []byte) error
}

type bcryptHasher struct{}

// errPasswordMismatch is what a compare that cannot succeed returns.
var errPasswordMismatch = errors.New("store: password does not match")

func (bcryptHasher) Compare(hash, password []byte) error {
	if len(password) > MaxPasswordBytes {
		// No stored password is this long; spend the time of a real compare
		// and fail, rather than let bcrypt answer early or truncate.
		_ = bcrypt.CompareHashAndPassword(hash, password[:MaxPasswordBytes])
		return errPasswordMismatch
	}
	return bcrypt.CompareHashAndPassword(hash, password)
}

// dummyHash is compared against when there is no real hash to check (unknown,
// disabled or locked account), at the cost new hashes get, so the time matches.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("not-a-real-password"), bcryptCost)
	return h
})

// UseMinimumHashCostForTests lowers the bcrypt cost so test suites that create
// many users stay fast. Never called by the product.
func UseMinimumHashCostForTests() { bcryptCost = bcrypt.MinCost }
