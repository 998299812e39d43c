// Package log is the structured logging layer of kratos.
//
// Everything is built around one tiny interface, [Logger], whose single
// method receives a [Level] and an alternating list of keys and values:
//
//	logger.Log(log.LevelInfo, "msg", "order created", "order_id", 42)
//
// The pieces fit together like this:
//
//   - [NewStdLogger] is the sink shipped with the package. It writes one line
//     per record, "LEVEL key=value key=value", with a single Write call.
//   - [With] returns a Logger that puts fixed key/value pairs in front of
//     every record. A value of type [Valuer] is not logged as is: it is
//     called at log time with the logger's context, which is how
//     [DefaultTimestamp], [DefaultCaller] or a trace ID reach each line.
//     [WithContext] sets that context.
//   - [NewFilter] drops records below a level, masks sensitive keys or
//     values, or applies a custom predicate.
//   - [Helper] is the convenience front end used by application code:
//     Info, Infof, Infow and friends for every level.
//   - The package-level functions ([Info], [Errorf], ...) log through a
//     process-wide logger managed by [SetLogger] and [GetLogger].
//   - [NewWriter] turns a Logger into an [io.Writer] for code that wants one,
//     such as the standard library's log package or http.Server.ErrorLog.
//   - [NewSlogHandler] and [NewSlogLogger] bridge to and from [log/slog].
//   - [Enabled] tells whether a record at a level could be written, so that
//     code building costly records can skip them, and [LogContext] logs
//     with a context without building a context-bound copy of the logger
//     (neither is part of Kratos v2).
//
// A nil Logger passed to any constructor in this package discards every
// record instead of panicking. Loggers, helpers and filters returned by this
// package are safe for concurrent use once built.
package log
