package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// DeleteAccount removes an account with its sessions, API tokens and
// password-reset links, and returns it as it was. The author profile it
// wrote as stays, since bylines are publication history, and is simply no
// longer linked to a login; audit entries keep the account's id. Deleting
// the last enabled owner is ErrLastOwner; an unknown id is ErrNotFound.
func (s *Store) DeleteAccount(ctx context.Context, id int64) (Account, error) {
	var acc Account
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		// Take turns with role changes and other deletions, so that two
		// owners deleting each other cannot both succeed.
		if err := r.lockAccounts(ctx); err != nil {
			return err
		}
		var err error
		acc, err = scanAccount(r.queryRow(ctx, `SELECT `+accountColumns+` FROM accounts ac WHERE ac.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if acc.Role == RoleOwner && !acc.Disabled {
			if err := r.checkOtherOwner(ctx, id); err != nil {
				return err
			}
		}
		// The foreign keys cascade too; deleting explicitly keeps the
		// outcome independent of how a database was configured.
		for _, q := range []string{
			`DELETE FROM sessions WHERE account_id = ?`,
			`DELETE FROM api_tokens WHERE account_id = ?`,
			`DELETE FROM account_tokens WHERE account_id = ?`,
			`UPDATE account_tokens SET created_by = NULL WHERE created_by = ?`,
		} {
			if _, err := r.exec(ctx, q, id); err != nil {
				return err
			}
		}
		res, err := r.exec(ctx, `DELETE FROM accounts WHERE id = ?`, id)
		if err != nil {
			return err
		}
		return mustAffect(res)
	})
	if err != nil {
		return Account{}, fmt.Errorf("store: delete account %d: %w", id, err)
	}
	return acc, nil
}
