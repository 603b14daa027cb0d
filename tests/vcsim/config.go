// Launcher configuration: the JSON file that shapes one simulated vCenter.
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

// KeyProviderConfig is one key provider (KMS cluster) of the crypto manager.
type KeyProviderConfig struct {
	Name         string `json:"name"`
	Type         string `json:"type"` // native | standard | trusted
	Default      bool   `json:"default"`
	TpmHostsOnly bool   `json:"tpm_hosts_only"`
}

// HostConfig sets the TPM a host reports in HostCapability.
type HostConfig struct {
	Tpm        bool   `json:"tpm"`
	TpmVersion string `json:"tpm_version"`
}

// VMConfig is a VM the launcher creates; Count > 0 makes Count copies named Name-NNN.
type VMConfig struct {
	Name            string `json:"name"`
	GuestID         string `json:"guest_id"`
	Firmware        string `json:"firmware"`
	HardwareVersion int    `json:"hardware_version"`
	Power           string `json:"power"`
	Tpm             bool   `json:"tpm"`
	EkCert          []byte `json:"ek_cert"` // base64 in JSON; generated when empty
	KeyProvider     string `json:"key_provider"`
	KeyID           string `json:"key_id"`
	Template        bool   `json:"template"`
	Count           int    `json:"count"`
}

// ModelConfig sizes the simulator's generated inventory.
type ModelConfig struct {
	ClusterHosts int `json:"cluster_hosts"`
	Datastores   int `json:"datastores"`
	VMs          int `json:"vms"`
}

// Config is the whole launcher configuration.
type Config struct {
	Model          *ModelConfig          `json:"model"`
	KeyProviders   []KeyProviderConfig   `json:"key_providers"`
	LegacyKmsAPI   bool                  `json:"legacy_kms_api"`
	CloneTpmPolicy string                `json:"clone_tpm_policy"`
	Hosts          map[string]HostConfig `json:"hosts"`
	Datastores     map[string]string     `json:"datastores"`
	VMs            []VMConfig            `json:"vms"`
}

func loadConfig(path string) (*Config, error) {
	cfg := &Config{}
	if path == "" {
		return cfg, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, cfg); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return cfg, nil
}

// expand turns every VMConfig with a Count into Count single VMs.
func (c *Config) expand() []VMConfig {
	var out []VMConfig
	for _, vm := range c.VMs {
		if vm.Count <= 0 {
			out = append(out, vm)
			continue
		}
		for i := 0; i < vm.Count; i++ {
			one := vm
			one.Name = fmt.Sprintf("%s-%03d", vm.Name, i)
			one.Count = 0
			one.EkCert = nil
			out = append(out, one)
		}
	}
	return out
}
