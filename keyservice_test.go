package kds_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// newKeyService returns a KeyService of the test account on a
// ManualClock at testStart.
func newKeyService(t *testing.T) (*kds.KeyService, *kds.ManualClock) {
	t.Helper()
	clock := kds.NewManualClock(testStart)
	ks, err := kds.NewKeyService(testAccount, "us-east-1", clock)
	if err != nil {
		t.Fatal(err)
	}
	return ks, clock
}

// kmsARN is the ARN of a KMS resource of the test account.
func kmsARN(resource string) string {
	return "arn:aws:kms:us-east-1:" + testAccount + ":" + resource
}

func TestNewKeyServiceChecksItsArguments(t *testing.T) {
	if _, err := kds.NewKeyService("123", "us-east-1", nil); err == nil {
		t.Error("NewKeyService took a 3-digit account")
	}
	if _, err := kds.NewKeyService(testAccount, "mars", nil); err == nil {
		t.Error("NewKeyService took region mars")
	}
}

func TestKeyServiceResolvesEveryKeyForm(t *testing.T) {
	ks, _ := newKeyService(t)
	k := ks.CreateKey()
	if err := ks.CreateAlias("alias/orders", k.KeyID); err != nil {
		t.Fatal(err)
	}
	managed, err := ks.Key(kds.AWSManagedKeyAlias)
	if err != nil || !managed.AWSManaged || managed.State != kds.KeyStateEnabled {
		t.Fatalf("the AWS managed key: %+v, %v", managed, err)
	}
	const unknown = "11111111-2222-4333-8444-555555555555"
	for _, tc := range []struct {
		keyID, arn string
		err        *kds.Error
		msg        string
	}{
		{keyID: k.KeyID, arn: k.ARN},
		{keyID: k.ARN, arn: k.ARN},
		{keyID: "alias/orders", arn: k.ARN},
		{keyID: kmsARN("alias/orders"), arn: k.ARN},
		{keyID: kds.AWSManagedKeyAlias, arn: managed.ARN},
		{keyID: kmsARN("alias/aws/kinesis"), arn: managed.ARN},
		{keyID: unknown, err: kds.ErrKMSNotFound, msg: "Key '" + kmsARN("key/"+unknown) + "' does not exist"},
		{keyID: kmsARN("key/" + unknown), err: kds.ErrKMSNotFound, msg: "Key '" + kmsARN("key/"+unknown) + "' does not exist"},
		{keyID: "alias/nope", err: kds.ErrKMSNotFound, msg: "Alias " + kmsARN("alias/nope") + " is not found."},
		{keyID: "arn:aws:kms:eu-west-1:" + testAccount + ":key/" + k.KeyID, err: kds.ErrKMSNotFound,
			msg: "Key '" + kmsARN("key/"+k.KeyID) + "' does not exist"},
		{keyID: "arn:aws:kms:us-east-1:111122223333:key/" + k.KeyID, err: kds.ErrKMSAccessDenied,
			msg: "User: arn:aws:iam::000000000000:root is not authorized to perform: kms:DescribeKey on resource: arn:aws:kms:us-east-1:111122223333:key/" + k.KeyID},
		{keyID: "n/a", err: kds.ErrKMSNotFound, msg: "Invalid keyId n/a"},
		{keyID: "arn:aws:s3:::bucket", err: kds.ErrKMSNotFound, msg: "Invalid arn arn:aws:s3:::bucket"},
	} {
		arn, err := ks.ResolveKey(ctx, tc.keyID)
		if tc.err == nil {
			if err != nil || arn != tc.arn {
				t.Errorf("ResolveKey(%q) = %q, %v; want %q", tc.keyID, arn, err, tc.arn)
			}
			continue
		}
		t.Run(tc.keyID, func(t *testing.T) { wantErr(t, err, tc.err, tc.msg) })
	}
}

