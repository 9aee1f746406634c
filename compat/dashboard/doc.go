// Package dashboard serves a small web dashboard of a [kds.Service]: its
// streams, their shards with hash key ranges and lineage, live put and
// read rates, throttles, iterator age per consumer, and each stream's open
// shard count over time.
//
// Pages are rendered on the server with html/template; the CSS and a
// small script are embedded, so the dashboard needs no build step and
// works offline. The script refreshes the content of a page
// every two seconds by fetching the page again and swapping it in;
// without it the pages are still complete, only static.
//
// Everything is read through the Service's Kinesis operations and its
// CloudWatch-named metrics ([kds.Service.Metrics]), at the time of the
// Service's Clock, so a dashboard over a [kds.ManualClock] is
// deterministic.
//
// # Rates
//
// A rate is the sum of a metric over the 60 seconds before now, divided by
// 60. Metrics come as per-minute statistics, so the window is the current
// minute so far plus the part of the previous minute still inside it,
// taking the previous minute's samples as spread evenly over it. This moves
// smoothly as time passes, where the last complete minute would lag by up
// to two minutes and the current minute alone would jump at each minute's
// start. Throttles are counts over the same window. Iterator ages are the
// Maximum of the current minute, or of the previous one while the current
// has no samples.
//
// # Routes
//
// Links between pages are relative, so the handler can be mounted under
// any prefix with [http.StripPrefix] (kds serve mounts it at /kds/). A
// stream is named in the query, since a stream name may be "..":
//
//	/                     every stream
//	/stream?name=NAME     one stream
//	/api/streams          every stream, as JSON ([Overview])
//	/api/stream?name=NAME one stream, as JSON ([StreamDetail])
//	/assets/...           the stylesheet and the script
package dashboard
