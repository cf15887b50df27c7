package mongodb_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/testkit"
)

func TestUserStore(t *testing.T) {
	ctx := context.Background()
	users := mongodb.NewUserStore(testkit.Store(t))
	officer := account.User{Name: "lan.nguyen", Role: account.RoleOfficer, Agency: "000.00.53.H48", Counter: "c1", PasswordHash: "$argon2id$x"}
	if err := users.CreateUser(ctx, officer); err != nil {
		t.Fatal(err)
	}
	if err := users.CreateUser(ctx, account.User{Name: "lan.nguyen", Role: account.RoleAdmin}); !errors.Is(err, account.ErrUserExists) {
		t.Fatalf("second account with one name: %v, want ErrUserExists", err)
	}
	got, err := users.UserByName(ctx, "lan.nguyen")
	if err != nil || got.Role != account.RoleOfficer || got.Agency != officer.Agency || got.Counter != "c1" || got.PasswordHash != officer.PasswordHash || got.CreatedAt.IsZero() {
		t.Fatalf("UserByName: %+v %v", got, err)
	}
	if _, err := users.UserByName(ctx, "nobody"); !errors.Is(err, account.ErrUserNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
	got.Disabled = true
	if err := users.UpdateUser(ctx, *got); err != nil {
		t.Fatal(err)
	}
	if again, _ := users.UserByName(ctx, "lan.nguyen"); !again.Disabled {
		t.Fatal("the update was not stored")
	}
	if err := users.UpdateUser(ctx, account.User{Name: "ghost", Role: account.RoleViewer}); !errors.Is(err, account.ErrUserNotFound) {
		t.Fatalf("updating an unknown user: %v, want ErrUserNotFound", err)
	}
	if err := users.CreateUser(ctx, account.User{Name: "an.tran", Role: account.RoleViewer}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []account.User{{Name: "Lan", Role: account.RoleViewer}, {Name: "lân", Role: account.RoleViewer}, {Name: "", Role: account.RoleViewer}, {Name: "x", Role: "root"}} {
		if err := users.CreateUser(ctx, bad); survey.ErrorCode(err) != survey.CodeInvalid {
			t.Errorf("CreateUser(%+v): %v, want invalid", bad, err)
		}
	}
	list, err := users.Users(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "an.tran" || list[1].Name != "lan.nguyen" {
		t.Fatalf("Users: %+v %v", list, err)
	}
	if n, err := users.CountUsers(ctx); n != 2 || err != nil {
		t.Fatalf("CountUsers: %d %v", n, err)
	}
}

func TestEnsureAdminOnlyOnAnEmptyStore(t *testing.T) {
	ctx := context.Background()
	users := mongodb.NewUserStore(testkit.Store(t))
	if created, err := mongodb.EnsureAdmin(ctx, users, ""); created || err == nil || !strings.Contains(err.Error(), "HAILONG_ADMIN_PASSWORD") {
		t.Fatalf("no password on an empty store: %v %v, want an error naming the variable", created, err)
	}
	if _, err := mongodb.EnsureAdmin(ctx, users, "short"); !errors.Is(err, account.ErrWeakPassword) {
		t.Fatalf("weak password: %v", err)
	}
	created, err := mongodb.EnsureAdmin(ctx, users, "Quản trị viên 2026")
	if !created || err != nil {
		t.Fatalf("first start: %v %v", created, err)
	}
	admin, err := users.UserByName(ctx, "admin")
	if err != nil || admin.Role != account.RoleAdmin || admin.Agency != "" {
		t.Fatalf("admin: %+v %v", admin, err)
	}
	if ok, err := account.Verify(admin.PasswordHash, "Quản trị viên 2026"); !ok || err != nil {
		t.Fatalf("the admin password does not verify: %v %v", ok, err)
	}
	if created, err := mongodb.EnsureAdmin(ctx, users, "another password"); created || err != nil {
		t.Fatalf("second start: %v %v, want nothing created", created, err)
	}
	if again, _ := users.UserByName(ctx, "admin"); again.PasswordHash != admin.PasswordHash {
		t.Fatal("a later start changed the admin password")
	}
}

func TestSessionsStoreOnlyTheTokenHashAndExpire(t *testing.T) {
	ctx := context.Background()
	db := testkit.Store(t)
	var mu sync.Mutex
	now := time.Date(2026, 3, 31, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	sessions := mongodb.NewSessionStore(db, clock)

	token, s, err := sessions.CreateSession(ctx, "lan.nguyen", account.SessionTTL)
	if err != nil {
		t.Fatal(err)
	}
	if len(token) != 43 || len(s.CSRF) != 43 || token == s.CSRF || !s.ExpiresAt.Equal(now.Add(12*time.Hour)) {
		t.Fatalf("token %q session %+v", token, s)
	}
	raw, err := db.DB.Collection("sessions").FindOne(ctx, bson.D{}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(raw.String(), token) {
		t.Fatalf("the stored session contains the cookie token: %s", raw)
	}
	got, err := sessions.SessionByToken(ctx, token)
	if err != nil || got.User != "lan.nguyen" || got.CSRF != s.CSRF {
		t.Fatalf("SessionByToken: %+v %v", got, err)
	}
	for _, bad := range []string{"", s.ID, s.CSRF, token[:42], token + "A"} {
		if _, err := sessions.SessionByToken(ctx, bad); !errors.Is(err, account.ErrSessionEnded) {
			t.Errorf("SessionByToken(%q): %v, want ErrSessionEnded", bad, err)
		}
	}

	advance(12*time.Hour - time.Second)
	if _, err := sessions.SessionByToken(ctx, token); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	advance(time.Second)
	if _, err := sessions.SessionByToken(ctx, token); !errors.Is(err, account.ErrSessionEnded) {
		t.Fatalf("at expiry: %v, want ErrSessionEnded", err)
	}
	if n, _ := db.DB.Collection("sessions").CountDocuments(ctx, bson.D{}); n != 0 {
		t.Fatalf("the expired session was not deleted: %d left", n)
	}

	other, _, _ := sessions.CreateSession(ctx, "an.tran", time.Hour)
	if err := sessions.DeleteSession(ctx, other); err != nil {
		t.Fatal(err)
	}
	if _, err := sessions.SessionByToken(ctx, other); !errors.Is(err, account.ErrSessionEnded) {
		t.Fatalf("after sign-out: %v", err)
	}
	if err := sessions.DeleteSession(ctx, other); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
}

func TestPurgeExpiredSessions(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 31, 8, 0, 0, 0, time.UTC)
	sessions := mongodb.NewSessionStore(testkit.Store(t), func() time.Time { return now })
	short, _, _ := sessions.CreateSession(ctx, "a", time.Hour)
	long, _, _ := sessions.CreateSession(ctx, "b", account.SessionTTL)
	now = now.Add(2 * time.Hour)
	if n, err := sessions.PurgeExpired(ctx); n != 1 || err != nil {
		t.Fatalf("PurgeExpired: %d %v, want 1", n, err)
	}
	now = now.Add(-2 * time.Hour) // even a clock set back cannot revive a purged session
	if _, err := sessions.SessionByToken(ctx, short); !errors.Is(err, account.ErrSessionEnded) {
		t.Fatalf("purged session: %v", err)
	}
	if _, err := sessions.SessionByToken(ctx, long); err != nil {
		t.Fatalf("live session: %v", err)
	}
}

func TestAuditRecentIsNewestFirst(t *testing.T) {
	ctx := context.Background()
	audit := mongodb.NewAuditStore(testkit.Store(t))
	for i := range 12 {
		e := account.AuditEntry{User: "admin", Action: "user.create", Target: fmt.Sprintf("user-%02d", i), Detail: "vai trò: cán bộ"}
		if err := audit.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := audit.Recent(ctx, 5)
	if err != nil || len(got) != 5 {
		t.Fatalf("Recent: %d entries, %v", len(got), err)
	}
	for i, e := range got {
		if want := fmt.Sprintf("user-%02d", 11-i); e.Target != want || e.At.IsZero() || e.Detail != "vai trò: cán bộ" {
			t.Fatalf("entry %d: %+v, want target %s", i, e, want)
		}
	}
	if all, _ := audit.Recent(ctx, 100); len(all) != 12 {
		t.Fatalf("Recent(100): %d entries, want 12", len(all))
	}
}
