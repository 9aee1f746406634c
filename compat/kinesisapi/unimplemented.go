package kinesisapi

import "net/http"

// unimplemented lists the Kinesis operations kds does not serve, with the
// reason. A call to one is answered as Kinesis answers an unknown
// operation, with a message that names the gap instead of none.
// COMPATIBILITY.md has the same list; a test keeps the two in step.
var unimplemented = map[string]string{
	"CreateChannel":                          "channels are not implemented",
	"DeleteChannel":                          "channels are not implemented",
	"DescribeChannel":                        "channels are not implemented",
	"ListChannels":                           "channels are not implemented",
	"UpdateChannel":                          "channels are not implemented",
	"DescribeAccountSettings":                "account settings are not implemented",
	"UpdateAccountSettings":                  "account settings are not implemented",
	"UpdateStreamWarmThroughput":             "warm throughput is not implemented",
	"UpdateStreamRecordDistributionStrategy": "record distribution strategies are not implemented",
}

// unimplementedError is the answer to a call of an unimplemented
// operation.
func unimplementedError(name, why string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: errUnknownOperation.Type,
		Message: "kds does not implement " + name + ": " + why + " (see COMPATIBILITY.md)"}
}
