package config

// KeyValue is one entry read from a [Source]: a file, an etcd key, an
// environment variable.
type KeyValue struct {
	// Key names the entry. Entries of one source with the same Key replace
	// each other when the source reports a change. For entries without a
	// Format it is also the dotted path the value is stored at.
	Key string
	// Value is the raw content.
	Value []byte
	// Format names the codec that decodes Value ("json", "yaml", ...). When
	// empty, Value is stored as a string at the path Key.
	Format string
}

// Source is where configuration comes from.
type Source interface {
	// Load reads every entry of the source.
	Load() ([]*KeyValue, error)
	// Watch returns a Watcher reporting changes made after the call. The
	// caller must Stop it.
	Watch() (Watcher, error)
}

// Watcher reports changes of a [Source].
type Watcher interface {
	// Next blocks until the source changes and returns the entries that
	// changed (or all entries). After Stop it returns an error, normally
	// one wrapping context.Canceled.
	Next() ([]*KeyValue, error)
	// Stop releases the watcher and makes a pending Next return.
	Stop() error
}
