// VM creation: records CreateVM_Task requests and gives the new VM the crypto spec's key, as vCenter does.
package main

import (
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// CreateRecord is what one CreateVM_Task request carried.
type CreateRecord struct {
	Name        string            `json:"name"`
	GuestID     string            `json:"guestId"`
	Firmware    string            `json:"firmware"`
	Version     string            `json:"version"`
	Crypto      string            `json:"crypto"` // the crypto spec's type, "" when none
	KeyProvider *string           `json:"keyProvider"`
	KeyID       *string           `json:"keyId"`
	ExtraConfig map[string]string `json:"extraConfig"`
	Devices     []DeviceChange    `json:"deviceChange"`
}

// recordCreate reads a CreateVM_Task body: what it asked for, and the key to encrypt with.
func recordCreate(body []byte) (*CreateRecord, *types.CryptoKeyId) {
	rec := &CreateRecord{ExtraConfig: map[string]string{}, Devices: []DeviceChange{}}
	method, err := simulator.UnmarshalBody(types.TypeFunc(), body)
	if err != nil {
		return rec, nil
	}
	spec := method.Body.(*types.CreateVM_Task).Config
	rec.Name, rec.GuestID, rec.Firmware, rec.Version = spec.Name, spec.GuestId, spec.Firmware, spec.Version
	for _, option := range spec.ExtraConfig {
		value := option.GetOptionValue()
		rec.ExtraConfig[value.Key] = asText(value.Value)
	}
	for _, change := range spec.DeviceChange {
		device := change.GetVirtualDeviceConfigSpec()
		rec.Devices = append(rec.Devices, DeviceChange{
			Operation: string(device.Operation),
			Device:    strings.TrimPrefix(typeName(device.Device), "*types."),
			Key:       device.Device.GetVirtualDevice().Key,
		})
	}
	return rec, recordCrypto(rec, spec.Crypto)
}

// recordCrypto notes the crypto spec's type and, for CryptoSpecEncrypt, its key.
func recordCrypto(rec *CreateRecord, crypto types.BaseCryptoSpec) *types.CryptoKeyId {
	if crypto == nil {
		return nil
	}
	rec.Crypto = strings.TrimPrefix(typeName(crypto), "*types.")
	encrypt, ok := crypto.(*types.CryptoSpecEncrypt)
	if !ok {
		return nil
	}
	key := encrypt.CryptoKeyId
	rec.KeyID = &key.KeyId
	if key.ProviderId != nil {
		rec.KeyProvider = &key.ProviderId.Id
	}
	return &key
}

func asText(value interface{}) string {
	if text, ok := value.(string); ok {
		return text
	}
	return typeName(value)
}

func (r *Recorder) addCreate(rec *CreateRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.creates = append(r.creates, *rec)
}

// encrypt gives a new VM the key its crypto spec named: vcsim applies
// CryptoSpecEncrypt on CreateVM only when it generates the key itself.
func (s sim) encrypt(vm *simulator.VirtualMachine, key *types.CryptoKeyId) {
	if key == nil || vm == nil {
		return
	}
	s.lock(vm, func() {
		if vm.Config.KeyId == nil {
			vm.Config.KeyId = key
		}
	})
}
