package kds

// serviceMeta is the Service-wide state a store keeps (service.json).
type serviceMeta struct{}

// streamMeta is one stream's metadata a store keeps (stream.json).
type streamMeta struct {
	ID   uint64 `json:"id"`
	Name string `json:"name"`
}

// keysMeta is the state of the Service's own KeyService (keys.json).
type keysMeta struct{}
