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

func applyHosts(cfg *Config) error {
	for _, e := range simulator.Map.All("HostSystem") {
		host := e.(*simulator.HostSystem)
		want := cfg.Hosts[host.Name]
		supported := want.Tpm
		capability := &types.HostCapability{TpmSupported: &supported}
		if want.Tpm {
			capability.TpmVersion = want.TpmVersion
			if capability.TpmVersion == "" {
				capability.TpmVersion = "2.0"
			}
		}
		simulator.Map.WithLock(host, func() { host.Capability = capability })
	}
	return unknownNames("host", cfg.Hosts, "HostSystem")
}

func applyDatastores(cfg *Config) error {
	for _, e := range simulator.Map.All("Datastore") {
		ds := e.(*simulator.Datastore)
		if url, ok := cfg.Datastores[ds.Name]; ok {
			simulator.Map.WithLock(ds, func() { ds.Summary.Url = url })
		}
	}
	return unknownNames("datastore", cfg.Datastores, "Datastore")
}

func unknownNames[T any](what string, wanted map[string]T, kind string) error {
	known := map[string]bool{}
	for _, e := range simulator.Map.All(kind) {
		known[e.Entity().Name] = true
	}
	for name := range wanted {
		if !known[name] {
			return fmt.Errorf("config names %s %q, which the model does not have", what, name)
		}
	}
	return nil
}

func applyClonePolicy(cfg *Config) {
	if cfg.CloneTpmPolicy == "" {
		return
	}
	m := simulator.Map.OptionManager()
	m.Setting = append(m.Setting, &types.OptionValue{Key: clonePolicyKey, Value: cfg.CloneTpmPolicy})
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

func createVMs(ctx context.Context, c *vim25.Client, cfg *Config) error {
	vms := cfg.expand()
	if len(vms) == 0 {
		return nil
	}
	where, err := findPlacement(ctx, c)
	if err != nil {
		return err
	}
	for _, spec := range vms {
		if err := createVM(ctx, c, where, spec); err != nil {
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

func createVM(ctx context.Context, c *vim25.Client, where *placement, spec VMConfig) error {
	task, err := where.folder.CreateVM(ctx, configSpec(spec, where.ds), where.pool, nil)
	if err != nil {
		return err
	}
	info, err := task.WaitForResult(ctx, nil)
	if err != nil {
		return err
	}
	ref := info.Result.(types.ManagedObjectReference)
	if spec.KeyProvider != "" || spec.KeyID != "" {
		vm := simulator.Map.Get(ref).(*simulator.VirtualMachine)
		keyID := &types.CryptoKeyId{KeyId: spec.KeyID, ProviderId: &types.KeyProviderId{Id: spec.KeyProvider}}
		simulator.Map.WithLock(vm, func() { vm.Config.KeyId = keyID })
	}
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
