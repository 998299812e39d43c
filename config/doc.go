// Package config assembles an application's configuration from one or more
// sources and keeps it current while the process runs.
//
// A [Source] yields [KeyValue] entries. Entries with a Format ("json",
// "yaml" or "yml", "xml", ...) are decoded with the codec of that name from
// package encoding; entries without one are plain values whose dotted key
// nests them, so the key "server.http.addr" becomes
// {"server": {"http": {"addr": value}}}. A codec that cannot decode into a
// map fails the load, except for XML: a document encoding/xml cannot read
// into a map is read as a tree instead (the root element's children are
// the top-level keys, text becomes strings, repeated elements lists).
// "proto" entries carry no schema and need a custom [Decoder].
//
// The trees of all sources are merged in the order the sources were given:
// later sources win, and maps are merged key by key at every depth (a later
// value replaces an earlier one, including zero values such as false, 0 and
// "", and lists are replaced, not appended to).
//
// After every load and every change the merged tree is passed to the
// [Resolver], which by default expands placeholders in string values:
//
//	${KEY}           the value at the dotted path KEY, as a string
//	${KEY:default}   the same, or default when KEY does not exist
//
// Several placeholders may appear in one string, a default may itself hold
// placeholders, and a referenced string is expanded before it is used. A
// placeholder whose key does not exist and that has no default expands to
// the empty string (as in Kratos); a key that holds a list, a map or null
// expands to the empty string too. A chain of references that leads back to
// itself, nests deeper than 32 levels or expands beyond 1 MiB makes the
// resolver fail with an error naming the placeholder; the configuration is
// then not applied. So does a configuration whose expansions together
// exceed 16 MiB ([WithExpansionBudget] changes this bound): each referenced
// key is expanded once per resolve, and every byte of expanded text counts,
// so a file of a few KB whose strings double at every reference is
// rejected after a few MiB of work. With [WithResolveActualTypes](true) a
// string that is exactly one placeholder becomes a bool, int64 or float64
// when its expansion parses as one.
//
// [Config.Value] looks a dotted path up (an element of a list is reached by
// its index: "servers.0.addr") and caches the [Value] it returns;
// [Config.Watch] registers an [Observer] for such a key. When a source
// reports a change, its entries replace the previous entries with the same
// key, all sources are merged and resolved again, and observers are called
// for the watched keys whose value really changed. An update that cannot be
// decoded, merged or resolved is logged and dropped: the last good
// configuration stays in place.
//
// [Config.Scan] converts the whole tree into a struct (through
// encoding/json) or a proto message (through protojson, so durations are
// written as "1.5s").
//
// Sources for files and directories live in package config/file, for
// environment variables in config/env, and for etcd in the separate module
// contrib/config/etcd.
//
// # Differences from Kratos v2
//
// The API is the same; these behaviours differ on purpose:
//
//   - A change is applied by merging all sources again in their order, so
//     the source that changed does not jump ahead of later sources, and a
//     key removed from a changed entry disappears (observers of it see a
//     Value returning ErrNotFound).
//   - Later values win even when they are zero values; Kratos's merge kept
//     the earlier value for false, 0 and "".
//   - Placeholders are expanded regardless of the order of the tree,
//     references to references work, cycles are reported instead of being
//     left half expanded, braces nest inside defaults, and one resolve
//     may produce at most 16 MiB of expanded text. Kratos's typed
//     mode converted any string holding a placeholder to the type of the
//     first one, dropping the rest of the string.
//   - Value.Duration accepts "1.5s"; Value.Store accepts values of any
//     type one after the other; "yml" is YAML; XML documents decode.
package config
