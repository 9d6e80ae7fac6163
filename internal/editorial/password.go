package editorial

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"masthead/internal/store"
)

// Argon2id parameters: OWASP's minimum recommendation (19 MiB, two passes,
// one lane). A hash records its parameters, so raising them later leaves
// existing passwords working.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// maxPasswordLength keeps a megabyte "password" from costing a megabyte of
// hashing per attempt.
const maxPasswordLength = 1024

// CheckPassword applies the password policy and returns what is wrong in
// plain words, or "" when the password is acceptable.
func CheckPassword(password, email string) string {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		return fmt.Sprintf("Use at least %d characters.", MinPasswordLength)
	case len(password) > maxPasswordLength:
		return fmt.Sprintf("Use at most %d characters.", maxPasswordLength)
	case strings.TrimSpace(password) == "":
		return "The password cannot be only spaces."
	case email != "" && strings.EqualFold(strings.TrimSpace(password), store.NormalizeEmail(email)):
		return "The password cannot be your email address."
	}
	return ""
}

// HashPassword returns the argon2id hash of password in the PHC string
// format: $argon2id$v=19$m=…,t=…,p=…$salt$hash.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("editorial: hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("editorial: unreadable password hash")

// VerifyPassword reports whether password matches a hash made by
// HashPassword, comparing in constant time.
func VerifyPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil {
		return false, errBadHash
	}
	// Bounds keep a tampered row from making sign-in allocate gigabytes.
	if memory < 1024 || memory > 1<<20 || passes < 1 || passes > 20 || threads < 1 || threads > 16 {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 128 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, passes, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
