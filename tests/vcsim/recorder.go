// Recorder: counts SOAP calls, records clone and create requests, applies vCenter's vTPM
// provisioning before a task's caller can see it, and shows datastores' configured URLs.
package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// CloneRecord is what one CloneVM_Task request carried.
type CloneRecord struct {
	Source             string         `json:"source"`
	Name               string         `json:"name"`
	TpmProvisionPolicy *string        `json:"tpmProvisionPolicy"`
	DeviceChange       []DeviceChange `json:"deviceChange"`
}

// DeviceChange is one entry of the clone spec's config.deviceChange.
type DeviceChange struct {
	Operation string `json:"operation"`
	Device    string `json:"device"`
	Key       int32  `json:"key"`
}

// Recorder wraps the simulator's HTTP handler.
type Recorder struct {
	next      http.Handler
	sim       sim
	urls      *strings.Replacer // datastore directories to their configured URLs
	policyAPI bool              // the endpoint's API knows VirtualMachineCloneSpec.tpmProvisionPolicy
	user      string            // the only user, whose session cookie opens the file service
	mu        sync.Mutex
	calls     map[string]int
	clones    []CloneRecord
	creates   []CreateRecord
}

func newRecorder(next http.Handler, s sim, urls map[string]string, policyAPI bool, user string) *Recorder {
	return &Recorder{next: next, sim: s, urls: urlReplacer(urls), policyAPI: policyAPI, user: user,
		calls: map[string]int{}}
}

// urlReplacer rewrites a datastore's local directory, which vcsim uses as its
// summary.url and info.url, to the URL configured for it: as a whole value and
// as the start of a path below it.
func urlReplacer(urls map[string]string) *strings.Replacer {
	var pairs []string
	for dir, url := range urls {
		dir, url = strings.TrimSuffix(dir, "/"), strings.TrimSuffix(url, "/")+"/"
		pairs = append(pairs, dir+"/", url, dir+"<", url+"<")
	}
	return strings.NewReplacer(pairs...)
}

func (r *Recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	switch {
	case req.URL.Path == "/vcdtpm/clones":
		r.writeJSON(w, func() interface{} { return r.clones })
	case req.URL.Path == "/vcdtpm/calls":
		r.writeJSON(w, func() interface{} { return r.calls })
	case req.URL.Path == "/vcdtpm/creates":
		r.writeJSON(w, func() interface{} { return r.creates })
	case req.URL.Path == "/vcdtpm/vms":
		writeJSON(w, r.sim.vmTable())
	case strings.HasPrefix(req.URL.Path, folderPrefix):
		r.serveFolder(w, req)
	case req.URL.Path == "/sdk" && req.Method == http.MethodPost:
		r.serveSOAP(w, req)
	default:
		r.next.ServeHTTP(w, req)
	}
}

func (r *Recorder) writeJSON(w http.ResponseWriter, value func() interface{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	writeJSON(w, value())
}

func writeJSON(w http.ResponseWriter, value interface{}) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(value)
}

// serveSOAP records the call, lets the simulator answer it and, for the tasks
// that make or change VMs, waits for the task and completes what vCenter would
// have done before the caller gets the task.
func (r *Recorder) serveSOAP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	method := methodName(body)
	r.count(method)
	var clone *CloneRecord
	var key *types.CryptoKeyId
	switch method {
	case "CloneVM_Task":
		clone = r.addClone(recordClone(body))
	case "CreateVM_Task":
		var create *CreateRecord
		create, key = recordCreate(body)
		r.addCreate(create)
	}
	out := &buffered{header: w.Header()}
	r.next.ServeHTTP(out, req)
	switch method {
	case "CloneVM_Task", "CreateVM_Task", "ReconfigVM_Task":
		vm := r.sim.taskResult(out.body.Bytes())
		if clone != nil {
			r.completeClone(clone, vm)
		}
		r.sim.encrypt(vm, key)
		r.sim.provisionTpms()
	}
	if out.status == 0 {
		out.status = http.StatusOK
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(out.status)
	_, _ = io.WriteString(w, r.urls.Replace(out.body.String()))
}

func (r *Recorder) count(method string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[method]++
}

func (r *Recorder) addClone(rec *CloneRecord) *CloneRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clones = append(r.clones, *rec)
	return rec
}

// buffered holds a response until the recorder has done its part.
type buffered struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *buffered) Header() http.Header { return b.header }

func (b *buffered) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *buffered) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

// taskResult waits for the task a CloneVM_Task, CreateVM_Task or ReconfigVM_Task
// response names and answers the VM it made, if any.
func (s sim) taskResult(response []byte) *simulator.VirtualMachine {
	var envelope struct {
		Body struct {
			Response struct {
				Task string `xml:"returnval"`
			} `xml:",any"`
		} `xml:"Body"`
	}
	if xml.Unmarshal(response, &envelope) != nil || envelope.Body.Response.Task == "" {
		return nil
	}
	ref := types.ManagedObjectReference{Type: "Task", Value: envelope.Body.Response.Task}
	task, ok := s.reg.Get(ref).(*simulator.Task)
	if !ok {
		return nil
	}
	task.Wait()
	var result interface{}
	s.lock(task, func() { result = task.Info.Result })
	made, ok := result.(types.ManagedObjectReference)
	if !ok {
		return nil
	}
	vm, _ := s.reg.Get(made).(*simulator.VirtualMachine)
	return vm
}

// methodName is the local name of the first element inside the SOAP body.
func methodName(body []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(body))
	inBody := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return "?"
		}
		if start, ok := tok.(xml.StartElement); ok {
			if inBody {
				return start.Name.Local
			}
			inBody = start.Name.Local == "Body"
		}
	}
}

func recordClone(body []byte) *CloneRecord {
	rec := &CloneRecord{DeviceChange: []DeviceChange{}}
	method, err := simulator.UnmarshalBody(types.TypeFunc(), body)
	if err != nil {
		return rec
	}
	clone := method.Body.(*types.CloneVM_Task)
	rec.Source, rec.Name = clone.This.Value, clone.Name
	if policy := clone.Spec.TpmProvisionPolicy; policy != "" {
		rec.TpmProvisionPolicy = &policy
	}
	if clone.Spec.Config == nil {
		return rec
	}
	for _, change := range clone.Spec.Config.DeviceChange {
		spec := change.GetVirtualDeviceConfigSpec()
		rec.DeviceChange = append(rec.DeviceChange, DeviceChange{
			Operation: string(spec.Operation),
			Device:    strings.TrimPrefix(typeName(spec.Device), "*types."),
			Key:       spec.Device.GetVirtualDevice().Key,
		})
	}
	return rec
}
