package api

import (
	"net/http"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// strategyRequest creates or changes a strategy; retry_intervals and
// phone_order, when given, replace the whole value.
type strategyRequest struct {
	Name                  *string                                `json:"name"`
	CalendarID            *int64                                 `json:"calendar_id"`
	PhoneOrder            *[]store.PhoneField                    `json:"phone_order"`
	MinAttempts           *int                                   `json:"min_attempts"`
	MaxAttempts           *int                                   `json:"max_attempts"`
	MaxAttemptsPerContact *int                                   `json:"max_attempts_per_contact"`
	MinRetryIntervalS     *int                                   `json:"min_retry_interval_s"`
	MaxRetryIntervalS     *int                                   `json:"max_retry_interval_s"`
	RetryIntervals        *map[store.RetryClass]store.RetryRange `json:"retry_intervals"`
	BatchSize             *int                                   `json:"batch_size"`
	BatchIntervalS        *int                                   `json:"batch_interval_s"`
	PeriodStart           *string                                `json:"period_start"`
	PeriodEnd             *string                                `json:"period_end"`
	MinRingS              *int                                   `json:"min_ring_s"`
	CallerIDRotation      *store.CallerIDRotation                `json:"caller_id_rotation"`
	CallerIDDailyLimit    *int                                   `json:"caller_id_daily_limit"`
}

func (r *strategyRequest) apply(st *store.Strategy) {
	setIf(&st.Name, r.Name)
	setIf(&st.CalendarID, r.CalendarID)
	if r.PhoneOrder != nil {
		st.PhoneOrder = make([]string, len(*r.PhoneOrder))
		for i, f := range *r.PhoneOrder {
			st.PhoneOrder[i] = string(f)
		}
	}
	setIf(&st.MinAttempts, r.MinAttempts)
	setIf(&st.MaxAttempts, r.MaxAttempts)
	setIf(&st.MaxAttemptsPerContact, r.MaxAttemptsPerContact)
	setIf(&st.MinRetryIntervalS, r.MinRetryIntervalS)
	setIf(&st.MaxRetryIntervalS, r.MaxRetryIntervalS)
	if r.RetryIntervals != nil {
		st.RetryIntervals = make(map[string]store.RetryRange, len(*r.RetryIntervals))
		for class, rr := range *r.RetryIntervals {
			st.RetryIntervals[string(class)] = rr
		}
	}
	setIf(&st.BatchSize, r.BatchSize)
	setIf(&st.BatchIntervalS, r.BatchIntervalS)
	setIf(&st.PeriodStart, r.PeriodStart)
	setIf(&st.PeriodEnd, r.PeriodEnd)
	setIf(&st.MinRingS, r.MinRingS)
	setIf(&st.CallerIDRotation, r.CallerIDRotation)
	setIf(&st.CallerIDDailyLimit, r.CallerIDDailyLimit)
}

func (s *Server) createStrategy(c *gin.Context) {
	var req strategyRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	st := store.NewStrategy()
	req.apply(st)
	if err := s.store.CreateStrategy(c.Request.Context(), st); err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "strategy", st.ID)
	c.JSON(http.StatusCreated, st)
}

func (s *Server) listStrategies(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	calID, err := int64Query(c, "calendar_id")
	if err != nil {
		fail(c, err)
		return
	}
	sts, total, err := s.store.ListStrategies(c.Request.Context(), calID, p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(sts, total))
}

func (s *Server) getStrategy(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	st, err := s.store.GetStrategy(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

// updateStrategy saves the change; the new Version tells running campaigns
// (which poll it) to reload.
func (s *Server) updateStrategy(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var req strategyRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	st, err := s.store.GetStrategy(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	req.apply(st)
	if err := s.store.UpdateStrategy(c.Request.Context(), st); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func (s *Server) deleteStrategy(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.store.DeleteStrategy(c.Request.Context(), id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
