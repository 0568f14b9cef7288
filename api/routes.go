package api

import (
	"strings"

	"github.com/bankcc/callcenter/acd"
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

// scriptReaders may read scripts: designers, agents who run them, and
// campaign managers who pick them.
var scriptReaders = anyOf(store.PermScriptEdit, store.PermAgentDesk, store.PermCampaignView)

// kbReaders may search and read the published knowledge base.
var kbReaders = anyOf(store.PermAgentDesk, store.PermKBManage)

// signedIn marks routes any signed-in user may call.
const signedIn store.Permission = ""

// scrapers marks a public route for monitoring only, not for users:
// loopback clients and holders of metrics.token (scraperGate).
const scrapers store.Permission = "metrics_scrape"

// publicRoutes need no session; Perm is signedIn (anyone) or scrapers.
func (s *Server) publicRoutes() []route {
	return []route{
		{"GET", "/healthz", signedIn, "", s.healthz, doc{"Process is up", nil, healthResponse{}, 200}},
		{"GET", "/readyz", signedIn, "", s.readyz, doc{"Database and FreeSWITCH nodes ready (503 if not: no node up with every module the product needs; missing_modules names them)", nil, readyResponse{}, 200}},
		{"GET", "/metrics", scrapers, "", s.serveMetrics(), doc{"Prometheus metrics (loopback clients, or Authorization: Bearer <metrics.token>)", nil, nil, 200}},
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
		{"GET", "/api/v1/me/ui-policy", signedIn, "", s.uiPolicy, doc{"How the UI guards what it shows: idle lock, watermark, print and bulk copy (need export)", nil, uiPolicy{}, 200}},
		{"POST", "/api/v1/auth/screen-lock", signedIn, "auth.screen_lock", s.lockScreen, doc{"Lock the screen (UI idle lock): until unlocked only unlock, logout, me and ui-policy answer (423)", nil, nil, 204}},
		{"POST", "/api/v1/auth/unlock", signedIn, "auth.unlock", s.unlockScreen, doc{"Unlock the screen with the password (wrong ones count towards the lockout)", unlockRequest{}, nil, 204}},
		{"POST", "/api/v1/audit/client-events", signedIn, "client.event", s.clientEvent, doc{"The UI reports a copy of customer fields or a refused print/bulk copy; audited as client.<action>, 30 a minute", clientEventRequest{}, nil, 204}},
		{"GET", "/api/v1/me/workstation", signedIn, "", s.myWorkstation, doc{"The USB-lock state of the workstation named by the X-Workstation header, and whether softphone sign-in would accept it", nil, workstationCheck{}, 200}},

		// agent_desk
		{"GET", "/api/v1/me/tasks", store.PermAgentDesk, "", s.myTasks, doc{"The agent's assigned, still open contacts", nil, list[store.Contact]{}, 200}},
		// -- acd routes start: softphone, state, call controls, disposition --
		{"POST", "/api/v1/me/softphone/login", store.PermAgentDesk, "softphone.login", s.softphoneLogin, doc{"Sign the softphone in (after the desktop login): the extension must be registered; mode nailed_up keeps one answered agent leg for every call; ready or a break with reason (default other)", softphoneLoginRequest{}, acd.AgentView{}, 200}},
		{"GET", "/api/v1/me/webphone", store.PermAgentDesk, "", s.myWebPhone, doc{"The in-browser phone's registration for your own extension: ws_url, sip_uri, extension, domain, SIP password, ice_servers (Cache-Control: no-store; every answer audited as webphone.credentials, never logged); 404 when webphone.ws_url is not configured, 409 when you have no extension", nil, webPhoneView{}, 200}},
		{"POST", "/api/v1/me/softphone/logout", store.PermAgentDesk, "softphone.logout", s.softphoneLogout, doc{"Sign the softphone out (409 while on a call)", nil, nil, 204}},
		{"GET", "/api/v1/me/state", store.PermAgentDesk, "", s.myState, doc{"Your softphone session and state, time in state, the call waiting for a disposition", nil, acd.AgentView{}, 200}},
		{"POST", "/api/v1/me/state", store.PermAgentDesk, "agent.state", s.setMyState, doc{"Change your state: ready, break with a reason; during a call and its after-call work ready/ready_after_acw/break choose the state that work ends in (a break asked for during a call starts after it, shown as next/next_reason); 409 naming both states when not allowed", stateRequest{}, acd.AgentView{}, 200}},
		{"POST", "/api/v1/me/preview", store.PermAgentDesk, "preview.answer", s.answerPreview, doc{"Answer the preview offer waiting for you: dial (optionally another phone of the contact) or skip with a reason", previewRequest{}, acd.PreviewView{}, 200}},
		{"POST", "/api/v1/me/calls/:uuid/hangup", store.PermAgentDesk, "call.hangup", s.callControl(acd.ActionHangup), doc{"Hang up your call ({uuid}: the customer's leg); after-call work begins", nil, controlReply{}, 200}},
		{"POST", "/api/v1/me/calls/:uuid/hold", store.PermAgentDesk, "call.hold", s.callControl(acd.ActionHold), doc{"Put the customer on hold (music)", nil, controlReply{}, 200}},
		{"POST", "/api/v1/me/calls/:uuid/unhold", store.PermAgentDesk, "call.unhold", s.callControl(acd.ActionUnhold), doc{"Take the customer off hold; during a consultation, hang the consulted party up and return to the customer", nil, controlReply{}, 200}},
		{"POST", "/api/v1/me/calls/:uuid/transfer", store.PermAgentDesk, "call.transfer", s.callControl(acd.ActionTransfer), doc{"Blind transfer to agent:ID, group:ID or number:PHONE; during a consultation (no body) complete the transfer to the consulted party", transferRequest{}, controlReply{}, 200}},
		{"POST", "/api/v1/me/calls/:uuid/consult", store.PermAgentDesk, "call.consult", s.callControl(acd.ActionConsult), doc{"Consult agent:ID, group:ID (the longest-idle ready agent of the group, looked for up to a minute) or number:PHONE: the customer hears music while you talk; then transfer, conference or unhold", transferRequest{}, controlReply{}, 200}},
		{"POST", "/api/v1/me/calls/:uuid/conference", store.PermAgentDesk, "call.conference", s.callControl(acd.ActionConference), doc{"Make the consultation a three-way conference with the customer", nil, controlReply{}, 200}},
		{"POST", "/api/v1/me/calls/:uuid/answer", store.PermAgentDesk, "call.answer", s.answer, doc{"Answer your ringing phone for the call (phones without auto-answer): uuid_phone_event talk; 409 when no phone of yours is ringing for it", nil, controlReply{}, 200}},
		{"POST", "/api/v1/me/calls/new/dial", store.PermAgentDesk, "call.dial", s.dial, doc{"Manual call (api.md dial with {uuid} new): phone, caller_id from the pool (the campaign's caller IDs, else acd.caller_id; empty takes the first), optional campaign_id (of your group); or contact_id, a contact assigned to you or in a campaign of your groups (403 otherwise, 404 when there is none; the campaign is the contact's), with phone one of its numbers or empty for its first dialable one (400 naming phone otherwise): the call joins the contact's history and its disposition may book a callback or set do-not-call; from ready or a break (you return to it); blacklisted numbers (and a contact whose ID number is listed) 409; stored as an attempt and recorded; the call arrives on your stream", dialRequest{}, acd.DialResult{}, 200}},
		{"POST", "/api/v1/me/calls/:uuid/verify", store.PermAgentDesk, "call.verify", s.verify, doc{"Send the customer to the IVR's verification flow (default verify_id) and back to you: you stay reserved for the call, the result (verified, failed, no_input, error, caller_hangup) arrives as a verify_result event and in GET /me/state; bound to this call, once; the digits are never shown, logged or recorded", verifyRequest{}, controlReply{}, 200}},
		{"POST", "/api/v1/me/calls/:uuid/disposition", store.PermAgentDesk, "call.disposition", s.disposition, doc{"Close your call in after-call work: result, note, callback_at, dnc, answers; closes the attempt once. callback_at and dnc need a call with a contact (a campaign call, or a manual call dialed with contact_id): 422 naming the field for a manual call dialed without one", dispositionRequest{}, controlReply{}, 200}},
		{"POST", "/api/v1/me/calls/:uuid/:action", store.PermAgentDesk, "call.control", s.anyCallControl, doc{"api.md's generic form of the call controls above: action is hangup, hold, unhold, transfer, consult, conference, verify, answer or dial (400 naming the actions otherwise); the body is the named action's (transfer, consult: {\"to\"}; verify: {\"flow\"}; dial: {\"phone\",\"caller_id\"})", nil, controlReply{}, 200}},
		// -- acd routes end --
		// -- dialer routes start --
		{"GET", "/api/v1/calls", signedIn, "", s.listCalls, doc{"Call history (attempts on every channel) with their recordings, newest first; an agent without campaign_view sees only their own calls", callQuery{}, list[callView]{}, 200}},
		{"GET", "/api/v1/calls/:id", store.PermCampaignView, "", s.getCall, doc{"One call with its recordings", nil, callView{}, 200}},
		{"GET", "/api/v1/calls/:id/recording", store.PermListen, "call.recording.play", s.playRecording, doc{"Play a call's recording (audio, HTTP Range supported); agents of a higher level than yours are refused; every request audited", recordingQuery{}, nil, 200}},
		{"GET", "/api/v1/voicemails", voicemailReaders, "", s.listVoicemails, doc{"Voicemails customers left for a group (after its max_wait_s, or with nobody signed in), newest first; agents see their own groups' (monitor: every group's); the caller masked without pii_view", voicemailQuery{}, list[voicemailView]{}, 200}},
		{"GET", "/api/v1/voicemails/:id/audio", voicemailReaders, "voicemail.play", s.playVoicemail, doc{"Play a voicemail (audio, HTTP Range supported; X-Content-SHA256 is the stored checksum); every request audited", nil, nil, 200}},
		{"POST", "/api/v1/voicemails/:id/handled", voicemailReaders, "voicemail.handle", s.handleVoicemail, doc{"Mark a voicemail handled (the customer was called back); 409 when someone already did", nil, voicemailView{}, 200}},
		{"POST", "/api/v1/callbacks", store.PermAgentDesk, "callback.create", s.createCallback, doc{"Book a callback (agent_id defaults to you; another agent needs assign); due_at in the past is 400", callbackRequest{}, callbackView{}, 201}},
		{"GET", "/api/v1/callbacks", store.PermAgentDesk, "", s.listCallbacks, doc{"Callbacks, soonest due first; an agent sees only their own", callbackQuery{}, list[callbackView]{}, 200}},
		{"GET", "/api/v1/callbacks/:id", store.PermAgentDesk, "", s.getCallback, doc{"One callback", nil, callbackView{}, 200}},
		{"PATCH", "/api/v1/callbacks/:id", store.PermAgentDesk, "callback.update", s.updateCallback, doc{"Reschedule or edit a callback (due_at, note, phone; agent_id needs assign)", callbackRequest{}, callbackView{}, 200}},
		{"POST", "/api/v1/callbacks/:id/cancel", store.PermAgentDesk, "callback.cancel", s.cancelCallback, doc{"Cancel a callback", nil, callbackView{}, 200}},
		{"DELETE", "/api/v1/callbacks/:id", store.PermAgentDesk, "callback.cancel", s.cancelCallback, doc{"Cancel a callback (same as POST .../cancel; the record is kept)", nil, callbackView{}, 200}},
		// -- dialer routes end --

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

		// settings_manage: agent workstations and their USB lock (scripts/usb-lock)
		{"POST", "/api/v1/workstations", store.PermSettingsManage, "workstation.create", s.createWorkstation, doc{"Register an agent PC; the answer carries its report token, shown once", workstationRequest{}, workstationView{}, 201}},
		{"GET", "/api/v1/workstations", store.PermSettingsManage, "", s.listWorkstations, doc{"Agent PCs and their reported USB lock state", workstationQuery{}, list[workstationView]{}, 200}},
		{"POST", "/api/v1/workstations/:id/token", store.PermSettingsManage, "workstation.token", s.rotateWorkstationToken, doc{"Issue a new report token (shown once); the old one stops working", nil, workstationView{}, 200}},
		{"DELETE", "/api/v1/workstations/:id", store.PermSettingsManage, "workstation.delete", s.deleteWorkstation, doc{"Remove an agent PC; its token stops working", nil, nil, 204}},

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
		{"POST", "/api/v1/campaigns/:id/start", store.PermCampaignManage, "campaign.start", s.startCampaign, doc{"Start or resume dialing (empty body); 409 when the status does not allow it, 422 naming each field that keeps it from running", nil, runReply{}, 200}},
		{"POST", "/api/v1/campaigns/:id/pause", store.PermCampaignManage, "campaign.pause", s.pauseCampaign, doc{"Pause dialing (empty body); calls in progress finish", nil, runReply{}, 200}},
		{"POST", "/api/v1/campaigns/:id/stop", store.PermCampaignManage, "campaign.stop", s.stopCampaign, doc{"Stop the campaign for good (empty body)", nil, runReply{}, 200}},
		{"GET", "/api/v1/campaigns/:id/stats", store.PermCampaignView, "", s.campaignStats, doc{"Live and total figures: contacts by status, attempts, answered, abandoned, abandon rates over 24 h / 30 days / campaign, dial rate, answer-to-agent p50/p99", nil, store.CampaignStats{}, 200}},
		{"GET", "/api/v1/campaigns/:id/results", store.PermCampaignView, "", s.campaignResults, doc{"Result analysis: funnel by attempt number, outcomes by result class, dispositions (refusal reasons), number statuses, contacts left by status and last result", nil, store.CampaignResults{}, 200}},
		{"POST", "/api/v1/campaigns/:id/results/actions", store.PermCampaignManage, "campaign.results_action", s.campaignResultAction, doc{"Act on the result analysis: recycle statuses into a new pass, send to maintenance, blacklist numbers found invalid (needs dnc_manage)", resultActionRequest{}, store.ResultActionDone{}, 200}},
		{"POST", "/api/v1/campaigns/:id/pacing/simulate", anyOf(store.PermCampaignView, store.PermMonitor), "", s.simulatePacing, doc{"Pacing what-if: the simulator with the campaign's measured rates and the body's scenario keys (pacing.md); predictive and progressive figures", pacingSimRequest{}, pacingSimResponse{}, 200}},
		{"GET", "/api/v1/campaigns/:id/contacts", store.PermCampaignView, "", s.listContacts, doc{"Contacts with status, attempts, owner, why not dialable now and the blacklist entries that block them ", contactQuery{}, list[contactView]{}, 200}},
		{"GET", "/api/v1/campaigns/:id/contacts/:contact_id", store.PermCampaignView, "", s.getContact, doc{"One contact: status, why not dialable now, and the blacklist entries that block it", nil, contactView{}, 200}},
		{"POST", "/api/v1/campaigns/:id/contacts", store.PermCampaignManage, "contact.ingest", s.ingestContacts, doc{"Ingest API: {\"contacts\":[...]}, validated like a file; answers like an import job", ingestRequest{}, store.ImportJob{}, 200}},
		{"POST", "/api/v1/campaigns/:id/imports", store.PermCampaignManage, "import.create", s.createImport, doc{"Upload a contact file; the import runs in the background", importUpload{}, store.ImportJob{}, 202}},
		{"POST", "/api/v1/campaigns/:id/imports/preview", store.PermCampaignManage, "", s.previewImport, doc{"Preview a contact file: detected mapping and first rows validated; stores nothing", importUpload{}, previewResponse{}, 200}},
		{"GET", "/api/v1/campaigns/:id/imports", store.PermCampaignView, "", s.listImports, doc{"A campaign's import jobs", nil, list[store.ImportJob]{}, 200}},
		{"POST", "/api/v1/documents", store.PermCampaignManage, "document.create", s.createDocument, doc{"Upload a document: kind fax (default) takes a PDF, converted to a fax TIFF (G3, 204x196 dpi) with ghostscript (a file that is no PDF or cannot be rendered is a 400 naming it); kind attachment keeps an e-mail attachment (10 MB at most; pdf, ofd, doc(x), xls(x), csv, txt, jpg, png whose content matches the extension). Either can be attached to e-mail campaigns (message.attachments)", documentUpload{}, store.Document{}, 201}},
		{"GET", "/api/v1/documents", store.PermCampaignView, "", s.listDocuments, doc{"Uploaded documents (fax and attachments), newest first", nil, list[store.Document]{}, 200}},
		{"GET", "/api/v1/documents/:id", store.PermCampaignView, "", s.getDocument, doc{"One document: name, kind, content type, pages, size, SHA-256", nil, store.Document{}, 200}},
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
		{"GET", "/api/v1/campaigns/:id/abandonment-evidence", store.PermExport, "campaign.evidence_export", s.abandonmentEvidence, doc{"Every answered call with answer, connect and hangup times, abandoned flag and latency; phones masked without pii_view", evidenceQuery{}, nil, 200}},
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

		// customer history (R15)
		{"GET", "/api/v1/history", anyOf(store.PermAgentDesk, store.PermCampaignView), "", s.customerHistory, doc{"A customer's history: contacts in every campaign found by full phone or ID number, name, campaign or note words, with every attempt (calls, sms, email, fax), callback, message and wrap-up note; masked without pii_view", historyQuery{}, store.CustomerHistory{}, 200}},
		{"POST", "/api/v1/contacts/:id/notes", store.PermAgentDesk, "contact.note", s.addContactNote, doc{"Add a wrap-up note to a contact (searchable in the history)", noteRequest{}, store.ContactNote{}, 201}},

		// QA (R33): scorecards, scores with time-stamped comments, appeals, calibration
		{"POST", "/api/v1/qa/scorecards", store.PermScore, "qa.scorecard.create", s.createScorecard, doc{"Create a QA scorecard: weighted items scored 0..max_score; a critical item scored 0 fails the call", scorecardRequest{}, store.Scorecard{}, 201}},
		{"GET", "/api/v1/qa/scorecards", anyOf(store.PermScore, store.PermAgentDesk), "", s.listScorecards, doc{"QA scorecards", nil, list[store.Scorecard]{}, 200}},
		{"POST", "/api/v1/qa/scores", store.PermScore, "qa.score", s.scoreCall, doc{"Score a call (its recording) with time-stamped comments; agents of a higher level than yours are refused, as are your own calls; one score per scorer and call", scoreRequest{}, store.QAScore{}, 201}},
		{"GET", "/api/v1/qa/scores", anyOf(store.PermScore, store.PermAgentDesk), "", s.listQAScores, doc{"QA scores (?agent_id&scorer_id&campaign_id&call_id); without score, only your own", qaScoreQuery{}, list[store.QAScore]{}, 200}},
		{"POST", "/api/v1/qa/scores/:id/appeal", store.PermAgentDesk, "qa.appeal", s.appealScore, doc{"Appeal a score of your own call", appealRequest{}, store.QAScore{}, 200}},
		{"POST", "/api/v1/qa/scores/:id/resolve", store.PermScore, "qa.appeal_resolve", s.resolveAppeal, doc{"Decide an open appeal: upheld or rejected", resolveRequest{}, store.QAScore{}, 200}},
		{"GET", "/api/v1/qa/calibration", store.PermScore, "", s.calibration, doc{"Calibration of a call (?call_id): every scorer's score, mean, min, max, spread and standard deviation, spread per item", calibrationQuery{}, store.Calibration{}, 200}},

		// reports
		{"GET", "/api/v1/reports/:name", store.PermReports, "", s.report, doc{"A standard report (outbound, agents, inbound queues, ivr flows, campaigns, messages, workflow, attendance, qa): rows by group_by and totals, from rollups kept current as calls land; format=xlsx|csv returns a file (zh-CN headers by default, numbers as numbers, durations as times)", reportQuery{}, store.Report{}, 200}},

		{"POST", "/api/v1/saved-reports", store.PermReports, "report.save", s.createSavedReport, doc{"Save a custom report: a standard report with chosen grouping, measures, filters and period, shared with a group if given", savedReportRequest{}, store.SavedReport{}, 201}},
		{"GET", "/api/v1/saved-reports", store.PermReports, "", s.listSavedReports, doc{"Your custom reports and those shared with your groups", nil, list[store.SavedReport]{}, 200}},
		{"PATCH", "/api/v1/saved-reports/:id", store.PermReports, "report.update", s.updateSavedReport, doc{"Change a custom report you own (admins: any): the fields sent, checked as on create; one shared with you is a 403", savedReportPatch{}, store.SavedReport{}, 200}},
		{"DELETE", "/api/v1/saved-reports/:id", store.PermReports, "report.delete", s.deleteSavedReport, doc{"Delete a custom report you own (admins: any) with its schedule, which sends no more; one shared with you is a 403", nil, nil, 204}},
		{"GET", "/api/v1/saved-reports/:id/run", store.PermReports, "", s.runSavedReport, doc{"Run a custom report over its period (format=xlsx|csv for a file)", savedRunQuery{}, store.Report{}, 200}},
		{"POST", "/api/v1/saved-reports/:id/schedule", store.PermReports, "report.schedule.create", s.createReportSchedule, doc{"E-mail a custom report as xlsx on a schedule: daily, weekly or monthly at a time in its zone, to addresses and/or a group's members; customer data is masked unless every recipient is a user holding pii_view; each send is in the delivery log (purpose report) and the audit log; a second schedule of the report is a 409", reportScheduleRequest{}, store.ReportSchedule{}, 201}},
		{"PATCH", "/api/v1/saved-reports/:id/schedule", store.PermReports, "report.schedule.update", s.updateReportSchedule, doc{"Change a custom report's schedule (enabled false stops it); the next run is planned again", reportScheduleRequest{}, store.ReportSchedule{}, 200}},
		{"GET", "/api/v1/saved-reports/:id/schedule", store.PermReports, "", s.getReportSchedule, doc{"A custom report's schedule with its next run and last run's result", nil, store.ReportSchedule{}, 200}},
		{"GET", "/api/v1/report-schedules", store.PermReports, "", s.listReportSchedules, doc{"The schedules of the custom reports you may run: next run, last run, result, recipients, masked or not", nil, list[store.ReportSchedule]{}, 200}},

		// monitor
		{"GET", "/api/v1/monitor", store.PermMonitor, "", s.monitor, doc{"Live snapshot: nodes, agents with state and time in state, counts by state, waiting calls per group, calls", nil, monitorResponse{}, 200}},
		{"POST", "/api/v1/agents/:id/sign-out", store.PermMonitor, "agent.force_sign_out", s.forceSignOut, doc{"Sign an agent's softphone out (at once, or when the agent's call ends: deferred)", nil, forceSignOutReply{}, 200}},

		// listen: supervision of live calls
		{"POST", "/api/v1/calls/:uuid/eavesdrop", store.PermListen, "call.eavesdrop", s.eavesdrop, doc{"Listen, whisper to the agent or barge in: your own extension is called and joined to the agent's leg of the call", eavesdropRequest{}, eavesdropReply{}, 200}},

		// -- desk-feed routes start: live streams, messages, broadcasts, shifts --
		{"GET", "/api/v1/me/events", signedIn, "", s.myEvents, doc{"Your live event stream (server-sent events; ?token= allowed here only; resume with Last-Event-ID or ?last_event_id)", nil, nil, 200}},
		{"GET", "/api/v1/monitor/events", store.PermMonitor, "", s.monitorEvents, doc{"Supervisors' live stream: agent states, calls, queues, announcements, campaign changes and figures (server-sent events, as /me/events)", nil, nil, 200}},
		{"GET", "/api/v1/monitor/notices", store.PermMonitor, "", s.wallboardNotices, doc{"Wallboard notices in force now", nil, list[store.BroadcastView]{}, 200}},
		{"GET", "/api/v1/directory", signedIn, "", s.directory, doc{"Active users, to address a message", nil, list[directoryEntry]{}, 200}},
		{"POST", "/api/v1/messages", signedIn, "message.send", s.sendMessage, doc{"Send a private message (pushed as a message event)", messageRequest{}, store.MessageView{}, 201}},
		{"GET", "/api/v1/messages", signedIn, "", s.listMessages, doc{"Your messages, newest first (?box=inbox|outbox&unread=true&with_user_id)", nil, list[store.MessageView]{}, 200}},
		{"POST", "/api/v1/messages/:id/read", signedIn, "message.read", s.readMessage, doc{"Mark a message you received read", nil, store.Message{}, 200}},
		{"GET", "/api/v1/me/broadcasts", signedIn, "", s.myBroadcasts, doc{"Announcements you received (?kind&unread=true&all=true for expired too)", nil, list[store.BroadcastView]{}, 200}},
		{"POST", "/api/v1/broadcasts/:id/read", signedIn, "broadcast.read", s.readBroadcast, doc{"Read receipt for a broadcast you received", nil, store.BroadcastReceipt{}, 200}},
		{"POST", "/api/v1/broadcasts", store.PermBroadcastManage, "broadcast.create", s.createBroadcast, doc{"Send an announcement or wallboard notice to \"user:ID\", \"group:ID\" or \"all\"", broadcastRequest{}, store.BroadcastView{}, 201}},
		{"GET", "/api/v1/broadcasts", store.PermBroadcastManage, "", s.listBroadcasts, doc{"Every broadcast with recipients and read counts (?kind&active=true)", nil, list[store.BroadcastView]{}, 200}},
		{"GET", "/api/v1/broadcasts/:id/receipts", store.PermBroadcastManage, "", s.broadcastReceipts, doc{"Who read a broadcast and who has not yet", nil, receiptsResponse{}, 200}},
		{"DELETE", "/api/v1/broadcasts/:id", store.PermBroadcastManage, "broadcast.withdraw", s.withdrawBroadcast, doc{"Withdraw a broadcast now (it expires; receipts stay)", nil, nil, 204}},
		{"GET", "/api/v1/break-reasons", signedIn, "", s.listBreakReasons, doc{"Break reasons with zh-CN and English labels", nil, list[store.BreakReason]{}, 200}},
		{"POST", "/api/v1/break-reasons", store.PermShiftManage, "break_reason.create", s.createBreakReason, doc{"Add a break reason", breakReasonRequest{}, store.BreakReason{}, 201}},
		{"PATCH", "/api/v1/break-reasons/:code", store.PermShiftManage, "break_reason.update", s.updateBreakReason, doc{"Change a break reason's labels or order", breakReasonRequest{}, store.BreakReason{}, 200}},
		{"DELETE", "/api/v1/break-reasons/:code", store.PermShiftManage, "break_reason.delete", s.deleteBreakReason, doc{"Delete a break reason (not the last one)", nil, nil, 204}},
		{"POST", "/api/v1/shifts", store.PermShiftManage, "shift.create", s.createShift, doc{"Define a shift: start, end (not after start = the next day), break allowance", shiftRequest{}, store.Shift{}, 201}},
		{"GET", "/api/v1/shifts", store.PermShiftManage, "", s.listShifts, doc{"Shift definitions", nil, list[store.Shift]{}, 200}},
		{"GET", "/api/v1/shifts/:id", store.PermShiftManage, "", s.getShift, doc{"One shift", nil, store.Shift{}, 200}},
		{"PATCH", "/api/v1/shifts/:id", store.PermShiftManage, "shift.update", s.updateShift, doc{"Change a shift; roster days from today on take the new hours", shiftRequest{}, store.Shift{}, 200}},
		{"DELETE", "/api/v1/shifts/:id", store.PermShiftManage, "shift.delete", s.deleteShift, doc{"Delete a shift no roster day from today on uses", nil, nil, 204}},
		{"GET", "/api/v1/roster", store.PermShiftManage, "", s.listRoster, doc{"The roster (?from&to dates, agent_id, group_id)", nil, list[store.RosterView]{}, 200}},
		{"POST", "/api/v1/roster", store.PermShiftManage, "roster.set", s.setRoster, doc{"Set roster cells: agent × date → shift_id, day_off, or neither to clear; bad cells named by row", rosterRequest{}, rosterChanged{}, 200}},
		{"POST", "/api/v1/roster/assign", store.PermShiftManage, "roster.assign", s.assignRoster, doc{"Give agents or a group a shift, days off or nothing over a date range (optional weekdays)", rosterAssignRequest{}, rosterChanged{}, 200}},
		{"GET", "/api/v1/attendance", store.PermShiftManage, "", s.attendance, doc{"Attendance per agent per day: scheduled hours, sign-in/out, late, early leave, breaks, absent (?from&to&agent_id&group_id&tz)", nil, list[store.AttendanceDay]{}, 200}},
		{"GET", "/api/v1/me/shifts", signedIn, "", s.myShifts, doc{"Your own roster (?from&to, default the next 31 days)", nil, list[store.RosterView]{}, 200}},
		{"GET", "/api/v1/me/attendance", signedIn, "", s.myAttendance, doc{"Your own attendance (?from&to, default the last 31 days)", nil, list[store.AttendanceDay]{}, 200}},
		// -- desk-feed routes end --

		// -- scripts-kb routes start: scripts, script sessions in a call, feedback, knowledge base --
		{"POST", "/api/v1/scripts", store.PermScriptEdit, "script.create", s.createScript, doc{"Create a script (questionnaire flow) as version 1; an invalid flow is 400 with details naming each node; publish needs script_publish", scriptRequest{}, store.ScriptView{}, 201}},
		{"GET", "/api/v1/scripts", scriptReaders, "", s.listScripts, doc{"List scripts; ?q= keyword search over title and content (Chinese substring), title matches first", scriptQuery{}, list[store.Script]{}, 200}},
		{"POST", "/api/v1/scripts/import", store.PermScriptEdit, "script.import", s.importScript, doc{"Make a script from an xlsx sheet, Word table (docx/doc), csv or a txt outline (UTF-8/GBK); errors name the row or line and store nothing; dry_run only shows it", scriptUpload{}, store.ScriptView{}, 201}},
		{"GET", "/api/v1/scripts/:id", scriptReaders, "", s.getScript, doc{"A script with its newest version's nodes, or ?version=N's", scriptVersionQuery{}, store.ScriptView{}, 200}},
		{"PATCH", "/api/v1/scripts/:id", store.PermScriptEdit, "script.update", s.updateScript, doc{"Save the script's next version (fields left out keep the newest version's); calls in progress keep their version; publish needs script_publish", scriptRequest{}, store.ScriptView{}, 200}},
		{"DELETE", "/api/v1/scripts/:id", store.PermScriptPublish, "script.delete", s.deleteScript, doc{"Delete a script (its versions stay for the calls and answers that used them)", nil, nil, 204}},
		{"GET", "/api/v1/scripts/:id/versions", scriptReaders, "", s.listScriptVersions, doc{"The script's versions, newest first (without nodes)", nil, list[store.ScriptVersion]{}, 200}},
		{"POST", "/api/v1/scripts/:id/publish", store.PermScriptPublish, "script.publish", s.publishScript, doc{"Make a version current at once: calls started from now on run it, calls in progress keep theirs", publishRequest{}, store.ScriptView{}, 200}},
		{"POST", "/api/v1/scripts/:id/feedback", store.PermAgentDesk, "script.feedback", s.createScriptFeedback, doc{"Flag a node of a script with a comment", feedbackRequest{}, store.ScriptFeedback{}, 201}},
		{"GET", "/api/v1/script-feedback", store.PermScriptEdit, "", s.listScriptFeedback, doc{"Agents' feedback on script nodes (?script_id&status)", feedbackQuery{}, list[store.ScriptFeedback]{}, 200}},
		{"PATCH", "/api/v1/script-feedback/:id", store.PermScriptEdit, "script.feedback_answer", s.answerScriptFeedback, doc{"Answer feedback and/or set its status (answered, resolved)", feedbackAnswer{}, store.ScriptFeedback{}, 200}},
		{"GET", "/api/v1/me/script-feedback", store.PermAgentDesk, "", s.myScriptFeedback, doc{"Your feedback with the managers' answers (?script_id&status)", feedbackQuery{}, list[store.ScriptFeedback]{}, 200}},
		{"POST", "/api/v1/me/script-sessions", store.PermAgentDesk, "script_session.start", s.startScriptSession, doc{"Start the script of a call on its published version (the same call again: the session as it is, after a reload too; a session the IVR began is taken over)", scriptSessionRequest{}, scriptSessionView{}, 200}},
		{"GET", "/api/v1/me/script-sessions/:uuid", store.PermAgentDesk, "", s.getScriptSession, doc{"Your script session of a call: nodes merged with the customer's fields (masked without pii_view), answers, current node", nil, scriptSessionView{}, 200}},
		{"POST", "/api/v1/me/script-sessions/:uuid/answers", store.PermAgentDesk, "script_session.answer", s.answerScript, doc{"Answer the current node (or one before: going back); an answer outside the node's type is 400 naming the node", answerRequest{}, scriptSessionView{}, 200}},
		{"POST", "/api/v1/me/script-sessions/:uuid/pause", store.PermAgentDesk, "script_session.pause", s.pauseScript, doc{"Pause the script to handle another request (service, complaint, other); answers and position stay", pauseRequest{}, scriptSessionView{}, 200}},
		{"POST", "/api/v1/me/script-sessions/:uuid/resume", store.PermAgentDesk, "script_session.resume", s.resumeScript, doc{"Resume a paused script where it was", nil, scriptSessionView{}, 200}},
		{"POST", "/api/v1/me/script-sessions/:uuid/results", store.PermAgentDesk, "script_session.results", s.bindScriptResults, doc{"Bind the disposition result and business results (ticket, sale, promised date and amount) to the answers; closes the session", resultsRequest{}, scriptSessionView{}, 200}},
		{"GET", "/api/v1/campaigns/:id/script-answers", store.PermReports, "", s.scriptAnswerReport, doc{"Script answers of a campaign per question and per outcome (?format=xlsx for a workbook)", answerReportQuery{}, store.AnswerReport{}, 200}},
		{"POST", "/api/v1/kb/articles", store.PermKBManage, "article.create", s.createArticle, doc{"Write a knowledge-base article (a draft, version 1)", articleRequest{}, store.Article{}, 201}},
		{"GET", "/api/v1/kb/articles", store.PermKBManage, "", s.listArticles, doc{"Every article, newest version (?q&category&tag&status)", articleQuery{}, list[store.Article]{}, 200}},
		{"GET", "/api/v1/kb/articles/:id", store.PermKBManage, "", s.getArticle, doc{"An article's newest version with its attachments", nil, articleView{}, 200}},
		{"PATCH", "/api/v1/kb/articles/:id", store.PermKBManage, "article.update", s.updateArticle, doc{"Save the article's next version; agents read the published one until it is published", articleRequest{}, store.Article{}, 200}},
		{"POST", "/api/v1/kb/articles/:id/status", store.PermKBManage, "article.status", s.setArticleStatus, doc{"Publish (a version, default the newest), retire or return an article to draft", articleStatusRequest{}, store.Article{}, 200}},
		{"GET", "/api/v1/kb/articles/:id/versions", store.PermKBManage, "", s.listArticleVersions, doc{"An article's versions, newest first", nil, list[store.ArticleVersion]{}, 200}},
		{"POST", "/api/v1/kb/articles/:id/attachments", store.PermKBManage, "article.attach", s.addArticleAttachment, doc{"Attach a file (multipart file, up to 10 MiB)", attachmentUpload{}, store.ArticleAttachment{}, 201}},
		{"DELETE", "/api/v1/kb/articles/:id/attachments/:attachment_id", store.PermKBManage, "article.detach", s.deleteArticleAttachment, doc{"Remove an attachment", nil, nil, 204}},
		{"GET", "/api/v1/kb/search", kbReaders, "", s.searchArticles, doc{"Agents' search of published articles, ranked title, then tags, then body (?q&category&tag)", articleQuery{}, list[store.Article]{}, 200}},
		{"GET", "/api/v1/kb/categories", kbReaders, "", s.articleCategories, doc{"Categories in use with their article counts", nil, list[store.CategoryCount]{}, 200}},
		{"GET", "/api/v1/kb/read/:id", kbReaders, "", s.readArticle, doc{"Read a published article (its published version) with attachments", nil, articleView{}, 200}},
		{"GET", "/api/v1/kb/read/:id/attachments/:attachment_id", kbReaders, "", s.downloadAttachment, doc{"Download an attachment of a published article (managers: of any)", nil, nil, 200}},
		// -- scripts-kb routes end --

		// settings_manage: the delivery log of sms, email and fax, and a test message
		{"GET", "/api/v1/outbound-messages", store.PermSettingsManage, "", s.listOutbound, doc{"The delivery log: campaign messages, result notifications and test messages (?purpose&channel&status&campaign_id&to&from&till); simulated ones carry their body", outboundQuery{}, list[store.OutboundMessage]{}, 200}},
		{"POST", "/api/v1/outbound-messages/test", store.PermSettingsManage, "messaging.test", s.sendTestMessage, doc{"Send a test message by email or sms through the configured provider (or the simulated capture); the reply is the delivery log entry", testMessageRequest{}, store.OutboundMessage{}, 200}},
		// audit_read
		{"GET", "/api/v1/audit", store.PermAuditRead, "", s.listAudit, doc{"Audit log (?user&action&target_type&target_id&from&to)", nil, list[store.AuditEntry]{}, 200}},
	}
}

// deviceRoutes are called by machines with their own token, not by users:
// the usb-lock scripts on agent PCs (workstation token).
func (s *Server) deviceRoutes() []route {
	return []route{
		{"POST", "/api/v1/workstations/report", signedIn, "", s.reportWorkstation, doc{"A workstation's usb-lock script reports its state (Bearer workstation token); audited when the state changes", workstationReportRequest{}, workstationReportResponse{}, 200}},
	}
}

func (s *Server) mount(r *gin.Engine) {
	for _, rt := range s.publicRoutes() {
		chain := []gin.HandlerFunc{limitBody(s.cfg.MaxBodyBytes)}
		if rt.Perm == scrapers {
			chain = append(chain, s.scraperGate)
		}
		r.Handle(rt.Method, rt.Path, append(chain, rt.Handle)...)
	}
	for _, rt := range s.apiRoutes() {
		chain := []gin.HandlerFunc{limitBody(s.bodyLimit(rt)), s.queryToken(rt), s.authenticate}
		if !unlockedPaths[rt.Path] {
			chain = append(chain, s.screenGate)
		}
		if rt.Audit != "" {
			chain = append(chain, auditAs(rt.Audit, rt.Doc.Status), s.audit)
		}
		chain = append(chain, s.checkCSRF, s.require(rt.Perm))
		if kind, ok := limitFor(rt); ok {
			chain = append(chain, s.rateLimited(kind))
		}
		r.Handle(rt.Method, rt.Path, append(chain, rt.Handle)...)
	}
	for _, rt := range s.deviceRoutes() {
		r.Handle(rt.Method, rt.Path, limitBody(s.cfg.MaxBodyBytes), s.authenticateWorkstation, rt.Handle)
	}
	s.mountApp(r)
	if s.cfg.FSDirectory != nil {
		r.POST("/fs/directory", limitBody(64<<10), s.fsGuard, gin.WrapH(s.cfg.FSDirectory))
	}
	if s.cfg.FSDialplan != nil {
		r.POST("/fs/dialplan", limitBody(64<<10), s.fsGuard, gin.WrapH(s.cfg.FSDialplan))
	}
}

// allRoutes is every documented route.
func (s *Server) allRoutes() []route {
	return append(append(s.publicRoutes(), s.apiRoutes()...), s.deviceRoutes()...)
}

// bodyLimit is the request size a route accepts: uploads take files, the
// ingest API takes up to 10,000 contacts, everything else small JSON.
func (s *Server) bodyLimit(rt route) int64 {
	switch {
	case strings.HasSuffix(rt.Path, "/imports") || strings.HasSuffix(rt.Path, "/imports/preview") || strings.HasSuffix(rt.Path, "/dnc/import") ||
		strings.HasSuffix(rt.Path, "/scripts/import"):
		return s.cfg.MaxUploadBytes + 1<<20 // the file plus the form's other fields
	case rt.Path == "/api/v1/documents" && rt.Method == "POST":
		return maxDocumentBytes + 1<<20
	case strings.HasSuffix(rt.Path, "/attachments") && rt.Method == "POST":
		return store.MaxAttachmentBytes + 1<<20
	case strings.HasSuffix(rt.Path, "/contacts") && rt.Method == "POST":
		return 16 << 20
	case strings.HasSuffix(rt.Path, "/dnc/batch"):
		return 32 << 20
	}
	return s.cfg.MaxBodyBytes
}
