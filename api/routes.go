package api

import (
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
		{"GET", "/readyz", signedIn, "", s.readyz, doc{"Database and FreeSWITCH nodes ready (503 if not)", nil, readyResponse{}, 200}},
		{"GET", "/metrics", signedIn, "", s.metricsHandler(), doc{"Prometheus metrics", nil, nil, 200}},
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

		// users_manage
		{"POST", "/api/v1/users", store.PermUsersManage, "user.create", s.createUser, doc{"Create a user or agent", userRequest{}, userView{}, 201}},
		{"GET", "/api/v1/users", store.PermUsersManage, "", s.listUsers, doc{"List users (?role&group_id&q&page&page_size)", nil, list[userView]{}, 200}},
		{"GET", "/api/v1/users/:id", store.PermUsersManage, "", s.getUser, doc{"One user", nil, userView{}, 200}},
		{"PATCH", "/api/v1/users/:id", store.PermUsersManage, "user.update", s.updateUser, doc{"Change a user", userRequest{}, userView{}, 200}},
		{"DELETE", "/api/v1/users/:id", store.PermUsersManage, "user.delete", s.deleteUser, doc{"Delete a user", nil, nil, 204}},
		{"POST", "/api/v1/groups", store.PermUsersManage, "group.create", s.createGroup, doc{"Create an agent group", groupRequest{}, store.Group{}, 201}},
		{"PATCH", "/api/v1/groups/:id", store.PermUsersManage, "group.update", s.updateGroup, doc{"Change a group", groupRequest{}, store.Group{}, 200}},
		{"DELETE", "/api/v1/groups/:id", store.PermUsersManage, "group.delete", s.deleteGroup, doc{"Delete a group", nil, nil, 204}},

		// campaign_view
		{"GET", "/api/v1/groups", store.PermCampaignView, "", s.listGroups, doc{"List groups (?kind)", nil, list[store.Group]{}, 200}},

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
		chain := []gin.HandlerFunc{limitBody(s.cfg.MaxBodyBytes), s.authenticate}
		if rt.Audit != "" {
			chain = append(chain, auditAs(rt.Audit), s.audit)
		}
		chain = append(chain, s.require(rt.Perm), rt.Handle)
		r.Handle(rt.Method, rt.Path, chain...)
	}
	if s.cfg.FSDirectory != nil {
		r.POST("/fs/directory", gin.WrapH(s.cfg.FSDirectory))
	}
	if s.cfg.FSDialplan != nil {
		r.POST("/fs/dialplan", gin.WrapH(s.cfg.FSDialplan))
	}
}

// allRoutes is every documented route.
func (s *Server) allRoutes() []route { return append(s.publicRoutes(), s.apiRoutes()...) }
