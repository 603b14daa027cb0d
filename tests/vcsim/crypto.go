// Key providers: registered with vcsim's own CryptoManagerKmip; the launcher adds only
// ListKmsClusters, the 7.0.2 provider flags and a 6.7 crypto manager without the 7.0 calls.
package main

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/crypto"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// managementTypes maps a key provider type to KmipClusterInfo.managementType.
var managementTypes = map[string]types.KmipClusterInfoKmsManagementType{
	"native":   types.KmipClusterInfoKmsManagementTypeNativeProvider,
	"standard": types.KmipClusterInfoKmsManagementTypeVCenter,
	"trusted":  types.KmipClusterInfoKmsManagementTypeTrustAuthority,
}

// methods70 are the crypto manager calls vSphere 7.0 added, unknown to a 6.7 vCenter.
var methods70 = map[string]bool{
	"ListKmsClusters": true, "GetDefaultKmsCluster": true, "SetDefaultKmsCluster": true,
	"RegisterKmsCluster": true, "UnregisterKmsCluster": true,
}

// registerKeyProviders registers every configured key provider through the
// simulator's CryptoManagerKmip: a standard one as a KMS cluster with one KMIP
// server, a native or trusted one with RegisterKmsCluster. This runs before the
// launcher's handler, so a 6.7 endpoint is set up with the 7.0 calls too.
func registerKeyProviders(ctx context.Context, c *vim25.Client, s sim, cfg *Config) error {
	m, err := crypto.GetManagerKmip(c)
	if err != nil {
		return err
	}
	for _, p := range cfg.KeyProviders {
		kind, ok := managementTypes[p.Type]
		if !ok {
			return fmt.Errorf("key provider %s: type %q is not native, standard or trusted", p.Name, p.Type)
		}
		if kind == types.KmipClusterInfoKmsManagementTypeVCenter {
			err = m.RegisterKmipServer(ctx, types.KmipServerSpec{
				ClusterId: types.KeyProviderId{Id: p.Name},
				Info:      types.KmipServerInfo{Name: p.Name + "-kmip", Address: "127.0.0.1", Port: 5696},
			})
		} else {
			err = m.RegisterKmsCluster(ctx, p.Name, kind)
		}
		if err == nil && p.Default {
			err = m.SetDefaultKmsClusterId(ctx, p.Name, nil)
		}
		if err != nil {
			return fmt.Errorf("key provider %s: %v", p.Name, err)
		}
	}
	if !cfg.LegacyKmsAPI {
		s.flagKeyProviders(cfg)
	}
	return nil
}

// flagKeyProviders sets the vSphere 7.0.2 fields no simulator call sets:
// tpmRequired (the provider serves TPM hosts only) and, for a native
// provider, hasBackup.
func (s sim) flagKeyProviders(cfg *Config) {
	m := s.reg.CryptoManager()
	tpmOnly := map[string]bool{}
	for _, p := range cfg.KeyProviders {
		tpmOnly[p.Name] = p.TpmHostsOnly
	}
	s.lock(m, func() {
		for i := range m.KmipServers {
			info := &m.KmipServers[i]
			info.TpmRequired = types.NewBool(tpmOnly[info.ClusterId.Id])
			if info.ManagementType == string(types.KmipClusterInfoKmsManagementTypeNativeProvider) {
				info.HasBackup = types.NewBool(true)
			}
		}
	})
}

// cryptoHandler routes the crypto manager calls vcsim lacks to the launcher.
// On a 6.7 endpoint every 7.0 call is MethodNotFound. Otherwise each session
// sees the crypto manager through kmsManager, which adds ListKmsClusters: a
// session's own objects take precedence over a handler's answer, and the
// shared registry must keep vcsim's own type, which its VM calls look up.
func (s sim) cryptoHandler(legacy bool) func(*simulator.Context, *simulator.Method) (mo.Reference, types.BaseMethodFault) {
	return func(ctx *simulator.Context, method *simulator.Method) (mo.Reference, types.BaseMethodFault) {
		if method.This.Type != "CryptoManagerKmip" {
			return nil, nil
		}
		if legacy && methods70[method.Name] {
			return nil, &types.MethodNotFound{Receiver: method.This, Method: method.Name}
		}
		manager := &kmsManager{s.reg.CryptoManager()}
		if ctx.Session != nil && ctx.Session.Registry.Get(method.This) == nil {
			ctx.Session.Registry.Put(manager)
		}
		return manager, nil
	}
}

// kmsManager is vcsim's CryptoManagerKmip with ListKmsClusters.
type kmsManager struct {
	*simulator.CryptoManagerKmip
}

// ListKmsClusters (vSphere 7.0) lists every key provider, without its KMIP
// servers unless asked; the management-type and status filters are ignored.
func (k *kmsManager) ListKmsClusters(req *types.ListKmsClusters) soap.HasFault {
	withServers := req.IncludeKmsServers != nil && *req.IncludeKmsServers
	var out []types.KmipClusterInfo
	for _, info := range k.KmipServers {
		if !withServers {
			info.Servers = nil
		}
		out = append(out, info)
	}
	return &methods.ListKmsClustersBody{Res: &types.ListKmsClustersResponse{Returnval: out}}
}
