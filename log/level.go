package log

import "strings"

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
