// Package envelope encrypts record payloads on the client side, so that
// a stream never holds them in plaintext: producers seal each payload
// before it goes to a kds.Producer or PutRecord, and consumers open it
// after they read it. The keys come from a kds.KeyProvider (the
// in-process kds.KeyService, or an adapter to AWS KMS), the same
// interface server-side encryption uses.
//
// # Envelope encryption
//
// An [Envelope] asks the provider for a 256-bit data key under a KMS key
// and seals payloads with it using AES-256-GCM, each with a random
// 96-bit nonce. Every sealed payload carries the data key encrypted under
// the KMS key, so a consumer with the right to decrypt under that KMS key
// can open it without anything else.
//
// A data key seals at most [DefaultMaxMessages] payloads (see
// [WithMaxMessages]) and is used for at most [DefaultMaxAge]
// ([WithMaxAge]); then the next Seal asks the provider for a new one. The
// bound on messages keeps random nonces far from colliding. Open keeps
// the data keys it has decrypted for the same time, so a consumer asks
// the provider once per data key rather than once per record.
//
// # Who may seal and open
//
// An Envelope opens only payloads sealed under its own KMS key, and under
// the keys [WithOpenKeys] adds; it refuses any other with
// [ErrUnexpectedKey] before asking the provider. A payload names the key
// it was sealed under, and whoever may use some other key (the AWS
// managed key, say, which every principal of the account may use) could
// otherwise seal payloads a consumer would take for genuine.
//
// Each caller (the principal of the context's kds.Caller) has its own
// data keys: one Envelope may serve several principals, and the provider
// judges each of them, since a data key made or decrypted for one never
// seals or opens for another. Nor does a caller's own sealing key open
// anything: opening always has the provider decrypt, so a producer
// allowed to make data keys but not to decrypt them cannot read back
// what it sealed. A key that is disabled, or a caller removed from its
// users, is refused at once by a provider that counts its changes
// (kds.KeyChangeCounter, which kds.KeyService implements), and within
// WithMaxAge by any other.
//
// # Format
//
// A sealed payload is, in order:
//
//	version             1 byte, 1
//	KMS key ARN length  2 bytes, big-endian
//	KMS key ARN         that many bytes
//	encrypted key len   2 bytes, big-endian
//	encrypted data key  that many bytes
//	nonce               12 bytes
//	ciphertext          the payload's length, then the 16-byte GCM tag
//
// The bytes before the nonce (the header) are the GCM additional data,
// so changing the key ARN or the encrypted data key is detected as well
// as changing the ciphertext. With the in-process KeyService the
// overhead is about 200 bytes per payload (a 75-byte ARN and a 97-byte
// encrypted key); payloads of PutRecord's 1 MiB limit therefore have
// that much less room.
//
// # What it protects
//
// The payload, from everything between the producer and the consumer:
// the stream's memory, a wire server's logs, anyone who can call
// GetRecords without the KMS key. It does not hide partition keys,
// explicit hash keys, sizes, timing or sequence numbers, and it does not
// stop a reader from deleting, reordering or replaying whole records; a
// payload that must be tied to its position should say so inside itself.
package envelope
