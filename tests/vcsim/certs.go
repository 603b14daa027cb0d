// Certificates: the launcher's TLS identity and vTPM endorsement-key certificates.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"time"
)

func newKey() *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return key
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		panic(err)
	}
	return n
}

func template(cn string) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"vcsim-vcdtpm"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
}

// newCA is a self-signed certificate authority.
func newCA() (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key := newKey()
	ca := template("vcsim-vcdtpm CA")
	ca.IsCA, ca.BasicConstraintsValid = true, true
	ca.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	ca.SubjectKeyId = serial().Bytes()
	der, err := x509.CreateCertificate(rand.Reader, ca, ca, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

// newTLS makes a CA and a server certificate for the loopback address; the CA
// PEM is written to caOut when set, so clients can verify the server.
func newTLS(caOut string) (*tls.Config, error) {
	ca, caKey, err := newCA()
	if err != nil {
		return nil, err
	}
	leafKey := newKey()
	leaf := template("127.0.0.1")
	leaf.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	leaf.DNSNames = []string{"localhost"}
	leaf.KeyUsage = x509.KeyUsageDigitalSignature
	leaf.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	if caOut != "" {
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})
		if err := os.WriteFile(caOut, pemBytes, 0o644); err != nil {
			return nil, err
		}
	}
	cert := tls.Certificate{Certificate: [][]byte{leafDER, ca.Raw}, PrivateKey: leafKey}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// newEkCert is a fresh, self-signed endorsement-key certificate (DER).
func newEkCert(owner string) []byte {
	key := newKey()
	cert := template("vTPM EK " + owner)
	der, err := x509.CreateCertificate(rand.Reader, cert, cert, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return der
}

// onWire is how govmomi's XML codec keeps xsd:base64Binary values: it neither
// encodes nor decodes them, so device certificates are held as base64 text.
func onWire(der []byte) []byte {
	return []byte(base64.StdEncoding.EncodeToString(der))
}

// fromWire is the DER behind a certificate held as base64 text.
func fromWire(text []byte) []byte {
	der, err := base64.StdEncoding.DecodeString(string(text))
	if err != nil {
		return text
	}
	return der
}
