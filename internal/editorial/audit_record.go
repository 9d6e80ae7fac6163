package editorial

import "context"

// RecordAudit adds an entry to the audit log for work the desk does
// through another service, such as sending a newsletter or erasing a
// subscriber, so that the log shows it beside the editorial actions.
// The caller has checked that actor may do it.
func (s *Service) RecordAudit(ctx context.Context, actor Actor, action, target, detail string) {
	s.audit(ctx, actor, action, target, detail)
}
