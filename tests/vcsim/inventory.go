// Inventory: hosts' TPMs, datastores' URLs, the clone policy option and the configured VMs.
package main

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/types"
)

const clonePolicyKey = "vpxd.clone.tpmProvisionPolicy"

// applyHosts sets the TPM each host reports in HostCapability, which vcsim never sets.
func (s sim) applyHosts(cfg *Config) error {
	for _, e := range s.reg.All("HostSystem") {
		host := e.(*simulator.HostSystem)
		want := cfg.Hosts[host.Name]
		s.lock(host, func() {
			capability := &types.HostCapability{}
			if host.Capability != nil {
				*capability = *host.Capability
			}
			capability.TpmSupported = want.Tpm
			capability.TpmVersion = ""
			if want.Tpm {
				capability.TpmVersion = orDefault(want.TpmVersion, "2.0")
			}
			host.Capability = capability
		})
	}
	return s.unknownNames("host", keys(cfg.Hosts), "HostSystem")
}

// datastoreURLs maps each configured datastore's local directory, which vcsim
// shows as its URL, to the URL the configuration gives it.
func (s sim) datastoreURLs(cfg *Config) (map[string]string, error) {
	urls := map[string]string{}
	for _, e := range s.reg.All("Datastore") {
		ds := e.(*simulator.Datastore)
		if url, ok := cfg.Datastores[ds.Name]; ok {
			s.lock(ds, func() { urls[ds.Summary.Url] = url })
		}
	}
	return urls, s.unknownNames("datastore", keys(cfg.Datastores), "Datastore")
}

func (s sim) unknownNames(what string, wanted []string, kind string) error {
	known := map[string]bool{}
	for _, e := range s.reg.All(kind) {
		known[e.Entity().Name] = true
	}
	for _, name := range wanted {
		if !known[name] {
			return fmt.Errorf("config names %s %q, which the model does not have", what, name)
		}
	}
	return nil
}

func keys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// applyClonePolicy sets vCenter's default clone TPM policy with UpdateOptions.
func applyClonePolicy(ctx context.Context, c *vim25.Client, cfg *Config) error {
	if cfg.CloneTpmPolicy == "" {
		return nil
	}
	m := object.NewOptionManager(c, *c.ServiceContent.Setting)
	return m.Update(ctx, []types.BaseOptionValue{&types.OptionValue{Key: clonePolicyKey, Value: cfg.CloneTpmPolicy}})
}

// placement is where configured VMs are created: the first cluster's pool and datastore.
type placement struct {
	folder *object.Folder
	pool   *object.ResourcePool
	ds     string
}

func findPlacement(ctx context.Context, c *vim25.Client) (*placement, error) {
	finder := find.NewFinder(c)
	dc, err := finder.DefaultDatacenter(ctx)
	if err != nil {
		return nil, err
	}
	finder.SetDatacenter(dc)
	folders, err := dc.Folders(ctx)
	if err != nil {
		return nil, err
	}
	pools, err := finder.ResourcePoolList(ctx, "*/Resources")
	if err != nil {
		return nil, err
	}
	stores, err := finder.DatastoreList(ctx, "*")
	if err != nil {
		return nil, err
	}
	return &placement{folder: folders.VmFolder, pool: pools[0], ds: stores[0].Name()}, nil
}

func (s sim) createVMs(ctx context.Context, c *vim25.Client, cfg *Config) error {
	vms := cfg.expand()
	if len(vms) == 0 {
		return nil
	}
	where, err := findPlacement(ctx, c)
	if err != nil {
		return err
	}
	for _, spec := range vms {
		if err := s.createVM(ctx, c, where, spec); err != nil {
			return fmt.Errorf("vm %s: %v", spec.Name, err)
		}
	}
	return nil
}

func configSpec(spec VMConfig, ds string) types.VirtualMachineConfigSpec {
	out := types.VirtualMachineConfigSpec{
		Name:     spec.Name,
		GuestId:  orDefault(spec.GuestID, "windows2019srvNext_64Guest"),
		Firmware: orDefault(spec.Firmware, "efi"),
		Version:  fmt.Sprintf("vmx-%d", orInt(spec.HardwareVersion, 19)),
		Files:    &types.VirtualMachineFileInfo{VmPathName: "[" + ds + "]"},
	}
	out.ExtraConfig = []types.BaseOptionValue{&types.OptionValue{Key: "nvram", Value: spec.Name + ".nvram"}}
	if spec.KeyProvider != "" || spec.KeyID != "" {
		bundle := &types.OptionValue{Key: "encryption.bundle", Value: encryptionBundle(spec)}
		out.ExtraConfig = append(out.ExtraConfig, bundle)
	}
	if key := keyOf(spec); key != nil {
		out.Crypto = &types.CryptoSpecEncrypt{CryptoKeyId: *key}
	}
	if spec.Tpm {
		cert := spec.EkCert
		if len(cert) == 0 {
			cert = newEkCert(spec.Name)
		}
		tpm := &types.VirtualTPM{EndorsementKeyCertificate: [][]byte{onWire(cert)}}
		tpm.Key = -1
		out.DeviceChange = []types.BaseVirtualDeviceConfigSpec{&types.VirtualDeviceConfigSpec{
			Operation: types.VirtualDeviceConfigSpecOperationAdd, Device: tpm,
		}}
	}
	return out
}

// keyOf is the key a configured VM is encrypted with, nil when it is not.
func keyOf(spec VMConfig) *types.CryptoKeyId {
	if spec.KeyProvider == "" && spec.KeyID == "" {
		return nil
	}
	return &types.CryptoKeyId{KeyId: spec.KeyID, ProviderId: &types.KeyProviderId{Id: spec.KeyProvider}}
}

func (s sim) createVM(ctx context.Context, c *vim25.Client, where *placement, spec VMConfig) error {
	task, err := where.folder.CreateVM(ctx, configSpec(spec, where.ds), where.pool, nil)
	if err != nil {
		return err
	}
	info, err := task.WaitForResult(ctx, nil)
	if err != nil {
		return err
	}
	ref := info.Result.(types.ManagedObjectReference)
	s.encrypt(s.reg.Get(ref).(*simulator.VirtualMachine), keyOf(spec))
	vm := object.NewVirtualMachine(c, ref)
	if spec.Template {
		return vm.MarkAsTemplate(ctx)
	}
	if spec.Power == "on" {
		task, err := vm.PowerOn(ctx)
		if err != nil {
			return err
		}
		return task.Wait(ctx)
	}
	return nil
}

func orDefault(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}

func orInt(value, fallback int) int {
	if value == 0 {
		return fallback
	}
	return value
}

// encryptionBundle is the encryption.bundle vSphere keeps for a VM encrypted with the VM's key.
func encryptionBundle(spec VMConfig) string {
	return "vmware:key/list/(pair/(fqid/<VMWARE-EMPTYSTRING>/" + spec.KeyProvider + "/" + spec.KeyID +
		",HMAC-SHA-256,ZHVtbXktd3JhcHBlZC1rZXk=))"
}
