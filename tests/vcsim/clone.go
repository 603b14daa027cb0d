// Clones: what vcsim's CloneVM_Task leaves out, and the vTPM clone provisioning policy of vSphere 8.0.0.1+.
package main

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// completeClone makes a clone what vCenter makes: the source's firmware and
// key (vcsim leaves them out), and on 8.0.0.1+ a new vTPM when the policy
// (explicit, else vpxd.clone.tpmProvisionPolicy) says replace.
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
	})
	policy := r.sim.defaultClonePolicy()
	if rec.TpmProvisionPolicy != nil {
		policy = *rec.TpmProvisionPolicy
	}
	if r.policyAPI && policy == "replace" {
		r.sim.setEkCert(clone)
	}
}
