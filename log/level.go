package log

import (
	"log/slog"
	"strings"
)

// Level is the severity of a record. Higher values are more severe.
type Level int8

// LevelKey is the conventional key under which a level is written by
// loggers that store it as a field.
const LevelKey = "level"

// The levels understood by this package.
const (
	// LevelDebug is for information useful when diagnosing a problem.
	LevelDebug Level = iota - 1
	// LevelInfo is the default level: normal operation worth recording.
	LevelInfo
	// LevelWarn is for unexpected situations the program recovered from.
	LevelWarn
	// LevelError is for failed operations.
	LevelError
	// LevelFatal is for errors after which the program cannot continue.
	// Logging at this level does not exit by itself; [Helper.Fatal] and
	// the package-level [Fatal] functions do.
	LevelFatal
)

// LevelVar is a level that can be read and changed while loggers use it:
// log/slog's LevelVar, safe for concurrent use, whose zero value is
// slog.LevelInfo. It holds a slog level; set one of this package's levels
// with its Level method:
//
//	var v log.LevelVar
//	v.Set(log.LevelDebug.Level())
//
// Give it to a [Filter] with [FilterLeveler]. Its MarshalText and
// UnmarshalText speak slog's names ("DEBUG", "INFO", "WARN", "ERROR").
//
// This type is not part of Kratos v2; Kratos v3 has the same alias.
type LevelVar = slog.LevelVar

// Leveler is anything that reports a slog level: a *[LevelVar], a
// slog.Level or a [Level].
//
// This type is not part of Kratos v2; Kratos v3 has the same alias.
type Leveler = slog.Leveler

var _ Leveler = LevelInfo

// Level returns the slog level that l maps to, by steps of four:
// LevelDebug is slog.LevelDebug (-4), LevelInfo slog.LevelInfo (0),
// LevelWarn slog.LevelWarn (4), LevelError slog.LevelError (8) and
// LevelFatal slog.Level(12). With it a Level is a [Leveler].
//
// This method is not part of Kratos v2.
func (l Level) Level() slog.Level {
	return slogLevel(l)
}

// Key returns [LevelKey].
func (l Level) Key() string {
	return LevelKey
}

// String returns the upper-case name of the level ("DEBUG", "INFO", "WARN",
// "ERROR", "FATAL"), or the empty string for a value that is none of the
// defined levels.
func (l Level) String() string {
	switch l {
	case LevelDebug:
		return "DEBUG"
	case LevelInfo:
		return "INFO"
	case LevelWarn:
		return "WARN"
	case LevelError:
		return "ERROR"
	case LevelFatal:
		return "FATAL"
	}
	return ""
}

// ParseLevel returns the level named s, ignoring case: "debug", "INFO",
// "Warn" and so on. Any other string, including the empty one, yields
// [LevelInfo].
func ParseLevel(s string) Level {
	switch strings.ToUpper(s) {
	case "DEBUG":
		return LevelDebug
	case "WARN":
		return LevelWarn
	case "ERROR":
		return LevelError
	case "FATAL":
		return LevelFatal
	}
	return LevelInfo
}
