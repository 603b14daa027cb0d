// Recorder: counts SOAP calls, records clone and create requests, and applies vCenter's vTPM provisioning.
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
	policyAPI bool   // the endpoint's API knows VirtualMachineCloneSpec.tpmProvisionPolicy
	user      string // the only user, whose session cookie opens the file service
	mu        sync.Mutex
	calls     map[string]int
	clones    []CloneRecord
	creates   []CreateRecord
}

func newRecorder(next http.Handler, policyAPI bool, user string) *Recorder {
	return &Recorder{next: next, policyAPI: policyAPI, user: user, calls: map[string]int{}}
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
		writeJSON(w, vmTable())
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

func (r *Recorder) serveSOAP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	method := methodName(body)
	r.count(method)
	switch method {
	case "CloneVM_Task":
		clone := recordClone(body)
		r.completeClone(r.addClone(clone), taskResult(r.forward(w, req)))
	case "CreateVM_Task":
		create, key := recordCreate(body)
		r.addCreate(create)
		completeCreate(key, taskResult(r.forward(w, req)))
	default:
		r.next.ServeHTTP(w, req)
	}
	switch method {
	case "CloneVM_Task", "CreateVM_Task", "ReconfigVM_Task":
		provisionTpms()
	}
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

// forward serves the request and answers the response body it wrote.
func (r *Recorder) forward(w http.ResponseWriter, req *http.Request) []byte {
	capture := &teeWriter{ResponseWriter: w}
	r.next.ServeHTTP(capture, req)
	return capture.body.Bytes()
}

// teeWriter keeps a copy of the response body.
type teeWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (t *teeWriter) Write(p []byte) (int, error) {
	t.body.Write(p)
	return t.ResponseWriter.Write(p)
}

// taskResult is the VM a successful CloneVM_Task or CreateVM_Task made, read from its task.
func taskResult(response []byte) *simulator.VirtualMachine {
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
	task, ok := simulator.Map.Get(ref).(*simulator.Task)
	if !ok {
		return nil
	}
	var result interface{}
	simulator.Map.WithLock(task, func() { result = task.Info.Result })
	made, ok := result.(types.ManagedObjectReference)
	if !ok {
		return nil
	}
	vm, _ := simulator.Map.Get(made).(*simulator.VirtualMachine)
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
	var envelope struct {
		Policy *string `xml:"Body>CloneVM_Task>spec>tpmProvisionPolicy"`
	}
	_ = xml.Unmarshal(body, &envelope)
	rec := &CloneRecord{TpmProvisionPolicy: envelope.Policy, DeviceChange: []DeviceChange{}}
	method, err := simulator.UnmarshalBody(types.TypeFunc(), body)
	if err != nil {
		return rec
	}
	clone := method.Body.(*types.CloneVM_Task)
	rec.Source, rec.Name = clone.This.Value, clone.Name
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
