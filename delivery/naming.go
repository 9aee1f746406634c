package delivery

import (
	"strconv"
	"time"

	"github.com/kdsgo/kds/internal/uuid"
)

// objectName returns the name Firehose gives an object, after its
// prefix: <DeliveryStreamName>-<DeliveryStreamVersion>-<yyyy-MM-dd-HH-mm-ss>-<UUID>,
// with t in UTC.
func objectName(stream string, version int, t time.Time) string {
	return stream + "-" + strconv.Itoa(version) + "-" + t.UTC().Format("2006-01-02-15-04-05") + "-" + uuid.New()
}
