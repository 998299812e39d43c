// Package conf is the shape of configs/config.yaml. main reads the file
// with package config and scans it into a Bootstrap.
package conf

import (
	"encoding/json"
	"fmt"
	"time"
)

// Bootstrap is the whole configuration.
type Bootstrap struct {
	Server  Server  `json:"server"`
	Greeter Greeter `json:"greeter"`
}

// Server configures the listeners, and how long stopping them may take
// (zero keeps the App's default, 25s).
type Server struct {
	StopTimeout Duration `json:"stop_timeout"`
	HTTP        Listener `json:"http"`
	GRPC        Listener `json:"grpc"`
}

// Listener is one server's address and request timeout. An empty Network
// means "tcp"; a zero Timeout keeps the transport's default.
type Listener struct {
	Network string   `json:"network"`
	Addr    string   `json:"addr"`
	Timeout Duration `json:"timeout"`
}

// Greeter configures the greeting use case.
type Greeter struct {
	MaxNameLength int `json:"max_name_length"`
}

// Duration is a time.Duration written as "1.5s" (or a number of
// nanoseconds) in the configuration.
type Duration time.Duration

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case string:
		x, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("conf: duration %q: %w", v, err)
		}
		*d = Duration(x)
	case float64:
		*d = Duration(v)
	case nil:
		*d = 0
	default:
		return fmt.Errorf("conf: duration %s: want a string such as \"1s\"", b)
	}
	return nil
}

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }
