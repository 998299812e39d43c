package admin

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/seed6ad8aa6b/kratos/log"
)

// maxLevelBody bounds the body of a PUT /loglevel.
const maxLevelBody = 1 << 10

// levelBody is the JSON of /loglevel, both ways.
type levelBody struct {
	Level string `json:"level"`
}

// levelName names a slog level by the level of package log it maps to;
// levels in between keep slog's name ("INFO+2").
func levelName(l slog.Level) string {
	for _, k := range []log.Level{log.LevelDebug, log.LevelInfo, log.LevelWarn, log.LevelError, log.LevelFatal} {
		if k.Level() == l {
			return k.String()
		}
	}
	return l.String()
}

// parseLevel reads a level name of package log, in any case.
func parseLevel(s string) (slog.Level, error) {
	switch up := strings.ToUpper(strings.TrimSpace(s)); up {
	case "DEBUG", "INFO", "WARN", "ERROR", "FATAL":
		return log.ParseLevel(up).Level(), nil
	}
	return 0, fmt.Errorf("unknown level %q: want debug, info, warn, error or fatal", s)
}

func (s *Server) getLevel(w http.ResponseWriter, _ *http.Request) {
	writeLevel(w, http.StatusOK, levelBody{Level: levelName(s.opts.level.Level())})
}

// setLevel sets the level from ?level= or, without it, from a JSON body
// {"level": "..."}, and answers with the new level.
func (s *Server) setLevel(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("level")
	if name == "" {
		var b levelBody
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxLevelBody))
		if err == nil {
			err = json.Unmarshal(data, &b)
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("want ?level= or a JSON body {\"level\":\"debug\"}: %v", err))
			return
		}
		name = b.Level
	}
	l, err := parseLevel(name)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	old := s.opts.level.Level()
	s.opts.level.Set(l)
	if old != l {
		// Warn, so that the line survives the level it announces.
		s.helper().Warnf("[admin] log level changed from %s to %s", levelName(old), levelName(l))
	}
	writeLevel(w, http.StatusOK, levelBody{Level: levelName(l)})
}

func writeLevel(w http.ResponseWriter, code int, b levelBody) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(b)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(struct {
		Error string `json:"error"`
	}{msg})
}
