package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/render"
	"github.com/lijntje/lijntje/store"
)

// Check-in steps about agreements and referrals (flows.KindAgreement,
// flows.KindReferral): a check-in asks such a step only when the student
// has an agreement whose date passed, or a referral whose follow-up is due;
// the question names it, and the answer updates it in the same transaction.

// Option IDs of the followup steps (stable, see flows/checkin.yaml).
const (
	agreementDone   = "done"
	referralYes     = "yes"
	referralNotYet  = "not_yet"
	referralContact = "in_contact" // the status a "yes" moves an "aangemeld" referral to
)

// followupDataFor adds the subject of a followup step of checkinID to data.
func (b *Bot) followupDataFor(ctx context.Context, lang string, checkinID int64, step *flows.Step, data map[string]any) error {
	a, err := b.st.FollowupAskFor(ctx, checkinID, step.ID)
	if errors.Is(err, store.ErrNotFound) {
		b.subjectData(lang, step, "", data)
		return nil
	}
	if err != nil {
		return err
	}
	b.subjectData(lang, step, a.Subject, data)
	return nil
}

// subjectData sets .What (an agreement) or .Kind (a referral, as a phrase:
// "de schuldhulp") in data and returns data (render.SubjectData).
func (b *Bot) subjectData(lang string, step *flows.Step, subject string, data map[string]any) map[string]any {
	return render.SubjectData(b.loc, lang, step, subject, data)
}

// followupAnswer turns a tap on a followup step into what it changes; it
// returns the subject too (for the coach's alert).
func (b *Bot) followupAnswer(ctx context.Context, f *flows.Flow, checkinID int64, st *flows.Step, option string) (*store.FollowupAnswer, string, error) {
	a, err := b.st.FollowupAskFor(ctx, checkinID, st.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", nil // asked about nothing (cannot happen unless forged): a plain answer
	}
	if err != nil {
		return nil, "", fmt.Errorf("followup answer: %w", err)
	}
	fa := &store.FollowupAnswer{AgreementID: a.AgreementID, ReferralID: a.ReferralID, Option: option}
	switch st.Kind {
	case flows.KindAgreement:
		fa.Done = option == agreementDone
	case flows.KindReferral:
		switch option {
		case referralYes:
			fa.Status = referralContact
		case referralNotYet:
			fa.AskAgainAt = b.cfg.Now().Add(f.ReferralFollowUp())
		}
	}
	return fa, a.Subject, nil
}

// followupDetail is a followup signal's detail: the subject, quoted (so it
// never reads as step=option).
func followupDetail(subject string) string { return "“" + clip(subject, 300) + "”" }
