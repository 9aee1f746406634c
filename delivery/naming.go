package delivery

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"time"
)

// objectName returns the name Firehose gives an object, after its
// prefix: <DeliveryStreamName>-<DeliveryStreamVersion>-<yyyy-MM-dd-HH-mm-ss>-<UUID>,
// with t in UTC.
func objectName(stream string, version int, t time.Time) string {
	return stream + "-" + strconv.Itoa(version) + "-" + t.UTC().Format("2006-01-02-15-04-05") + "-" + newUUID()
}

// newUUID returns a random (version 4) UUID in its usual text form.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
