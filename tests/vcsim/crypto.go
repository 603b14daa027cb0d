// Crypto manager: the key-management calls vcsim lacks, served from the launcher's key providers.
package main

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// managementTypes maps a key provider type to KmipClusterInfo.managementType.
var managementTypes = map[string]string{
	"native":   "nativeProvider",
	"standard": "vCenter",
	"trusted":  "trustAuthority",
}

// KmsCluster is KmipClusterInfo with the vSphere 7.0.2 fields govmomi 0.24 lacks.
type KmsCluster struct {
	types.KmipClusterInfo
	HasBackup   *bool `xml:"hasBackup"`
	TpmRequired *bool `xml:"tpmRequired"`
}

// ListKmsClustersResponse carries KmsCluster rather than govmomi's KmipClusterInfo.
type ListKmsClustersResponse struct {
	Returnval []KmsCluster `xml:"returnval,omitempty"`
}

type listKmsClustersBody struct {
	Res    *ListKmsClustersResponse `xml:"ListKmsClustersResponse,omitempty"`
	Fault_ *soap.Fault              `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault,omitempty"`
}

func (b *listKmsClustersBody) Fault() *soap.Fault { return b.Fault_ }

// CryptoManager stands in for vCenter's CryptoManagerKmip.
type CryptoManager struct {
	mo.CryptoManagerKmip
	providers []KeyProviderConfig
	legacy    bool
}

func newCryptoManager(ref types.ManagedObjectReference, cfg *Config) *CryptoManager {
	m := &CryptoManager{providers: cfg.KeyProviders, legacy: cfg.LegacyKmsAPI}
	m.Self = ref
	for _, info := range m.clusters() {
		m.KmipServers = append(m.KmipServers, info.KmipClusterInfo)
	}
	return m
}

func (m *CryptoManager) clusters() []KmsCluster {
	var out []KmsCluster
	for _, p := range m.providers {
		backup, required := true, p.TpmHostsOnly
		info := KmsCluster{HasBackup: &backup, TpmRequired: &required}
		info.ClusterId = types.KeyProviderId{Id: p.Name}
		info.UseAsDefault = p.Default
		info.ManagementType = managementTypes[p.Type]
		out = append(out, info)
	}
	return out
}

func methodNotFound(self types.ManagedObjectReference, name string) *soap.Fault {
	return simulator.Fault("", &types.MethodNotFound{Receiver: self, Method: name})
}

// ListKmsClusters (vSphere 7.0) lists every key provider with its type and TPM requirement.
func (m *CryptoManager) ListKmsClusters(req *types.ListKmsClusters) soap.HasFault {
	if m.legacy {
		return &listKmsClustersBody{Fault_: methodNotFound(m.Self, "ListKmsClusters")}
	}
	return &listKmsClustersBody{Res: &ListKmsClustersResponse{Returnval: m.clusters()}}
}

// ListKmipServers (vSphere 6.5) lists the key providers without 7.x fields.
func (m *CryptoManager) ListKmipServers(req *types.ListKmipServers) soap.HasFault {
	return &methods.ListKmipServersBody{
		Res: &types.ListKmipServersResponse{Returnval: m.KmipServers},
	}
}

// GetDefaultKmsCluster (vSphere 7.0) names the default key provider, if any.
func (m *CryptoManager) GetDefaultKmsCluster(req *types.GetDefaultKmsCluster) soap.HasFault {
	if m.legacy {
		return &methods.GetDefaultKmsClusterBody{Fault_: methodNotFound(m.Self, "GetDefaultKmsCluster")}
	}
	body := &methods.GetDefaultKmsClusterBody{Res: &types.GetDefaultKmsClusterResponse{}}
	for _, p := range m.providers {
		if p.Default {
			body.Res.Returnval = &types.KeyProviderId{Id: p.Name}
		}
	}
	return body
}
