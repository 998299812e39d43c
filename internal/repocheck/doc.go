// Package repocheck holds tests that guard the shape of the repository: the
// root module's dependency allowlist and the import layering of its
// packages (DESIGN.md §3 and §4). It has no code of its own.
package repocheck
