// Package lambdaadapter runs handlers written for AWS Lambda against the
// aws-lambda-go events types as handlers of a kds trigger.Mapping: a
// function declared as
//
//	func(ctx context.Context, e events.KinesisEvent) (events.KinesisEventResponse, error)
//
// or, for tumbling windows, as
//
//	func(ctx context.Context, e events.KinesisTimeWindowEvent) (events.KinesisTimeWindowEventResponse, error)
//
// is given to [Handler] or [TimeWindowHandler], and the result is the
// trigger.Handler of a mapping's Config:
//
//	cfg.Handler = lambdaadapter.Handler(myLambdaHandler)
//
// The handler then gets, for each batch, the event Lambda would send it
// for the same records (every member of every record, the window and its
// state), and its response (batch item failures, window state) goes back
// to the mapping as Lambda would read it. [Event] and [TimeWindowEvent]
// convert one event on its own.
//
// The handler's context is the mapping's: it carries no
// lambdacontext.LambdaContext.
package lambdaadapter
