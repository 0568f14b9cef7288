package importer

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrIDNumber is wrapped by every ValidateIDNumber error.
var ErrIDNumber = errors.New("invalid resident ID number")

var (
	idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	idCheck   = "10X98765432"
	// idNow is the clock for the "birth date in the future" check.
	idNow = time.Now
)

// NormalizeIDNumber trims s and upper-cases a final x, the form stored and
// matched against the blacklist. It does not validate.
func NormalizeIDNumber(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "x") {
		s = s[:len(s)-1] + "X"
	}
	return s
}

// ValidateIDNumber checks an 18-digit mainland resident ID number: length,
// digits, a real birth date not in the future, and the ISO 7064 MOD 11-2
// check character (a lowercase x is accepted). Old 15-digit numbers are
// rejected: they were replaced in 2013 and carry no checksum.
func ValidateIDNumber(s string) error {
	s = NormalizeIDNumber(s)
	switch {
	case strings.ContainsAny(s, "Ee") && strings.Contains(s, "+"):
		return fmt.Errorf("%w: stored as a number in Excel, digits were lost; format the column as text and export again", ErrIDNumber)
	case len(s) == 15:
		return fmt.Errorf("%w: old 15-digit number, the 18-digit one is needed", ErrIDNumber)
	case len(s) != 18:
		return fmt.Errorf("%w: must have 18 characters, got %d", ErrIDNumber, len([]rune(s)))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return fmt.Errorf("%w: character %d is not a digit", ErrIDNumber, i+1)
		}
		sum += int(c-'0') * idWeights[i]
	}
	if last := s[17]; (last < '0' || last > '9') && last != 'X' {
		return fmt.Errorf("%w: last character must be a digit or X", ErrIDNumber)
	}
	if err := idCheckBirth(s[6:14]); err != nil {
		return err
	}
	if want := idCheck[sum%11]; s[17] != want {
		return fmt.Errorf("%w: check digit is %c, expected %c", ErrIDNumber, s[17], want)
	}
	return nil
}

// idCheckBirth validates the YYYYMMDD birth date inside the number (digits
// already checked). Done by hand: time.Parse would dominate a large import.
func idCheckBirth(ymd string) error {
	num := func(s string) int {
		n := 0
		for i := 0; i < len(s); i++ {
			n = n*10 + int(s[i]-'0')
		}
		return n
	}
	y, m, d := num(ymd[:4]), num(ymd[4:6]), num(ymd[6:])
	if m < 1 || m > 12 || d < 1 || d > idDaysIn(y, m) {
		return fmt.Errorf("%w: birth date %s is not a real date", ErrIDNumber, ymd)
	}
	if y < 1900 {
		return fmt.Errorf("%w: birth year %d is before 1900", ErrIDNumber, y)
	}
	now := idNow()
	if birth := y*10000 + m*100 + d; birth > now.Year()*10000+int(now.Month())*100+now.Day() {
		return fmt.Errorf("%w: birth date %s is in the future", ErrIDNumber, ymd)
	}
	return nil
}

func idDaysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
