// Clones: what vcsim's CloneVM_Task leaves out, and the vTPM clone provisioning policy of vSphere 8.0.0.1+.
package main

import (
	"fmt"
	"sync/atomic"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

var twins atomic.Int64

// allowTwin lets a clone take a name its folder already holds, as vcsim did
// before it refused such a clone with DuplicateName (vCenter allows one name in
// two folders only): the clone is made under a stand-in name, and
// completeClone gives it the requested one.
func (s sim) allowTwin(clone *types.CloneVM_Task) {
	folder, ok := s.reg.Get(clone.Folder).(*simulator.Folder)
	if !ok {
		return
	}
	var taken bool
	s.lock(folder, func() { taken = s.reg.FindByName(clone.Name, folder.ChildEntity) != nil })
	if taken {
		clone.Name = fmt.Sprintf("%s (%d)", clone.Name, twins.Add(1))
	}
}

// completeClone makes a clone what vCenter makes: the source's firmware and
// key (vcsim leaves them out), the requested name, and on 8.0.0.1+ a new vTPM
// when the policy (explicit, else vpxd.clone.tpmProvisionPolicy) says replace.
func (r *Recorder) completeClone(rec *CloneRecord, clone *simulator.VirtualMachine) {
	ref := types.ManagedObjectReference{Type: "VirtualMachine", Value: rec.Source}
	source, ok := r.sim.reg.Get(ref).(*simulator.VirtualMachine)
	if !ok || clone == nil {
		return
	}
	var firmware string
	var keyID *types.CryptoKeyId
	r.sim.lock(source, func() {
		firmware, keyID = source.Config.Firmware, source.Config.KeyId
	})
	r.sim.lock(clone, func() {
		clone.Config.Firmware, clone.Config.KeyId = firmware, keyID
		clone.Name, clone.Config.Name, clone.Summary.Config.Name = rec.Name, rec.Name, rec.Name
	})
	policy := r.sim.defaultClonePolicy()
	if rec.TpmProvisionPolicy != nil {
		policy = *rec.TpmProvisionPolicy
	}
	if r.policyAPI && policy == "replace" {
		r.sim.setEkCert(clone)
	}
}
