// Recorder: counts SOAP calls, records clone requests, and applies vCenter's vTPM provisioning.
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
	policyAPI bool // the endpoint's API knows VirtualMachineCloneSpec.tpmProvisionPolicy
	mu        sync.Mutex
	calls     map[string]int
	clones    []CloneRecord
}

func newRecorder(next http.Handler, policyAPI bool) *Recorder {
	return &Recorder{next: next, policyAPI: policyAPI, calls: map[string]int{}}
}

func (r *Recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	switch {
	case req.URL.Path == "/vcdtpm/clones":
		r.writeJSON(w, func() interface{} { return r.clones })
	case req.URL.Path == "/vcdtpm/calls":
		r.writeJSON(w, func() interface{} { return r.calls })
	case req.URL.Path == "/vcdtpm/vms":
		writeJSON(w, vmTable())
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
	var clone *CloneRecord
	r.mu.Lock()
	r.calls[method]++
	if method == "CloneVM_Task" {
		clone = recordClone(body)
		r.clones = append(r.clones, *clone)
	}
	r.mu.Unlock()
	if clone == nil {
		r.next.ServeHTTP(w, req)
	} else {
		capture := &teeWriter{ResponseWriter: w}
		r.next.ServeHTTP(capture, req)
		r.completeClone(clone, cloneResult(capture.body.Bytes()))
	}
	switch method {
	case "CloneVM_Task", "CreateVM_Task", "ReconfigVM_Task":
		provisionTpms()
	}
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

// cloneResult is the VM a successful CloneVM_Task made, read from its task.
func cloneResult(response []byte) *simulator.VirtualMachine {
	var envelope struct {
		Task string `xml:"Body>CloneVM_TaskResponse>returnval"`
	}
	if xml.Unmarshal(response, &envelope) != nil || envelope.Task == "" {
		return nil
	}
	task, ok := simulator.Map.Get(types.ManagedObjectReference{Type: "Task", Value: envelope.Task}).(*simulator.Task)
	if !ok {
		return nil
	}
	var result interface{}
	simulator.Map.WithLock(task, func() { result = task.Info.Result })
	ref, ok := result.(types.ManagedObjectReference)
	if !ok {
		return nil
	}
	vm, _ := simulator.Map.Get(ref).(*simulator.VirtualMachine)
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
