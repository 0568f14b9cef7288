package api

import (
	"net/http"
	"strings"

	"github.com/bankcc/callcenter/api/web"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// route is one line of the route table: what it answers, who may call it,
// how it is audited, and its documentation (the OpenAPI document is built
// from this table, so no route goes undocumented).
type route struct {
	Method, Path string
	Perm         store.Permission // signedIn = any signed-in user
	Audit        string           // audit action; "" for plain reads
	Handle       gin.HandlerFunc
	Doc          doc
}

// signedIn marks routes any signed-in user may call.
const signedIn store.Permission = ""

// publicRoutes need no session.
func (s *Server) publicRoutes() []route {
	return []route{
		{"GET", "/healthz", signedIn, "", s.healthz, doc{"Process is up", nil, healthResponse{}, 200}},
		{"GET", "/readyz", signedIn, "", s.readyz, doc{"Database and FreeSWITCH nodes ready (503 if not: no node up with every module the product needs; missing_modules names them)", nil, readyResponse{}, 200}},
		{"GET", "/metrics", signedIn, "", s.serveMetrics(), doc{"Prometheus metrics (loopback clients, or Authorization: Bearer <metrics.token>)", nil, nil, 200}},
		{"GET", "/api/openapi.json", signedIn, "", s.openapi, doc{"This OpenAPI document", nil, nil, 200}},
		{"POST", "/api/v1/auth/login", signedIn, "", s.login, doc{"Sign in; returns a bearer token", loginRequest{}, loginResponse{}, 200}},
	}
}

// apiRoutes need a session; grouped by the permission they require.
func (s *Server) apiRoutes() []route {
	return []route{
		// any signed-in user
		{"POST", "/api/v1/auth/logout", signedIn, "auth.logout", s.logout, doc{"Sign out (revokes the session)", nil, nil, 204}},
		{"GET", "/api/v1/me", signedIn, "", s.me, doc{"The signed-in user", nil, userView{}, 200}},

		// agent_desk
		{"GET", "/api/v1/me/tasks", store.PermAgentDesk, "", s.myTasks, doc{"The agent's assigned, still open contacts", nil, list[store.Contact]{}, 200}},

		// users_manage
		{"POST", "/api/v1/users", store.PermUsersManage, "user.create", s.createUser, doc{"Create a user or agent", userRequest{}, userView{}, 201}},
		{"GET", "/api/v1/users", store.PermUsersManage, "", s.listUsers, doc{"List users", userQuery{}, list[userView]{}, 200}},
		{"GET", "/api/v1/users/:id", store.PermUsersManage, "", s.getUser, doc{"One user", nil, userView{}, 200}},
		{"PATCH", "/api/v1/users/:id", store.PermUsersManage, "user.update", s.updateUser, doc{"Change a user", userRequest{}, userView{}, 200}},
		{"DELETE", "/api/v1/users/:id", store.PermUsersManage, "user.delete", s.deleteUser, doc{"Delete a user", nil, nil, 204}},
		{"POST", "/api/v1/users/:id/unlock", store.PermUsersManage, "user.unlock", s.unlockUser, doc{"Lift a user's sign-in lockouts (from every address)", nil, userView{}, 200}},
		{"POST", "/api/v1/groups", store.PermUsersManage, "group.create", s.createGroup, doc{"Create an agent group", groupRequest{}, store.Group{}, 201}},
		{"PATCH", "/api/v1/groups/:id", store.PermUsersManage, "group.update", s.updateGroup, doc{"Change a group", groupRequest{}, store.Group{}, 200}},
		{"DELETE", "/api/v1/groups/:id", store.PermUsersManage, "group.delete", s.deleteGroup, doc{"Delete a group", nil, nil, 204}},

		// campaign_view
		{"GET", "/api/v1/groups", store.PermCampaignView, "", s.listGroups, doc{"List groups", groupQuery{}, list[store.Group]{}, 200}},

		// calendars and strategies (campaign_manage to change, campaign_view to read)
		// -- calendars-strategies routes start --
		{"POST", "/api/v1/calendars", store.PermCampaignManage, "calendar.create", s.createCalendar, doc{"Create a calendar: windows per day kind and customer type, per-date overrides", calendarRequest{}, store.Calendar{}, 201}},
		{"GET", "/api/v1/calendars", store.PermCampaignView, "", s.listCalendars, doc{"List calendars", nil, list[store.Calendar]{}, 200}},
		{"GET", "/api/v1/calendars/:id", store.PermCampaignView, "", s.getCalendar, doc{"One calendar", nil, store.Calendar{}, 200}},
		{"PATCH", "/api/v1/calendars/:id", store.PermCampaignManage, "calendar.update", s.updateCalendar, doc{"Change a calendar (windows and dates replace the lists)", calendarRequest{}, store.Calendar{}, 200}},
		{"DELETE", "/api/v1/calendars/:id", store.PermCampaignManage, "calendar.delete", s.deleteCalendar, doc{"Delete a calendar no strategy uses", nil, nil, 204}},
		{"POST", "/api/v1/strategies", store.PermCampaignManage, "strategy.create", s.createStrategy, doc{"Create a dialing strategy", strategyRequest{}, store.Strategy{}, 201}},
		{"GET", "/api/v1/strategies", store.PermCampaignView, "", s.listStrategies, doc{"List strategies (?calendar_id)", nil, list[store.Strategy]{}, 200}},
		{"GET", "/api/v1/strategies/:id", store.PermCampaignView, "", s.getStrategy, doc{"One strategy", nil, store.Strategy{}, 200}},
		{"PATCH", "/api/v1/strategies/:id", store.PermCampaignManage, "strategy.update", s.updateStrategy, doc{"Change a strategy; its version grows and running campaigns reload it", strategyRequest{}, store.Strategy{}, 200}},
		{"DELETE", "/api/v1/strategies/:id", store.PermCampaignManage, "strategy.delete", s.deleteStrategy, doc{"Delete a strategy no campaign uses", nil, nil, 204}},
		{"GET", "/api/v1/holidays", store.PermCampaignView, "", s.listHolidays, doc{"Official holidays and make-up workdays (?year)", nil, list[store.Holiday]{}, 200}},
		{"POST", "/api/v1/holidays", store.PermSettingsManage, "holiday.create", s.createHoliday, doc{"Add an official holiday or make-up workday", holidayRequest{}, store.Holiday{}, 201}},
		{"DELETE", "/api/v1/holidays/:id", store.PermSettingsManage, "holiday.delete", s.deleteHoliday, doc{"Remove an official holiday or make-up workday", nil, nil, 204}},
		// -- calendars-strategies routes end --

		// campaigns, contacts, imports (campaign_manage to change, campaign_view to read)
		{"POST", "/api/v1/campaigns", store.PermCampaignManage, "campaign.create", s.createCampaign, doc{"Create a campaign (draft)", campaignRequest{}, store.Campaign{}, 201}},
		{"GET", "/api/v1/campaigns", store.PermCampaignView, "", s.listCampaigns, doc{"List campaigns", campaignQuery{}, list[store.Campaign]{}, 200}},
		{"GET", "/api/v1/campaigns/:id", store.PermCampaignView, "", s.getCampaign, doc{"One campaign", nil, store.Campaign{}, 200}},
		{"PATCH", "/api/v1/campaigns/:id", store.PermCampaignManage, "campaign.update", s.updateCampaign, doc{"Change a campaign's settings", campaignRequest{}, store.Campaign{}, 200}},
		{"DELETE", "/api/v1/campaigns/:id", store.PermCampaignManage, "campaign.delete", s.deleteCampaign, doc{"Delete a campaign that is not running", nil, nil, 204}},
		{"POST", "/api/v1/campaigns/:id/pacing/simulate", anyOf(store.PermCampaignView, store.PermMonitor), "", s.simulatePacing, doc{"Pacing what-if: the simulator with the campaign's measured rates and the body's scenario keys (pacing.md); predictive and progressive figures", pacingSimRequest{}, pacingSimResponse{}, 200}},
		{"GET", "/api/v1/campaigns/:id/contacts", store.PermCampaignView, "", s.listContacts, doc{"Contacts with status, attempts, owner, why not dialable now and the blacklist entries that block them ", contactQuery{}, list[contactView]{}, 200}},
		{"GET", "/api/v1/campaigns/:id/contacts/:contact_id", store.PermCampaignView, "", s.getContact, doc{"One contact: status, why not dialable now, and the blacklist entries that block it", nil, contactView{}, 200}},
		{"POST", "/api/v1/campaigns/:id/contacts", store.PermCampaignManage, "contact.ingest", s.ingestContacts, doc{"Ingest API: {\"contacts\":[...]}, validated like a file; answers like an import job", ingestRequest{}, store.ImportJob{}, 200}},
		{"POST", "/api/v1/campaigns/:id/imports", store.PermCampaignManage, "import.create", s.createImport, doc{"Upload a contact file; the import runs in the background", importUpload{}, store.ImportJob{}, 202}},
		{"POST", "/api/v1/campaigns/:id/imports/preview", store.PermCampaignManage, "", s.previewImport, doc{"Preview a contact file: detected mapping and first rows validated; stores nothing", importUpload{}, previewResponse{}, 200}},
		{"GET", "/api/v1/campaigns/:id/imports", store.PermCampaignView, "", s.listImports, doc{"A campaign's import jobs", nil, list[store.ImportJob]{}, 200}},
		{"GET", "/api/v1/imports/:id", store.PermCampaignView, "", s.getImport, doc{"An import job: status, counts, errors by row and field", nil, store.ImportJob{}, 200}},
		{"POST", "/api/v1/imports/:id/cancel", store.PermCampaignManage, "import.cancel", s.cancelImport, doc{"Cancel an import after its current batch, or an interrupted one (its kept file is deleted)", nil, nil, 202}},
		{"POST", "/api/v1/imports/:id/resume", store.PermCampaignManage, "import.resume", s.resumeImport, doc{"Resume an interrupted import after its last committed batches (no row imported twice)", nil, nil, 202}},
		{"GET", "/api/v1/imports/:id/errors.csv", store.PermCampaignView, "", s.importErrors, doc{"Download the import's full error report (CSV)", nil, nil, 200}},

		{"POST", "/api/v1/mapping-templates", store.PermCampaignManage, "mapping_template.create", s.createMappingTemplate, doc{"Save a column-mapping template", mappingTemplateRequest{}, store.MappingTemplate{}, 201}},
		{"GET", "/api/v1/mapping-templates", store.PermCampaignView, "", s.listMappingTemplates, doc{"Saved column-mapping templates", nil, list[store.MappingTemplate]{}, 200}},
		{"DELETE", "/api/v1/mapping-templates/:id", store.PermCampaignManage, "mapping_template.delete", s.deleteMappingTemplate, doc{"Delete a column-mapping template", nil, nil, 204}},

		// assign
		{"POST", "/api/v1/campaigns/:id/assignments", store.PermAssign, "contact.assign", s.assignContacts, doc{"Assign contacts to agents: bulk, single, reassign, reclaim", assignmentRequest{}, store.AssignResult{}, 200}},

		// export
		{"POST", "/api/v1/exports", store.PermExport, "export.create", s.createExport, doc{"Export contacts as xlsx or csv: chosen fields, order and headers (streams the file)", exportRequest{}, nil, 200}},
		{"POST", "/api/v1/export-templates", store.PermExport, "export_template.create", s.createExportTemplate, doc{"Save an export template", exportTemplateRequest{}, store.ExportTemplate{}, 201}},
		{"GET", "/api/v1/export-templates", store.PermExport, "", s.listExportTemplates, doc{"Saved export templates", nil, list[store.ExportTemplate]{}, 200}},
		{"DELETE", "/api/v1/export-templates/:id", store.PermExport, "export_template.delete", s.deleteExportTemplate, doc{"Delete an export template", nil, nil, 204}},

		// dnc_manage to change, campaign_view to search
		{"POST", "/api/v1/dnc", store.PermDNCManage, "dnc.create", s.createDNC, doc{"Blacklist a phone or resident ID number; blocks matching contacts everywhere. A listed value is never overwritten: 409 with the entry in error.existing, or with add_reason the reason is added to its history (200)", dncRequest{}, dncView{}, 201}},
		{"POST", "/api/v1/dnc/batch", store.PermDNCManage, "dnc.batch", s.createDNCBatch, doc{"Blacklist many entries; bad items reported by row in errors, values already listed by row in duplicates (their reasons kept)", dncBatchRequest{}, dncBatchResponse{}, 200}},
		{"POST", "/api/v1/dnc/import", store.PermDNCManage, "dnc.import", s.importDNC, doc{"Blacklist every phone and ID number in a file (csv/txt/xlsx/docx/doc)", dncUpload{}, dncBatchResponse{}, 200}},
		{"GET", "/api/v1/dnc", store.PermCampaignView, "", s.listDNC, doc{"Search the blacklist", dncQuery{}, list[store.DNCEntry]{}, 200}},
		{"DELETE", "/api/v1/dnc/:id", store.PermDNCManage, "dnc.delete", s.deleteDNC, doc{"Remove a blacklist entry; releases the contacts it alone blocked", nil, nil, 204}},

		// monitor
		{"GET", "/api/v1/monitor", store.PermMonitor, "", s.monitor, doc{"Live snapshot: nodes, agents, queues, campaigns", nil, monitorResponse{}, 200}},

		// audit_read
		{"GET", "/api/v1/audit", store.PermAuditRead, "", s.listAudit, doc{"Audit log (?user&action&target_type&target_id&from&to)", nil, list[store.AuditEntry]{}, 200}},
	}
}

func (s *Server) mount(r *gin.Engine) {
	for _, rt := range s.publicRoutes() {
		r.Handle(rt.Method, rt.Path, limitBody(s.cfg.MaxBodyBytes), rt.Handle)
	}
	for _, rt := range s.apiRoutes() {
		chain := []gin.HandlerFunc{limitBody(s.bodyLimit(rt)), s.authenticate}
		if rt.Audit != "" {
			chain = append(chain, auditAs(rt.Audit, rt.Doc.Status), s.audit)
		}
		chain = append(chain, s.checkCSRF, s.require(rt.Perm))
		if kind, ok := limitFor(rt); ok {
			chain = append(chain, s.rateLimited(kind))
		}
		r.Handle(rt.Method, rt.Path, append(chain, rt.Handle)...)
	}
	ui := http.FS(web.Files())
	r.GET("/", func(c *gin.Context) { c.FileFromFS("/", ui) })
	r.StaticFS("/ui", ui)
	if s.cfg.FSDirectory != nil {
		r.POST("/fs/directory", limitBody(64<<10), s.fsGuard, gin.WrapH(s.cfg.FSDirectory))
	}
	if s.cfg.FSDialplan != nil {
		r.POST("/fs/dialplan", limitBody(64<<10), s.fsGuard, gin.WrapH(s.cfg.FSDialplan))
	}
}

// allRoutes is every documented route.
func (s *Server) allRoutes() []route { return append(s.publicRoutes(), s.apiRoutes()...) }

// bodyLimit is the request size a route accepts: uploads take files, the
// ingest API takes up to 10,000 contacts, everything else small JSON.
func (s *Server) bodyLimit(rt route) int64 {
	switch {
	case strings.HasSuffix(rt.Path, "/imports") || strings.HasSuffix(rt.Path, "/imports/preview") || strings.HasSuffix(rt.Path, "/dnc/import"):
		return s.cfg.MaxUploadBytes + 1<<20 // the file plus the form's other fields
	case strings.HasSuffix(rt.Path, "/contacts") && rt.Method == "POST":
		return 16 << 20
	case strings.HasSuffix(rt.Path, "/dnc/batch"):
		return 32 << 20
	}
	return s.cfg.MaxBodyBytes
}
