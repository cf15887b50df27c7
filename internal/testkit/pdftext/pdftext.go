// Package pdftext reads a Word file as a reader of its printout would: LibreOffice renders it
// to PDF and pdftotext takes the text, for tests of generated documents.
package pdftext

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

var spaces = regexp.MustCompile(`\s+`)

// FromDOCX converts the Word file docx it to PDF with LibreOffice headless and returns
// the PDF's text in reading order with every run of white space folded to one space. It skips when LibreOffice is missing,
// except in CI, where test.sh installs it.
func FromDOCX(t *testing.T, docx []byte) string {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("soffice is missing: apt-get install libreoffice-writer-nogui")
		}
		t.Skip("soffice is missing: apt-get install libreoffice-writer-nogui")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "report.docx"), docx, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "pdf", "--outdir", dir, filepath.Join(dir, "report.docx"))
	cmd.Env = append(os.Environ(), "HOME="+dir)
	done := make(chan error, 1)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("soffice: %v: %s", err, out.String())
		}
	case <-time.After(3 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("soffice did not finish in 3 minutes")
	}
	text, err := exec.Command("pdftotext", filepath.Join(dir, "report.pdf"), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v (soffice said %s)", err, out.String())
	}
	return spaces.ReplaceAllString(string(text), " ")
}
