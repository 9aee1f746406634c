package main

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestTLSConfig(t *testing.T) {
	if conf, err := tlsConfig(false, "", ""); conf != nil || err != nil {
		t.Errorf("no TLS flags: %v, %v; want plain HTTP", conf, err)
	}

	conf, err := tlsConfig(true, "", "")
	if err != nil {
		t.Fatal(err)
	}
	leaf := conf.Certificates[0].Leaf
	for _, host := range []string{"localhost", "127.0.0.1", "::1"} {
		if err := leaf.VerifyHostname(host); err != nil {
			t.Errorf("self-signed certificate: %v", err)
		}
	}
	if now := time.Now(); now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
		t.Errorf("self-signed certificate valid %v to %v, not now", leaf.NotBefore, leaf.NotAfter)
	}
	if leaf.PublicKeyAlgorithm != x509.ECDSA {
		t.Errorf("key algorithm %v, want ECDSA", leaf.PublicKeyAlgorithm)
	}

	// The same certificate, given as files.
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	key, err := x509.MarshalPKCS8PrivateKey(conf.Certificates[0].PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, certFile, "CERTIFICATE", leaf.Raw)
	writePEM(t, keyFile, "PRIVATE KEY", key)
	fromFiles, err := tlsConfig(false, certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fromFiles.Certificates[0].Certificate[0], leaf.Raw) {
		t.Error("the certificate loaded from files is not the one written")
	}

	if _, err := tlsConfig(false, certFile, filepath.Join(dir, "missing.pem")); err == nil {
		t.Error("a missing key file gives no error")
	}
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
