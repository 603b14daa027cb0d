// vTPM behaviour of vCenter: endorsement-key certificates for new vTPMs, and the VMs' vTPM identities.
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
// changed in place, so no other holder of the device value sees the change.
func (s sim) setEkCert(vm *simulator.VirtualMachine) {
	s.lock(vm, func() {
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
func (s sim) provisionTpms() {
	for _, e := range s.reg.All("VirtualMachine") {
		vm := e.(*simulator.VirtualMachine)
		var bare bool
		s.lock(vm, func() {
			tpm, _ := tpmOf(vm)
			bare = tpm != nil && len(tpm.EndorsementKeyCertificate) == 0
		})
		if bare {
			s.setEkCert(vm)
		}
	}
}

func (s sim) firstCert(vm *simulator.VirtualMachine) []byte {
	var cert []byte
	s.lock(vm, func() {
		if tpm, _ := tpmOf(vm); tpm != nil && len(tpm.EndorsementKeyCertificate) > 0 {
			cert = tpm.EndorsementKeyCertificate[0]
		}
	})
	return cert
}

func (s sim) defaultClonePolicy() string {
	m := s.reg.OptionManager()
	policy := "copy"
	s.lock(m, func() {
		for _, setting := range m.Setting {
			if opt := setting.GetOptionValue(); opt.Key == clonePolicyKey {
				policy = fmt.Sprint(opt.Value)
			}
		}
	})
	return policy
}

// VMRow is one VM as the launcher reports it at /vcdtpm/vms.
type VMRow struct {
	Moref       string  `json:"moref"`
	TpmIdentity *string `json:"tpm_identity"`
}

func (s sim) vmTable() map[string]VMRow {
	out := map[string]VMRow{}
	for _, e := range s.reg.All("VirtualMachine") {
		vm := e.(*simulator.VirtualMachine)
		row := VMRow{Moref: vm.Self.Value}
		if cert := s.firstCert(vm); cert != nil {
			sum := sha256.Sum256(fromWire(cert))
			identity := "sha256:" + hex.EncodeToString(sum[:])
			row.TpmIdentity = &identity
		}
		out[vm.Name] = row
	}
	return out
}
