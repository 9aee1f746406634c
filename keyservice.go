package kds

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kdsgo/kds/iam"
	"github.com/kdsgo/kds/internal/aesgcm"
	"github.com/kdsgo/kds/internal/awsarn"
	"github.com/kdsgo/kds/internal/uuid"
)

// KeyState is the state of a KMS key in a [KeyService].
type KeyState string

// The key states a KeyService models. Only an Enabled key makes and
// decrypts data keys.
const (
	KeyStateEnabled         KeyState = "Enabled"
	KeyStateDisabled        KeyState = "Disabled"
	KeyStatePendingDeletion KeyState = "PendingDeletion"
)

// AWSManagedKeyAlias names the key AWS manages for Kinesis in every
// account. Every [KeyService] has it from the start; it is always
// enabled.
const AWSManagedKeyAlias = "alias/aws/kinesis"

// Deletion waiting periods of ScheduleKeyDeletion, in days, as KMS has them.
const (
	MinKeyDeletionDays     = 7
	MaxKeyDeletionDays     = 30
	DefaultKeyDeletionDays = 30
)

// KeyMetadata describes a KMS key of a [KeyService].
type KeyMetadata struct {
	KeyID string
	ARN   string
	State KeyState
	// AWSManaged is set for the key behind [AWSManagedKeyAlias].
	AWSManaged bool
	// DeletionDate is when a key pending deletion will be deleted.
	DeletionDate time.Time
	// Users are the principals the key is restricted to (see
	// [KeyService.SetKeyUsers]); empty means any principal of the key's
	// own account.
	Users []string
}

// KeyService is an in-process key management service, the
// [KeyProvider] every [Service] has unless [WithKeyProvider] replaces it
// ([Service.Keys] returns it). It holds symmetric KMS keys in one account
// and region, with the states and aliases of AWS KMS, and makes and
// decrypts data keys under them with AES-256-GCM. Deleting a key takes
// the waiting period on its clock, as in KMS; afterwards the key is gone
// and what was encrypted under it can no longer be decrypted.
//
// A change of a key's state or users takes effect at once for every
// Service that uses the KeyService, and every envelope.Envelope: they
// re-check their cached data keys after any change (see
// [KeyChangeCounter]). A KeyService never reports KMSOptInRequired or
// KMSThrottlingException. It is safe for concurrent use.
type KeyService struct {
	partition, region, account string
	root                       string // the ARN of the account's root
	clock                      Clock
	generation                 atomic.Uint64 // counts changes of any key's state or users

	mu      sync.Mutex
	keys    map[string]*kmsKey // by key ID
	aliases map[string]string  // alias name ("alias/x") to key ID
	// persist, if set, saves the keys after every change; it is set on
	// the KeyService of a Service with a data directory.
	persist func(*keysMeta) error
}

// kmsKey is one KMS key of a KeyService.
type kmsKey struct {
	id, arn    string
	material   [DataKeySize]byte // the key itself; it leaves the service only for its data directory
	aead       cipher.AEAD       // material's cipher
	state      KeyState
	awsManaged bool
	deleteAt   time.Time
	users      []string // nil: any principal of the account
}

