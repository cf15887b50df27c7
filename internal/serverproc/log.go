package serverproc

import (
	"encoding/json"
	"os"
	"strings"
)

// LogTail returns the last lines of the server's log, leaving out requests answered below 500,
// which would otherwise bury the lines that explain a failure.
func (s *Server) LogTail(lines int) string {
	b, err := os.ReadFile(s.cfg.LogPath)
	if err != nil {
		return err.Error()
	}
	var kept []string
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if !successfulRequest(line) {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept[max(0, len(kept)-lines):], "\n")
}

func successfulRequest(line string) bool {
	var entry struct {
		Msg    string `json:"msg"`
		Status int    `json:"status"`
	}
	return json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "request" && entry.Status < 500
}
