package kds

import (
	"context"
	"strings"
	"time"

	"github.com/kdsgo/kds/internal/coral"
)

// MaxEncryptionChangesPerDay is how many times a stream may start, and
// separately stop, server-side encryption in any rolling 24 hours.
const MaxEncryptionChangesPerDay = 25

// maxKeyIDLength bounds a KeyId, as the API model does.
const maxKeyIDLength = 2048

// encryption is a stream's server-side encryption: on, under the KMS key
// keyID names (as StartStreamEncryption named it, which is what
// DescribeStream shows).
type encryption struct {
	keyID string
}

// StartStreamEncryptionInput is the input of [Service.StartStreamEncryption].
type StartStreamEncryptionInput struct {
	StreamName string
	StreamARN  string
	// EncryptionType must be KMS.
	EncryptionType EncryptionType
	// KeyId names the KMS key: a key ID, key ARN, alias name
	// ("alias/orders") or alias ARN; [AWSManagedKeyAlias] names the key
	// AWS manages for Kinesis.
	KeyId string
}

// StartStreamEncryptionOutput is the (empty) output of
// [Service.StartStreamEncryption].
type StartStreamEncryptionOutput struct{}

// StartStreamEncryption makes an ACTIVE stream encrypt the records put
// into it from now on under the KMS key KeyId names, or switches it to
// that key. The stream is UPDATING for the Service's update delay (see
// [StatusDelays]) and encrypts the records put once it is ACTIVE again;
// records already stored stay as they are. The key must be usable by the
// caller: the Service asks its [KeyProvider] for a data key under it
// first, and reports that call's KMS* exception if it fails. A stream may
// start encryption [MaxEncryptionChangesPerDay] times in any 24 hours.
func (svc *Service) StartStreamEncryption(ctx context.Context, in StartStreamEncryptionInput) (StartStreamEncryptionOutput, error) {
	return run(svc, ctx, opStartStreamEncryption, in, (*Service).startStreamEncryption)
}

// startStreamEncryption is the body of [Service.StartStreamEncryption].
func (svc *Service) startStreamEncryption(ctx context.Context, in StartStreamEncryptionInput) (StartStreamEncryptionOutput, error) {
	s, now, err := svc.beginEncryptionChange("StartStreamEncryption", streamRef{in.StreamName, in.StreamARN}, in.EncryptionType, in.KeyId)
	if err != nil {
		return StartStreamEncryptionOutput{}, err
	}
	dk, err := svc.kp.GenerateDataKey(svc.keyContext(ctx), in.KeyId)
	if err != nil {
		return StartStreamEncryptionOutput{}, kmsError(err)
	}
	clear(dk.Plaintext)
	err = s.changeEncryption(now, &s.keyStarts, streamChange{kind: changeStartEncryption, keyID: in.KeyId}, "apply a KMS key for server-side encryption")
	return StartStreamEncryptionOutput{}, err
}

// StopStreamEncryptionInput is the input of [Service.StopStreamEncryption].
type StopStreamEncryptionInput struct {
	StreamName string
	StreamARN  string
	// EncryptionType must be KMS.
	EncryptionType EncryptionType
	// KeyId names the KMS key the stream is encrypted with, in any form
	// StartStreamEncryption takes.
	KeyId string
}

// StopStreamEncryptionOutput is the (empty) output of
// [Service.StopStreamEncryption].
type StopStreamEncryptionOutput struct{}

// StopStreamEncryption makes an ACTIVE stream stop encrypting the records
// put into it, after the stream's UPDATING time as for
// [Service.StartStreamEncryption]. KeyId must name the key the stream is
// encrypted with (in any form; InvalidArgumentException otherwise), so
// that access control, which authorises the key the request names, lets
// only those who may use the stream's key turn it off. Records already
// stored encrypted stay encrypted, and reading them still needs their KMS
// key. A stream that does not encrypt is left alone. A stream may stop
// encryption [MaxEncryptionChangesPerDay] times in any 24 hours.
func (svc *Service) StopStreamEncryption(ctx context.Context, in StopStreamEncryptionInput) (StopStreamEncryptionOutput, error) {
	return run(svc, ctx, opStopStreamEncryption, in, (*Service).stopStreamEncryption)
}

