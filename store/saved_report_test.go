package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// A saved report changed: every field a create takes may change and is
// checked as on create (the error names the field); the owner stays; an
// unchanged save and an unknown id are told apart.
func TestUpdateSavedReport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		owner := &store.User{Username: "own", Role: store.RoleSupervisor, PasswordHash: "x"}
		must(t, s.CreateUser(ctx, owner, nil))
		g := &store.Group{Name: "g", Kind: store.GroupAgent}
		must(t, s.CreateGroup(ctx, g))
		base := store.SavedReport{Name: "今日外呼", Report: store.ReportOutbound, GroupBy: []store.Dimension{store.DimCampaign},
			Measures: []string{"dials"}, Period: store.PeriodToday, SharedWith: &g.ID, OwnerID: owner.ID}
		r := base
		must(t, s.CreateSavedReport(ctx, &r))
		for _, tc := range []struct {
			name  string
			edit  func(r *store.SavedReport)
			field string // "" accepted
		}{
			{"unchanged", func(*store.SavedReport) {}, ""},
			{"renamed and regrouped", func(r *store.SavedReport) {
				r.Name, r.GroupBy, r.Measures, r.Period = "  近7天按天  ", []store.Dimension{store.DimDay}, []string{"dials", "answered"}, store.PeriodLast7Days
				r.CampaignIDs, r.AgentIDs, r.GroupID, r.SharedWith = []int64{1}, []int64{owner.ID}, g.ID, nil
			}, ""},
			{"other report", func(r *store.SavedReport) { r.Report, r.GroupBy, r.Measures = store.ReportCampaigns, nil, nil }, ""},
			{"empty name", func(r *store.SavedReport) { r.Name = " " }, "name"},
			{"unknown report", func(r *store.SavedReport) { r.Report = "nosuch" }, "report"},
			{"unknown period", func(r *store.SavedReport) { r.Period = "hourly" }, "period"},
			{"unknown dimension", func(r *store.SavedReport) { r.GroupBy = []store.Dimension{"planet"} }, "group_by"},
			{"measure of no report", func(r *store.SavedReport) { r.Measures = []string{"nosuch"} }, "measures"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before, err := s.GetSavedReport(ctx, r.ID)
				must(t, err)
				want := *before
				tc.edit(&want)
				err = s.UpdateSavedReport(ctx, &want)
				got, gerr := s.GetSavedReport(ctx, r.ID)
				must(t, gerr)
				if tc.field != "" {
					var ve *store.ValidationError
					if !errors.As(err, &ve) || ve.Fields[0].Field != tc.field {
						t.Fatalf("%v, want an error naming %s", err, tc.field)
					}
					if got.Name != before.Name || got.Report != before.Report || !slices.Equal(got.Measures, before.Measures) {
						t.Fatalf("refused change stored: %+v, was %+v", got, before)
					}
					return
				}
				must(t, err)
				if got.Name != want.Name || got.Report != want.Report || got.Period != want.Period || !slices.Equal(got.GroupBy, want.GroupBy) ||
					!slices.Equal(got.Measures, want.Measures) || !slices.Equal(got.CampaignIDs, want.CampaignIDs) ||
					!slices.Equal(got.AgentIDs, want.AgentIDs) || got.GroupID != want.GroupID ||
					(got.SharedWith == nil) != (want.SharedWith == nil) || got.OwnerID != owner.ID || !got.CreatedAt.Equal(before.CreatedAt) {
					t.Fatalf("stored %+v, want %+v", got, want)
				}
			})
		}
		if got, _ := s.GetSavedReport(ctx, r.ID); got.Name != "近7天按天" || got.SharedWith != nil {
			t.Fatalf("name not trimmed or share not cleared: %+v", got)
		}
		gone := base
		gone.ID = r.ID + 1000
		if err := s.UpdateSavedReport(ctx, &gone); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown id: %v", err)
		}
	})
}

// A deleted saved report takes its schedule with it, so the mailer never
// claims a run of it again; other reports and their schedules stay.
func TestDeleteSavedReport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		owner := &store.User{Username: "own", Role: store.RoleSupervisor, PasswordHash: "x"}
		must(t, s.CreateUser(ctx, owner, nil))
		now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
		saved := func(name string, scheduled bool) *store.SavedReport {
			r := &store.SavedReport{Name: name, Report: store.ReportCampaigns, Period: store.PeriodToday, OwnerID: owner.ID}
			must(t, s.CreateSavedReport(ctx, r))
			if scheduled {
				must(t, s.CreateReportSchedule(ctx, &store.ReportSchedule{SavedReportID: r.ID, Every: store.EveryDay, At: "09:00",
					Emails: []string{"ops@bank.example"}, Enabled: true}, now))
			}
			return r
		}
		scheduled, plain, kept := saved("scheduled", true), saved("plain", false), saved("kept", true)
		for _, tc := range []struct {
			name        string
			id          int64
			hadSchedule bool
			err         error
		}{
			{"with its schedule", scheduled.ID, true, nil},
			{"without a schedule", plain.ID, false, nil},
			{"already gone", scheduled.ID, false, store.ErrNotFound},
			{"never was", kept.ID + 1000, false, store.ErrNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				had, err := s.DeleteSavedReport(ctx, tc.id)
				if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) || had != tc.hadSchedule {
					t.Fatalf("had schedule %t, %v; want %t, %v", had, err, tc.hadSchedule, tc.err)
				}
				if _, err := s.GetSavedReport(ctx, tc.id); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("report still there: %v", err)
				}
				if _, err := s.ReportScheduleOf(ctx, tc.id); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("schedule still there: %v", err)
				}
			})
		}
		// The day after, only the kept report's run is due.
		due, err := s.ClaimDueSchedules(ctx, now.AddDate(0, 0, 1), 10)
		must(t, err)
		if len(due) != 1 || due[0].SavedReportID != kept.ID {
			t.Fatalf("due after the delete: %+v", due)
		}
		if _, err := s.GetSavedReport(ctx, kept.ID); err != nil {
			t.Fatalf("kept report: %v", err)
		}
	})
}
