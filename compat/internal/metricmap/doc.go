// Package metricmap says what each CloudWatch metric of kds becomes when it
// is exported: its Prometheus name and type, its OpenTelemetry instrument
// name and unit, and the labels or attributes that carry its dimensions.
// compat/promexport and compat/otelexport both apply it, so the two
// exporters name, scale and pick statistics the same way.
//
// Nothing here is written per metric. The catalogue of metrics comes from
// the core itself (see [All]), and each exported name is derived from the
// CloudWatch name by the rules of names.go, which depend only on the name,
// its unit and its dimensions. COMPATIBILITY.md's "Metrics" table lists the
// result; a test keeps the two in step.
package metricmap
