// Command vcsim-vcdtpm runs one govmomi-simulated vCenter shaped for vTPM tests.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	_ "github.com/vmware/govmomi/pbm/simulator" // the SPBM endpoint (/pbm): storage policies, the encryption one included
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

type options struct {
	port         int
	apiVersion   string
	instanceUUID string
	configPath   string
	user         string
	password     string
	caOut        string
}

func parseFlags() options {
	var o options
	flag.IntVar(&o.port, "port", 0, "TCP port on 127.0.0.1 (0 picks a free one)")
	flag.StringVar(&o.apiVersion, "api-version", "8.0.2.0", "about.apiVersion, e.g. 7.0.3.0 or 8.0.2.0")
	flag.StringVar(&o.instanceUUID, "instance-uuid", "", "about.instanceUuid")
	flag.StringVar(&o.configPath, "config", "", "JSON file: key providers, hosts, datastores, VMs, clone policy")
	flag.StringVar(&o.user, "user", "administrator@vsphere.local", "the only user that may log in")
	flag.StringVar(&o.password, "password", "", "that user's password (required)")
	flag.StringVar(&o.caOut, "ca-out", "", "write the PEM of the CA that signed the server certificate here")
	flag.Parse()
	return o
}

// versionParts turns 8.0.2.0 (or 6.7.3) into its release (8.0.2) and whether
// the API is 8.0.0.1 or newer, the first with a clone TPM provisioning policy.
func versionParts(api string) (string, bool, error) {
	parts := strings.Split(api, ".")
	if len(parts) < 3 || len(parts) > 4 {
		return "", false, fmt.Errorf("--api-version %q: want a version such as 8.0.2.0 or 6.7.3", api)
	}
	nums := make([]int, 4)
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return "", false, fmt.Errorf("--api-version %q: %v", api, err)
		}
		nums[i] = n
	}
	newer := nums[0] > 8 || nums[0] == 8 && (nums[1] > 0 || nums[2] > 0 || nums[3] >= 1)
	return strings.Join(parts[:3], "."), newer, nil
}

func newModel(o options, cfg *Config) (*simulator.Model, error) {
	release, _, err := versionParts(o.apiVersion)
	if err != nil {
		return nil, err
	}
	m := simulator.VPX()
	if cfg.Model != nil {
		m.ClusterHost, m.Datastore, m.Machine = cfg.Model.ClusterHosts, cfg.Model.Datastores, cfg.Model.VMs
	}
	about := &m.ServiceContent.About
	about.Version, about.ApiVersion, about.Build = release, o.apiVersion, "0"
	about.FullName = "VMware vCenter Server " + release + " build-0 (vcsim-vcdtpm)"
	if o.instanceUUID != "" {
		about.InstanceUuid = o.instanceUUID
	}
	if err := m.Create(); err != nil {
		return nil, err
	}
	return m, nil
}

// sim is the simulator's object registry, as the launcher's extras use it.
type sim struct {
	reg *simulator.Registry
}

// lock runs f holding obj's lock, on behalf of a caller of its own: the
// launcher's HTTP handlers run concurrently and must not share a lock owner.
func (s sim) lock(obj mo.Reference, f func()) {
	s.reg.WithLock(&simulator.Context{Context: context.Background(), Map: s.reg}, obj, f)
}

// handler hands the calls the launcher serves or adjusts to it before vcsim
// dispatches them: the crypto manager's missing calls, and twin clone names.
func (s sim) handler(legacyKms bool) func(*simulator.Context, *simulator.Method) (mo.Reference, types.BaseMethodFault) {
	crypto := s.cryptoHandler(legacyKms)
	return func(ctx *simulator.Context, method *simulator.Method) (mo.Reference, types.BaseMethodFault) {
		if clone, ok := method.Body.(*types.CloneVM_Task); ok {
			s.allowTwin(clone)
			return nil, nil
		}
		return crypto(ctx, method)
	}
}

// shape gives the model what the configuration asks for, mostly through the
// simulator's own API, and answers the datastore URLs to show clients.
func shape(m *simulator.Model, cfg *Config) (sim, map[string]string, error) {
	s := sim{reg: m.Map()}
	ctx := context.Background()
	client, err := vim25.NewClient(ctx, m.Service)
	if err != nil {
		return s, nil, err
	}
	if err := registerKeyProviders(ctx, client, s, cfg); err != nil {
		return s, nil, err
	}
	s.reg.Handler = s.handler(cfg.LegacyKmsAPI)
	if err := applyClonePolicy(ctx, client, cfg); err != nil {
		return s, nil, err
	}
	if err := s.applyHosts(cfg); err != nil {
		return s, nil, err
	}
	urls, err := s.datastoreURLs(cfg)
	if err != nil {
		return s, nil, err
	}
	return s, urls, s.createVMs(ctx, client, cfg)
}

// serve starts the simulator's handlers behind the recorder on 127.0.0.1:port.
func serve(m *simulator.Model, s sim, urls map[string]string, o options, policyAPI bool) (string, error) {
	m.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword(o.user, o.password)}
	m.Service.RegisterEndpoints = true // the SPBM endpoint (/pbm) among them
	inner := m.Service.NewServer()     // registers the SOAP handlers; its own listener is not used
	inner.Close()
	tlsConfig, err := newTLS(o.caOut)
	if err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(o.port)))
	if err != nil {
		return "", err
	}
	server := &http.Server{Handler: newRecorder(m.Service.ServeMux, s, urls, policyAPI, o.user), TLSConfig: tlsConfig}
	go func() { _ = server.ServeTLS(ln, "", "") }()
	return fmt.Sprintf("https://%s/sdk", ln.Addr().String()), nil
}

func run(o options) error {
	if o.password == "" {
		return fmt.Errorf("--password is required")
	}
	_, policyAPI, err := versionParts(o.apiVersion)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(o.configPath)
	if err != nil {
		return err
	}
	m, err := newModel(o, cfg)
	if err != nil {
		return err
	}
	defer m.Remove()
	s, urls, err := shape(m, cfg)
	if err != nil {
		return err
	}
	address, err := serve(m, s, urls, o, policyAPI)
	if err != nil {
		return err
	}
	fmt.Println(address)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	return nil
}

func main() {
	if err := run(parseFlags()); err != nil {
		fmt.Fprintln(os.Stderr, "vcsim-vcdtpm:", err)
		os.Exit(2)
	}
}