func TestKeyServiceDataKeysRoundTrip(t *testing.T) {
	ks, _ := newKeyService(t)
	a, b := ks.CreateKey(), ks.CreateKey()
	dk, err := ks.GenerateDataKey(ctx, a.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	if len(dk.Plaintext) != kds.DataKeySize || dk.KeyARN != a.ARN || bytes.Contains(dk.Encrypted, dk.Plaintext) {
		t.Fatalf("data key: %d bytes under %s, encrypted form %x", len(dk.Plaintext), dk.KeyARN, dk.Encrypted)
	}
	again, _ := ks.GenerateDataKey(ctx, a.KeyID)
	if bytes.Equal(again.Plaintext, dk.Plaintext) {
		t.Fatal("two data keys are the same")
	}
	plain, err := ks.Decrypt(ctx, a.ARN, dk.Encrypted)
	if err != nil || !bytes.Equal(plain, dk.Plaintext) {
		t.Fatalf("Decrypt = %x, %v; want %x", plain, err, dk.Plaintext)
	}
	_, err = ks.Decrypt(ctx, b.ARN, dk.Encrypted)
	wantErr(t, err, kds.ErrKMSAccessDenied, "The encrypted data key was not made under KMS key "+b.ARN+".")
	tampered := bytes.Clone(dk.Encrypted)
	tampered[len(tampered)-1] ^= 1
	_, err = ks.Decrypt(ctx, a.ARN, tampered)
	wantErr(t, err, kds.ErrKMSAccessDenied, "The encrypted data key was not made under KMS key "+a.ARN+".")
}

func TestKeyServiceKeyStates(t *testing.T) {
	ks, clock := newKeyService(t)
	k := ks.CreateKey()
	if err := ks.CreateAlias("alias/k", k.KeyID); err != nil {
		t.Fatal(err)
	}
	generate := func() error {
		_, err := ks.GenerateDataKey(ctx, "alias/k")
		return err
	}
	dk, _ := ks.GenerateDataKey(ctx, k.KeyID)
	decrypt := func() error {
		_, err := ks.Decrypt(ctx, k.ARN, dk.Encrypted)
		return err
	}
	if err := ks.DisableKey(k.KeyID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, generate(), kds.ErrKMSDisabled, k.ARN+" is disabled.")
	wantErr(t, decrypt(), kds.ErrKMSDisabled, k.ARN+" is disabled.")
	if err := ks.EnableKey("alias/k"); err != nil || generate() != nil || decrypt() != nil {
		t.Fatalf("after EnableKey: %v, %v, %v", err, generate(), decrypt())
	}
	_, err := ks.ScheduleKeyDeletion(k.KeyID, 3)
	wantErr(t, err, kds.ErrInvalidArgument, "The pending window must be between 7 and 30 days; 3 is not.")
	at, err := ks.ScheduleKeyDeletion(k.KeyID, 0)
	if err != nil || !at.Equal(testStart.Add(30*24*time.Hour)) {
		t.Fatalf("ScheduleKeyDeletion = %v, %v", at, err)
	}
	pending := k.ARN + " is pending deletion."
	wantErr(t, generate(), kds.ErrKMSInvalidState, pending)
	wantErr(t, decrypt(), kds.ErrKMSInvalidState, pending)
	wantErr(t, ks.EnableKey(k.KeyID), kds.ErrKMSInvalidState, pending)
	if err := ks.CancelKeyDeletion(k.KeyID); err != nil {
		t.Fatal(err)
	}
	if m, _ := ks.Key(k.KeyID); m.State != kds.KeyStateDisabled {
		t.Fatalf("after CancelKeyDeletion the key is %s, want Disabled", m.State)
	}
	wantErr(t, ks.CancelKeyDeletion(k.KeyID), kds.ErrKMSInvalidState, k.ARN+" is not pending deletion.")
	if _, err := ks.ScheduleKeyDeletion(k.KeyID, 7); err != nil {
		t.Fatal(err)
	}
	clock.Advance(7*24*time.Hour - time.Millisecond)
	wantErr(t, generate(), kds.ErrKMSInvalidState, pending)
	clock.Advance(time.Millisecond)
	wantErr(t, generate(), kds.ErrKMSNotFound, "Alias "+kmsARN("alias/k")+" is not found.")
	wantErr(t, decrypt(), kds.ErrKMSNotFound, "Key '"+k.ARN+"' does not exist")
}

func TestKeyServiceKeyUsers(t *testing.T) {
	ks, _ := newKeyService(t)
	k := ks.CreateKey()
	const alice, bob = "arn:aws:iam::000000000000:user/alice", "arn:aws:iam::000000000000:user/bob"
	if err := ks.SetKeyUsers(k.KeyID, alice); err != nil {
		t.Fatal(err)
	}
	as := func(p string) error {
		_, err := ks.GenerateDataKey(kds.WithCaller(ctx, kds.Caller{Principal: p}), k.ARN)
		return err
	}
	if err := as(alice); err != nil {
		t.Fatalf("alice: %v", err)
	}
	wantErr(t, as(bob), kds.ErrKMSAccessDenied, "User: "+bob+" is not authorized to perform: kms:GenerateDataKey on resource: "+k.ARN)
	_, err := ks.GenerateDataKey(ctx, k.ARN)
	wantErr(t, err, kds.ErrKMSAccessDenied, "User: arn:aws:iam::000000000000:root is not authorized to perform: kms:GenerateDataKey on resource: "+k.ARN)
	if err := ks.SetKeyUsers(k.KeyID); err != nil || as(bob) != nil {
		t.Fatalf("after lifting the restriction: %v, %v", err, as(bob))
	}
}

func TestKeyServiceRefusesBadAdministration(t *testing.T) {
	ks, _ := newKeyService(t)
	k := ks.CreateKey()
	if err := ks.CreateAlias("alias/taken", k.KeyID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		err  error
		want *kds.Error
		msg  string
	}{
		{"alias without prefix", ks.CreateAlias("orders", k.KeyID), kds.ErrInvalidArgument,
			"Alias name orders must begin with alias/ and then use only letters, digits, '/', '_' and '-'."},
		{"alias with a space", ks.CreateAlias("alias/a b", k.KeyID), kds.ErrInvalidArgument,
			"Alias name alias/a b must begin with alias/ and then use only letters, digits, '/', '_' and '-'."},
		{"reserved alias", ks.CreateAlias("alias/aws/mine", k.KeyID), kds.ErrInvalidArgument,
			"Alias names beginning with alias/aws/ are reserved for AWS managed keys."},
		{"alias to an alias", ks.CreateAlias("alias/b", "alias/taken"), kds.ErrInvalidArgument,
			"An alias must point to a key, not to the alias alias/taken."},
		{"alias taken", ks.CreateAlias("alias/taken", k.KeyID), kds.ErrInvalidArgument,
			"An alias with the name " + kmsARN("alias/taken") + " already exists."},
		{"alias to nothing", ks.CreateAlias("alias/c", "alias/none"), kds.ErrInvalidArgument,
			"An alias must point to a key, not to the alias alias/none."},
		{"disable the AWS managed key", ks.DisableKey(kds.AWSManagedKeyAlias), kds.ErrKMSInvalidState, ""},
		{"disable an unknown key", ks.DisableKey("alias/none"), kds.ErrKMSNotFound, "Alias " + kmsARN("alias/none") + " is not found."},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.err, tc.want, tc.msg) })
	}
	if m, _ := ks.Key(kds.AWSManagedKeyAlias); m.State != kds.KeyStateEnabled {
		t.Fatalf("the AWS managed key is %s after a refused DisableKey", m.State)
	}
}

