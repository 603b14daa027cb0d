// vTPM behaviour of vCenter: certificates for new vTPMs and the 8.x clone provisioning policy.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

func typeName(v interface{}) string { return fmt.Sprintf("%T", v) }

// tpmOf is the VM's VirtualTPM and its index in the device list, or nil.
func tpmOf(vm *simulator.VirtualMachine) (*types.VirtualTPM, int) {
	if vm.Config == nil {
		return nil, -1
	}
	for i, d := range vm.Config.Hardware.Device {
		if tpm, ok := d.(*types.VirtualTPM); ok {
			return tpm, i
		}
	}
	return nil, -1
}

// setEkCert gives the VM's vTPM a new identity; the device is copied, never
// changed in place, because a clone shares device values with its source.
func setEkCert(vm *simulator.VirtualMachine) {
	simulator.Map.WithLock(vm, func() {
		tpm, i := tpmOf(vm)
		if tpm == nil {
			return
		}
		fresh := *tpm
		fresh.EndorsementKeyCertificate = [][]byte{onWire(newEkCert(vm.Name))}
		vm.Config.Hardware.Device[i] = &fresh
	})
}

// provisionTpms issues an endorsement-key certificate to every vTPM without one,
// as vCenter's certificate authority does when a vTPM is added.
func provisionTpms() {
	for _, e := range simulator.Map.All("VirtualMachine") {
		vm := e.(*simulator.VirtualMachine)
		var bare bool
		simulator.Map.WithLock(vm, func() {
			tpm, _ := tpmOf(vm)
			bare = tpm != nil && len(tpm.EndorsementKeyCertificate) == 0
		})
		if bare {
			setEkCert(vm)
		}
	}
}

func firstCert(vm *simulator.VirtualMachine) []byte {
	var cert []byte
	simulator.Map.WithLock(vm, func() {
		if tpm, _ := tpmOf(vm); tpm != nil && len(tpm.EndorsementKeyCertificate) > 0 {
			cert = tpm.EndorsementKeyCertificate[0]
		}
	})
	return cert
}

func defaultClonePolicy() string {
	m := simulator.Map.OptionManager()
	policy := "copy"
	simulator.Map.WithLock(m, func() {
		for _, s := range m.Setting {
			if opt := s.GetOptionValue(); opt.Key == clonePolicyKey {
				policy = fmt.Sprint(opt.Value)
			}
		}
	})
	return policy
}

// completeClone makes a clone what vCenter makes: the source's firmware,
// hardware version and key (vcsim 0.24 leaves them out), and on 8.x a new
// vTPM when the policy (explicit, else the vCenter default) says replace.
func (r *Recorder) completeClone(rec *CloneRecord, clone *simulator.VirtualMachine) {
	ref := types.ManagedObjectReference{Type: "VirtualMachine", Value: rec.Source}
	source, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine)
	if !ok || clone == nil {
		return
	}
	var firmware, version string
	var keyID *types.CryptoKeyId
	simulator.Map.WithLock(source, func() {
		firmware, version, keyID = source.Config.Firmware, source.Config.Version, source.Config.KeyId
	})
	simulator.Map.WithLock(clone, func() {
		clone.Config.Firmware, clone.Config.Version, clone.Config.KeyId = firmware, version, keyID
	})
	policy := defaultClonePolicy()
	if rec.TpmProvisionPolicy != nil {
		policy = *rec.TpmProvisionPolicy
	}
	if r.policyAPI && policy == "replace" {
		setEkCert(clone)
	}
}

// VMRow is one VM as the launcher reports it at /vcdtpm/vms.
type VMRow struct {
	Moref       string  `json:"moref"`
	TpmIdentity *string `json:"tpm_identity"`
}

func vmTable() map[string]VMRow {
	out := map[string]VMRow{}
	for _, e := range simulator.Map.All("VirtualMachine") {
		vm := e.(*simulator.VirtualMachine)
		row := VMRow{Moref: vm.Self.Value}
		if cert := firstCert(vm); cert != nil {
			sum := sha256.Sum256(fromWire(cert))
			identity := "sha256:" + hex.EncodeToString(sum[:])
			row.TpmIdentity = &identity
		}
		out[vm.Name] = row
	}
	return out
}