// stopStreamEncryption is the body of [Service.StopStreamEncryption].
func (svc *Service) stopStreamEncryption(ctx context.Context, in StopStreamEncryptionInput) (StopStreamEncryptionOutput, error) {
	s, now, err := svc.beginEncryptionChange("StopStreamEncryption", streamRef{in.StreamName, in.StreamARN}, in.EncryptionType, in.KeyId)
	if err != nil {
		return StopStreamEncryptionOutput{}, err
	}
	enc := s.encryption.Load()
	if enc == nil {
		return StopStreamEncryptionOutput{}, nil
	}
	if svc.kmsKeyResource(in.KeyId) != svc.kmsKeyResource(enc.keyID) {
		return StopStreamEncryptionOutput{}, newError(codeInvalidArgument, "Stream %s under account %s is not encrypted with KMS key %s.", s.name, svc.cfg.accountID, in.KeyId)
	}
	err = s.changeEncryption(now, &s.keyStops, streamChange{kind: changeStopEncryption, keyID: enc.keyID}, "disable server-side encryption")
	return StopStreamEncryptionOutput{}, err
}

// beginEncryptionChange validates a Start- or StopStreamEncryption
// request (op) and returns its stream, which is ACTIVE.
func (svc *Service) beginEncryptionChange(op string, ref streamRef, typ EncryptionType, keyID string) (*Stream, time.Time, error) {
	var v violations
	switch typ {
	case "":
		v.add("null", "encryptionType", coral.MustNotBeNull)
	case EncryptionNone, EncryptionKMS:
	default:
		v.add(quote(string(typ)), "encryptionType", enumValues(string(EncryptionNone), string(EncryptionKMS)))
	}
	switch {
	case keyID == "":
		v.add("null", "keyId", coral.MustNotBeNull)
	case len(keyID) > maxKeyIDLength:
		v.add(quote(keyID), "keyId", lengthAtMost(maxKeyIDLength))
	}
	s, now, err := svc.resolve(v, ref)
	if err != nil {
		return nil, now, err
	}
	if typ != EncryptionKMS {
		return nil, now, newError(codeInvalidArgument, "EncryptionType %s is not valid for %s. KMS is the only valid EncryptionType.", typ, op)
	}
	if err := s.requireActive(now); err != nil {
		return nil, now, err
	}
	return s, now, nil
}

// changeEncryption counts a change of the stream's encryption in recent
// (the rolling 24 hours of Start or of Stop, whose limit what words) and
// schedules c for the end of the stream's UPDATING time.
func (s *Stream) changeEncryption(now time.Time, recent *[]time.Time, c streamChange, what string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending.Load() != nil {
		return s.notActive(StreamStatusUpdating)
	}
	*recent = lastDay(*recent, now)
	if len(*recent) >= MaxEncryptionChangesPerDay {
		return newError(codeLimitExceeded, "Stream %s under account %s cannot %s more than %d times in a rolling 24-hour period.", s.name, s.svc.cfg.accountID, what, MaxEncryptionChangesPerDay)
	}
	*recent = append(*recent, now)
	return s.scheduleLocked(now, 0, c)
}

// encryptionType returns how the stream stores the records put into it
// now, and the KeyId it was given.
func (s *Stream) encryptionType() (EncryptionType, string) {
	if enc := s.encryption.Load(); enc != nil {
		return EncryptionKMS, enc.keyID
	}
	return EncryptionNone, ""
}

// encryptionResources returns the ARNs a Start- or StopStreamEncryption
// request acts on: the stream's and the KMS key's, both of which IAM
// checks for these operations. For Stop the key named must be the
// stream's (the operation refuses another), so the key authorised is the
// one whose encryption stops.
func (svc *Service) encryptionResources(name, arn, keyID string) []string {
	out := svc.streamResource(name, arn)
	if keyID != "" {
		out = append(out, svc.kmsKeyResource(keyID))
	}
	return out
}

// kmsKeyResource returns the ARN of the KMS key keyID names, as the key
// provider resolves it; failing that, the ARN keyID itself is or spells.
func (svc *Service) kmsKeyResource(keyID string) string {
	if arn, err := svc.kp.ResolveKey(context.Background(), keyID); err == nil {
		return arn
	}
	if strings.HasPrefix(keyID, "arn:") {
		return keyID
	}
	if !strings.HasPrefix(keyID, "alias/") {
		keyID = "key/" + keyID
	}
	return "arn:" + svc.partition() + ":kms:" + svc.cfg.region + ":" + svc.cfg.accountID + ":" + keyID
}
