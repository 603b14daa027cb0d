// File service: the simulator's /folder handler, open only to a logged-in session as on vCenter.
package main

import (
	"context"
	"net/http"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

const folderPrefix = "/folder/"

// serveFolder counts the transfer as folder:METHOD and hands it to the simulator,
// or answers 401 when the request carries no live session cookie.
func (r *Recorder) serveFolder(w http.ResponseWriter, req *http.Request) {
	r.count("folder:" + req.Method)
	cookie, err := req.Cookie(soap.SessionCookieName)
	if err != nil || !r.sessionActive(cookie.Value) {
		http.Error(w, "log in first: the file service needs a vmware_soap_session cookie",
			http.StatusUnauthorized)
		return
	}
	r.next.ServeHTTP(w, req)
}

func (r *Recorder) sessionActive(id string) bool {
	ctx := &simulator.Context{Context: context.Background(), Map: r.sim.reg}
	req := &types.SessionIsActive{SessionID: id, UserName: r.user}
	body, ok := r.sim.reg.SessionManager().SessionIsActive(ctx, req).(*methods.SessionIsActiveBody)
	return ok && body.Res != nil && body.Res.Returnval
}
