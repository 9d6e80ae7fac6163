package editorial

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"masthead/internal/store"
)

// AccountDeletion is what the desk shows before deleting an account.
type AccountDeletion struct {
	Account store.Account
	Name    string // the byline the account wrote as; "" for none
}

// checkDeletion finds the account and whether actor may delete it: the
// rules of disabling apply, and nobody deletes themselves here.
func (s *Service) checkDeletion(ctx context.Context, actor Actor, accountID int64) (AccountDeletion, error) {
	acc, err := s.targetAccount(ctx, accountID)
	if err != nil {
		return AccountDeletion{}, err
	}
	if acc.ID == actor.ID {
		return AccountDeletion{}, forbidden("You cannot delete your own account.")
	}
	if err := Can(actor.Account, AccountDisable, Target{Account: &acc}); err != nil {
		return AccountDeletion{}, err
	}
	return AccountDeletion{Account: acc, Name: s.accountName(ctx, acc)}, nil
}

// accountName is the byline of an account, which the audit log records
// instead of the email: it stays publication history after the deletion.
func (s *Service) accountName(ctx context.Context, acc store.Account) string {
	if acc.AuthorID == 0 {
		return ""
	}
	a, err := s.store.AuthorByID(ctx, acc.AuthorID)
	if err != nil {
		return ""
	}
	return a.Name
}

// AccountToDelete returns the account actor asks to delete, refusing what
// DeleteAccount would refuse, for the confirmation step.
func (s *Service) AccountToDelete(ctx context.Context, actor Actor, accountID int64) (AccountDeletion, error) {
	return s.checkDeletion(ctx, actor, accountID)
}

// DeleteAccount deletes another account with its sessions, API tokens and
// reset links; its author profile stays, unlinked. The last enabled owner
// stays.
func (s *Service) DeleteAccount(ctx context.Context, actor Actor, accountID int64) error {
	d, err := s.checkDeletion(ctx, actor, accountID)
	if err != nil {
		return err
	}
	_, err = s.store.DeleteAccount(ctx, accountID)
	if errors.Is(err, store.ErrLastOwner) {
		return lastOwner
	}
	if errors.Is(err, store.ErrNotFound) {
		return notFound("The account")
	}
	if err != nil {
		return fmt.Errorf("editorial: delete account: %w", err)
	}
	deleted := "account " + strconv.FormatInt(d.Account.ID, 10)
	who := d.Name
	if who == "" {
		who = "(no byline)"
	}
	by := s.accountName(ctx, actor.Account)
	if by == "" {
		by = "(no byline)"
	}
	s.audit(ctx, actor, "account.delete", deleted,
		fmt.Sprintf("%s, %s, deleted by %s (account %d)", who, d.Account.Role, by, actor.ID))
	return nil
}