// NewKeyService returns a KeyService for the account and region given,
// with the AWS managed key for Kinesis in it, reading clock for key
// deletion (nil means [RealClock]). Give it to several Services with
// [WithKeyProvider] to share keys between them.
func NewKeyService(accountID, region string, clock Clock) (*KeyService, error) {
	var errs []error
	if !awsarn.IsAccountID(accountID) {
		errs = append(errs, fmt.Errorf("kds: NewKeyService: account %q is not 12 digits", accountID))
	}
	if !regionPattern.MatchString(region) {
		errs = append(errs, fmt.Errorf("kds: NewKeyService: %q is not a region name like us-east-1", region))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if clock == nil {
		clock = RealClock{}
	}
	return newKeyService(accountID, region, clock), nil
}

func newKeyService(accountID, region string, clock Clock) *KeyService {
	ks := &KeyService{
		partition: partitionOf(region), region: region, account: accountID, clock: clock,
		root: rootARN(partitionOf(region), accountID),
		keys: make(map[string]*kmsKey), aliases: make(map[string]string),
	}
	k := ks.addKey()
	k.awsManaged = true
	ks.aliases[AWSManagedKeyAlias] = k.id
	return ks
}

// addKey makes a new enabled key. The caller holds ks.mu or owns ks.
func (ks *KeyService) addKey() *kmsKey {
	var material [DataKeySize]byte
	rand.Read(material[:]) // never fails
	k := ks.newKey(uuid.New(), material)
	ks.keys[k.id] = k
	return k
}

// newKey returns an enabled key with the given ID and material.
func (ks *KeyService) newKey(id string, material [DataKeySize]byte) *kmsKey {
	return &kmsKey{id: id, arn: ks.arn("key/" + id), material: material, aead: aesgcm.New(material[:]), state: KeyStateEnabled}
}

// arn returns the ARN of a KMS resource ("key/<id>", "alias/<name>").
func (ks *KeyService) arn(resource string) string {
	return "arn:" + ks.partition + ":kms:" + ks.region + ":" + ks.account + ":" + resource
}

// KeyChanges counts the changes made to any key's state or users; see
// [KeyChangeCounter].
func (ks *KeyService) KeyChanges() uint64 { return ks.generation.Load() }

// changed records a change of a key's state or users.
func (ks *KeyService) changed() { ks.generation.Add(1) }

// CreateKey creates an enabled symmetric key and returns its metadata.
func (ks *KeyService) CreateKey() KeyMetadata {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	k := ks.addKey()
	// A failed save has failed the Service's data directory, which reports
	// it from then on; the key stays usable in memory.
	_ = ks.persistLocked()
	return k.metadata()
}

// Key returns the metadata of the key keyID names, in any of the forms
// of [KeyProvider.ResolveKey].
func (ks *KeyService) Key(keyID string) (KeyMetadata, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	k, err := ks.findLocked(keyID, "", "DescribeKey")
	if err != nil {
		return KeyMetadata{}, err
	}
	return k.metadata(), nil
}

func (k *kmsKey) metadata() KeyMetadata {
	m := KeyMetadata{KeyID: k.id, ARN: k.arn, State: k.state, AWSManaged: k.awsManaged, Users: slices.Clone(k.users)}
	if k.state == KeyStatePendingDeletion {
		m.DeletionDate = k.deleteAt
	}
	return m
}

// EnableKey enables a disabled key. A key pending deletion must have its
// deletion cancelled first.
func (ks *KeyService) EnableKey(keyID string) error {
	return ks.update(keyID, "EnableKey", func(k *kmsKey) error {
		if k.state == KeyStatePendingDeletion {
			return k.pendingDeletion()
		}
		k.state = KeyStateEnabled
		return nil
	})
}

// DisableKey disables a key: until it is enabled again, no data key is
// made or decrypted under it, so streams encrypted with it can neither
// take nor give records.
func (ks *KeyService) DisableKey(keyID string) error {
	return ks.update(keyID, "DisableKey", func(k *kmsKey) error {
		if k.state == KeyStatePendingDeletion {
			return k.pendingDeletion()
		}
		k.state = KeyStateDisabled
		return nil
	})
}

// ScheduleKeyDeletion makes a key pending deletion: unusable at once, and
// deleted, with every alias that points to it, once days (7 to 30; 0
// means 30) have passed on the KeyService's clock. It returns the
// deletion date.
func (ks *KeyService) ScheduleKeyDeletion(keyID string, days int) (time.Time, error) {
	if days == 0 {
		days = DefaultKeyDeletionDays
	}
	if days < MinKeyDeletionDays || days > MaxKeyDeletionDays {
		return time.Time{}, newError(codeInvalidArgument, "The pending window must be between %d and %d days; %d is not.", MinKeyDeletionDays, MaxKeyDeletionDays, days)
	}
	var at time.Time
	err := ks.update(keyID, "ScheduleKeyDeletion", func(k *kmsKey) error {
		if k.state == KeyStatePendingDeletion {
			return k.pendingDeletion()
		}
		k.state = KeyStatePendingDeletion
		k.deleteAt = ks.clock.Now().Add(time.Duration(days) * 24 * time.Hour)
		at = k.deleteAt
		return nil
	})
	return at, err
}

// CancelKeyDeletion stops the deletion of a key pending deletion, which
// becomes disabled, as in KMS.
func (ks *KeyService) CancelKeyDeletion(keyID string) error {
	return ks.update(keyID, "CancelKeyDeletion", func(k *kmsKey) error {
		if k.state != KeyStatePendingDeletion {
			return newError(codeKMSInvalidState, "%s is not pending deletion.", k.arn)
		}
		k.state = KeyStateDisabled
		k.deleteAt = time.Time{}
		return nil
	})
}

// SetKeyUsers restricts the use of a key (making and decrypting data
// keys) to the principals given, by ARN; with none, any principal of the
// KeyService's account may use it, which is the default. Principals of
// other accounts may use a key only when named here. The principal of a
// call is that of its [Caller], or the root of the account of the
// Service that makes the call.
func (ks *KeyService) SetKeyUsers(keyID string, principals ...string) error {
	return ks.update(keyID, "SetKeyUsers", func(k *kmsKey) error {
		k.users = nil
		if len(principals) > 0 {
			k.users = slices.Clone(principals)
		}
		return nil
	})
}

// aliasPattern is what may follow "alias/" in an alias name, as in KMS.
var aliasPattern = regexp.MustCompile(`^[a-zA-Z0-9/_-]{1,250}$`)

// CreateAlias makes aliasName ("alias/<name>") another name of the key
// keyID names. Names under "alias/aws/" are reserved for AWS managed keys.
func (ks *KeyService) CreateAlias(aliasName, keyID string) error {
	name, ok := strings.CutPrefix(aliasName, "alias/")
	switch {
	case !ok || !aliasPattern.MatchString(name):
		return newError(codeInvalidArgument, "Alias name %s must begin with alias/ and then use only letters, digits, '/', '_' and '-'.", aliasName)
	case strings.HasPrefix(name, "aws/"):
		return newError(codeInvalidArgument, "Alias names beginning with alias/aws/ are reserved for AWS managed keys.")
	case strings.HasPrefix(keyID, "alias/") || strings.Contains(keyID, ":alias/"):
		return newError(codeInvalidArgument, "An alias must point to a key, not to the alias %s.", keyID)
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	k, err := ks.findLocked(keyID, "", "CreateAlias")
	if err != nil {
		return err
	}
	if _, taken := ks.aliases[aliasName]; taken {
		return newError(codeInvalidArgument, "An alias with the name %s already exists.", ks.arn(aliasName))
	}
	ks.aliases[aliasName] = k.id
	return ks.persistLocked()
}

// update applies change to the customer managed key keyID names.
func (ks *KeyService) update(keyID, action string, change func(*kmsKey) error) error {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	k, err := ks.findLocked(keyID, "", action)
	if err != nil {
		return err
	}
	if k.awsManaged {
		return newError(codeKMSInvalidState, "%s is an AWS managed key; %s does not apply to it.", k.arn, action)
	}
	if err := change(k); err != nil {
		return err
	}
	ks.changed()
	return ks.persistLocked()
}

// persistLocked saves the keys, if the KeyService keeps them in a data
// directory. The caller holds ks.mu.
func (ks *KeyService) persistLocked() error {
	if ks.persist == nil {
		return nil
	}
	return ks.persist(ks.snapshotLocked())
}

// pendingDeletion is the error for a key pending deletion.
func (k *kmsKey) pendingDeletion() error {
	return newError(codeKMSInvalidState, "%s is pending deletion.", k.arn)
}

// ResolveKey returns the ARN of the key keyID names; see [KeyProvider].
func (ks *KeyService) ResolveKey(ctx context.Context, keyID string) (string, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	k, err := ks.findLocked(keyID, ks.principal(ctx), "DescribeKey")
	if err != nil {
		return "", err
	}
	return k.arn, nil
}

// Layout of an encrypted data key: a version byte, the KMS key's ID, the
// GCM nonce, then the data key sealed under the KMS key with the key's
// ARN as additional data.
const (
	blobVersion = 1
	blobIDLen   = 36 // a key ID is a UUID in its text form
	blobLen     = 1 + blobIDLen + 12 + DataKeySize + 16
)

// GenerateDataKey returns a new data key under the key keyID names; see
// [KeyProvider].
func (ks *KeyService) GenerateDataKey(ctx context.Context, keyID string) (DataKey, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	k, err := ks.usableLocked(keyID, ks.principal(ctx), "GenerateDataKey")
	if err != nil {
		return DataKey{}, err
	}
	plain := make([]byte, DataKeySize)
	rand.Read(plain)
	blob := make([]byte, 1+blobIDLen+12, blobLen)
	blob[0] = blobVersion
	copy(blob[1:], k.id)
	nonce := blob[1+blobIDLen:]
	rand.Read(nonce)
	blob = k.aead.Seal(blob, nonce, plain, []byte(k.arn))
	return DataKey{Plaintext: plain, Encrypted: blob, KeyARN: k.arn}, nil
}

// Decrypt returns the plaintext of a data key encrypted under keyARN; see
// [KeyProvider].
func (ks *KeyService) Decrypt(ctx context.Context, keyARN string, encrypted []byte) ([]byte, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	k, err := ks.usableLocked(keyARN, ks.principal(ctx), "Decrypt")
	if err != nil {
		return nil, err
	}
	if len(encrypted) != blobLen || encrypted[0] != blobVersion || string(encrypted[1:1+blobIDLen]) != k.id {
		return nil, newError(codeKMSAccessDenied, "The encrypted data key was not made under KMS key %s.", k.arn)
	}
	nonce := encrypted[1+blobIDLen : 1+blobIDLen+12]
	plain, err := k.aead.Open(nil, nonce, encrypted[1+blobIDLen+12:], []byte(k.arn))
	if err != nil {
		return nil, newError(codeKMSAccessDenied, "The encrypted data key was not made under KMS key %s.", k.arn)
	}
	return plain, nil
}

// principal returns the principal ctx's call acts as.
func (ks *KeyService) principal(ctx context.Context) string {
	return principalOf(ctx, ks.root)
}

// usableLocked finds the key keyID names and checks that principal may
// perform action (GenerateDataKey, Decrypt) with it now. The caller holds
// ks.mu.
func (ks *KeyService) usableLocked(keyID, principal, action string) (*kmsKey, error) {
	k, err := ks.findLocked(keyID, principal, action)
	if err != nil {
		return nil, err
	}
	if !k.mayUse(principal, ks.account) {
		return nil, accessDenied(principal, action, k.arn)
	}
	switch k.state {
	case KeyStateDisabled:
		return nil, newError(codeKMSDisabled, "%s is disabled.", k.arn)
	case KeyStatePendingDeletion:
		return nil, k.pendingDeletion()
	}
	return k, nil
}

// mayUse reports whether principal is one of k's users: one it names,
// or, when it names none, any principal of account, k's own. A key
// policy that trusts the account does not extend to other accounts, so
// a principal of another account must be named.
func (k *kmsKey) mayUse(principal, account string) bool {
	if k.users != nil {
		return slices.Contains(k.users, principal)
	}
	return iam.AccountOf(principal) == account
}

// accessDenied is KMS's error for a principal that may not perform action
// on the key resource.
func accessDenied(principal, action, resource string) error {
	return newError(codeKMSAccessDenied, "User: %s is not authorized to perform: kms:%s on resource: %s", principal, action, resource)
}

// findLocked returns the key keyID names: a key ID, key ARN, alias name
// or alias ARN. A key whose deletion date has passed is deleted first.
// An ARN of another account is refused as KMS refuses a principal
// without access to it; principal and action word that refusal. The
// caller holds ks.mu.
func (ks *KeyService) findLocked(keyID, principal, action string) (*kmsKey, error) {
	ks.reapLocked()
	resource := keyID
	if strings.HasPrefix(keyID, "arn:") {
		parts := strings.SplitN(keyID, ":", 6)
		if len(parts) != 6 || parts[2] != "kms" || !(strings.HasPrefix(parts[5], "key/") || strings.HasPrefix(parts[5], "alias/")) {
			return nil, newError(codeKMSNotFound, "Invalid arn %s", keyID)
		}
		if parts[4] != ks.account {
			if principal == "" {
				principal = ks.root
			}
			return nil, accessDenied(principal, action, keyID)
		}
		if parts[1] != ks.partition || parts[3] != ks.region {
			return nil, ks.notFound(parts[5])
		}
		resource = parts[5]
	}
	id, isKey := strings.CutPrefix(resource, "key/")
	if !isKey {
		if !strings.HasPrefix(resource, "alias/") {
			if len(resource) != blobIDLen || strings.Count(resource, "-") != 4 {
				return nil, newError(codeKMSNotFound, "Invalid keyId %s", keyID)
			}
			id = resource
		} else if id = ks.aliases[resource]; id == "" {
			return nil, ks.notFound(resource)
		}
	}
	if k := ks.keys[id]; k != nil {
		return k, nil
	}
	return nil, ks.notFound("key/" + id)
}

// notFound is KMS's error for a key or alias resource that does not
// exist.
func (ks *KeyService) notFound(resource string) error {
	if strings.HasPrefix(resource, "alias/") {
		return newError(codeKMSNotFound, "Alias %s is not found.", ks.arn(resource))
	}
	return newError(codeKMSNotFound, "Key '%s' does not exist", ks.arn(resource))
}

// reapLocked deletes the keys whose deletion date has passed, with their
// aliases. The caller holds ks.mu.
func (ks *KeyService) reapLocked() {
	now := ks.clock.Now()
	reaped := false
	for id, k := range ks.keys {
		if k.state == KeyStatePendingDeletion && !now.Before(k.deleteAt) {
			delete(ks.keys, id)
			for name, target := range ks.aliases {
				if target == id {
					delete(ks.aliases, name)
				}
			}
			ks.changed()
			reaped = true
		}
	}
	if reaped {
		// If this save fails, the key is saved pending deletion with its
		// date passed, and is deleted again when the keys are restored.
		_ = ks.persistLocked()
	}
}

// snapshotLocked returns the keys and aliases as a data directory keeps
// them, keys in ID order. The caller holds ks.mu.
func (ks *KeyService) snapshotLocked() *keysMeta {
	m := &keysMeta{Keys: make([]keyMeta, 0, len(ks.keys)), Aliases: maps.Clone(ks.aliases)}
	for _, id := range slices.Sorted(maps.Keys(ks.keys)) {
		k := ks.keys[id]
		m.Keys = append(m.Keys, keyMeta{
			ID:         k.id,
			Material:   slices.Clone(k.material[:]),
			State:      k.state,
			AWSManaged: k.awsManaged,
			DeleteAt:   k.deleteAt,
			Users:      slices.Clone(k.users),
		})
	}
	return m
}

// restore replaces the keys and aliases with those m holds, after checking
// that they make a KeyService: well-formed IDs and material, known states,
// one AWS managed key under its alias, and aliases that name keys. It runs
// before the KeyService is used.
func (ks *KeyService) restore(m *keysMeta) error {
	keys := make(map[string]*kmsKey, len(m.Keys))
	var managed *kmsKey
	for _, km := range m.Keys {
		if len(km.ID) != blobIDLen || strings.Count(km.ID, "-") != 4 || keys[km.ID] != nil {
			return fmt.Errorf("key ID %q is malformed or repeated", km.ID)
		}
		if len(km.Material) != DataKeySize {
			return fmt.Errorf("key %s has %d bytes of material, not %d", km.ID, len(km.Material), DataKeySize)
		}
		switch km.State {
		case KeyStateEnabled, KeyStateDisabled, KeyStatePendingDeletion:
		default:
			return fmt.Errorf("key %s has the unknown state %q", km.ID, km.State)
		}
		if (km.State == KeyStatePendingDeletion) == km.DeleteAt.IsZero() {
			return fmt.Errorf("key %s is %s with deletion date %v", km.ID, km.State, km.DeleteAt)
		}
		k := ks.newKey(km.ID, [DataKeySize]byte(km.Material))
		k.state, k.awsManaged, k.deleteAt = km.State, km.AWSManaged, km.DeleteAt
		if len(km.Users) > 0 {
			k.users = slices.Clone(km.Users)
		}
		if k.awsManaged {
			if managed != nil || k.state != KeyStateEnabled {
				return fmt.Errorf("key %s: an AWS managed key is repeated or not enabled", km.ID)
			}
			managed = k
		}
		keys[km.ID] = k
	}
	if managed == nil || m.Aliases[AWSManagedKeyAlias] != managed.id {
		return fmt.Errorf("the AWS managed key is missing or not named %s", AWSManagedKeyAlias)
	}
	for name, id := range m.Aliases {
		if !strings.HasPrefix(name, "alias/") || keys[id] == nil {
			return fmt.Errorf("alias %q does not name a key", name)
		}
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.keys, ks.aliases = keys, maps.Clone(m.Aliases)
	ks.changed()
	return nil
}