// TestKeyServiceDefaultUsersAreTheAccount: a key without a list of users
// (the AWS managed key included) serves the principals of its own account
// only; a principal of another account needs to be named with
// SetKeyUsers, and a principal that names no account is refused.
func TestKeyServiceDefaultUsersAreTheAccount(t *testing.T) {
	ks, _ := newKeyService(t)
	cmk := ks.CreateKey()
	managed, _ := ks.Key(kds.AWSManagedKeyAlias)
	const (
		user     = "arn:aws:iam::000000000000:user/alice"
		session  = "arn:aws:sts::000000000000:assumed-role/reader/s1"
		foreign  = "arn:aws:iam::111122223333:user/carol"
		fRoot    = "arn:aws:iam::111122223333:root"
		fAccount = "111122223333"
		noARN    = "kinesis.amazonaws.com"
	)
	dk, err := ks.GenerateDataKey(ctx, cmk.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	mdk, err := ks.GenerateDataKey(ctx, managed.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []struct {
		name string
		meta kds.KeyMetadata
		dk   kds.DataKey
	}{{"customer key", cmk, dk}, {"AWS managed key", managed, mdk}} {
		for _, tc := range []struct {
			principal string
			ok        bool
		}{
			{"", true}, // no Caller: the account's root
			{"arn:aws:iam::000000000000:root", true},
			{"000000000000", true},
			{user, true},
			{session, true},
			{foreign, false},
			{fRoot, false},
			{fAccount, false},
			{noARN, false},
		} {
			c := ctx
			if tc.principal != "" {
				c = kds.WithCaller(ctx, kds.Caller{Principal: tc.principal})
			}
			_, genErr := ks.GenerateDataKey(c, key.meta.KeyID)
			_, decErr := ks.Decrypt(c, key.meta.ARN, key.dk.Encrypted)
			if tc.ok {
				if genErr != nil || decErr != nil {
					t.Errorf("%s, %s: GenerateDataKey %v, Decrypt %v; want both allowed", tc.principal, key.name, genErr, decErr)
				}
				continue
			}
			for action, err := range map[string]error{"GenerateDataKey": genErr, "Decrypt": decErr} {
				t.Run(key.name+"/"+tc.principal+"/"+action, func(t *testing.T) {
					wantErr(t, err, kds.ErrKMSAccessDenied, "User: "+tc.principal+" is not authorized to perform: kms:"+action+" on resource: "+key.meta.ARN)
				})
			}
		}
	}
	// Naming a principal of another account lets it in, and only it.
	if err := ks.SetKeyUsers(cmk.KeyID, foreign); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Decrypt(kds.WithCaller(ctx, kds.Caller{Principal: foreign}), cmk.ARN, dk.Encrypted); err != nil {
		t.Errorf("%s, named as a user of the key: %v", foreign, err)
	}
	_, err = ks.Decrypt(kds.WithCaller(ctx, kds.Caller{Principal: fRoot}), cmk.ARN, dk.Encrypted)
	wantErr(t, err, kds.ErrKMSAccessDenied, "")
}
