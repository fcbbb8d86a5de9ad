// The schema of supabase/migrations, checked against a real server: every table, row-level
// security and the API roles' lack of access, the CHECK constraints and the errors they become,
// the verification status trigger, the ON DELETE rules, get_recent_message_count and the indexes
// of the access patterns.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "store/pg/detail/session.h"
#include "store/pg/pool.h"
#include "store/pg/testing/pg_harness.h"

namespace store::pg {
namespace {

using core::ErrorCode;
using ::testing::HasSubstr;

// Every table the migrations create, and the migrator's bookkeeping table.
const std::vector<std::string> kTables = {"servers",
                                          "users",
                                          "server_members",
                                          "detection_events",
                                          "verification_events",
                                          "admin_actions",
                                          "messages",
                                          "analytics",
                                          "server_relationships",
                                          "training_data",
                                          "gpt_usage",
                                          "schema_migrations"};

class SchemaTest : public testing::PgTest {
 protected:
  // Ad hoc SQL runs on a second pool without named prepared statements, so that each text
  // (including per-table texts built at run time) is sent as it is.
  static void SetUpTestSuite() {
    PgTest::SetUpTestSuite();
    sql_ =
        std::make_unique<Pool>(PoolOptions{.url = url(), .size = 2, .prepared_statements = false});
  }
  static void TearDownTestSuite() {
    sql_.reset();
    PgTest::TearDownTestSuite();
  }

  // Runs one statement as the connecting (owner) role.
  template <class... A>
  static core::Result<pqxx::result> Query(std::string_view sql, const A&... args) {
    return sql_->Run("schema test", [&](Session& s) {
      return s.Exec(Statement{"schema_test_adhoc", sql}, detail::Params(args...));
    });
  }

  // Like Query, but a statement that must succeed: an error throws, which fails the test.
  template <class... A>
  static pqxx::result Must(std::string_view sql, const A&... args) {
    auto r = Query(sql, args...);
    if (!r) throw std::runtime_error(std::string(sql) + " -> " + r.error().ToString());
    return *r;
  }

  // Rows of public.<table> that `role` sees (SET LOCAL ROLE inside a transaction of its own), or
  // nullopt when the role may not read the table at all (insufficient_privilege, 42501).
  static core::Result<std::optional<std::int64_t>> CountAs(const std::string& role,
                                                           const std::string& table) {
    const std::string select = "SELECT count(*) FROM public.\"" + table + "\"";
    return sql_->Run("count as " + role, [&](Session& s) -> std::optional<std::int64_t> {
      try {
        return s.InTransaction([&] {
          s.ExecScript("SET LOCAL ROLE " + role);
          return detail::Int(s.Exec(Statement{"schema_test_count", select})[0][0]);
        });
      } catch (const pqxx::insufficient_privilege&) {
        return std::nullopt;  // the transaction rolled back with the exception
      }
    });
  }

  // Tries to insert a server as `role`: true when refused with insufficient_privilege.
  static core::Result<bool> InsertRefusedFor(const std::string& role) {
    return sql_->Run("insert as " + role, [&](Session& s) {
      try {
        s.InTransaction([&] {
          s.ExecScript("SET LOCAL ROLE " + role);
          s.Exec(Statement{"schema_test_insert", "INSERT INTO servers (guild_id) VALUES ($1)"},
                 detail::Params(NewGuild()));
        });
        return false;
      } catch (const pqxx::insufficient_privilege&) {
        return true;
      }
    });
  }

  static std::vector<std::string> PublicTables() {
    std::vector<std::string> out;
    for (const auto& row :
         Must("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")) {
      out.push_back(detail::Text(row[0]));
    }
    return out;
  }

  static std::string NewServer() {
    const std::string g = NewGuild().ToString();
    Must("INSERT INTO servers (guild_id) VALUES ($1)", g);
    return g;
  }
  static std::string NewUserRow() {
    const std::string u = NewUser().ToString();
    Must("INSERT INTO users (discord_id) VALUES ($1)", u);
    return u;
  }
  // A detection of `type` detected `age` ago (an SQL interval); returns its id.
  static std::string NewDetection(const std::string& g, const std::string& u,
                                  std::string_view type = "message",
                                  std::string_view age = "0 seconds") {
    return detail::Text(
        Must("INSERT INTO detection_events (server_id, user_id, detection_type, risk, confidence, "
             "confidence_level, detected_at) "
             "VALUES ($1, $2, $3::detection_type, 0.9, 0.8, 'high', now() - $4::interval) "
             "RETURNING id",
             g, u, type, age)[0][0]);
  }
  static core::Result<pqxx::result> InsertCase(const std::string& g, const std::string& u,
                                               std::string_view status = "pending") {
    return Query(
        "INSERT INTO verification_events (server_id, user_id, status) VALUES ($1, $2, $3) "
        "RETURNING id",
        g, u, status);
  }
  static core::Result<pqxx::result> SetStatus(const std::string& case_id, std::string_view status) {
    return Query("UPDATE verification_events SET status = $2 WHERE id = $1", case_id, status);
  }
  static std::int64_t Count(std::string_view sql, const std::string& arg) {
    return detail::Int(Must(sql, arg)[0][0]);
  }

  static inline std::unique_ptr<Pool> sql_;
};

// A constraint error as the pool reports it: the code, the constraint as subject, and the
// constraint named in the message.
void ExpectConstraintError(const core::Result<pqxx::result>& r, ErrorCode code,
                           const std::string& constraint) {
  ASSERT_FALSE(r) << "expected " << constraint << " to refuse the write";
  EXPECT_EQ(r.error().code, code) << r.error().ToString();
  EXPECT_EQ(r.error().subject, constraint) << r.error().ToString();
  EXPECT_THAT(r.error().message, HasSubstr(constraint));
}

TEST_F(SchemaTest, EveryTableExistsInSchemaPublic) {
  const auto tables = PublicTables();
  const std::set<std::string> found(tables.begin(), tables.end());
  for (const auto& t : kTables) EXPECT_TRUE(found.contains(t)) << "missing table " << t;
}

TEST_F(SchemaTest, EveryPublicTableHasRowLevelSecurity) {
  auto rows = Must(
      "SELECT t.tablename, c.relrowsecurity FROM pg_tables t "
      "JOIN pg_namespace n ON n.nspname = t.schemaname "
      "JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.tablename "
      "WHERE t.schemaname = 'public' ORDER BY t.tablename");
  EXPECT_GE(rows.size(), kTables.size());
  for (const auto& row : rows) {
    EXPECT_TRUE(detail::Bool(row[1])) << "row-level security is off on " << detail::Text(row[0]);
  }
}

TEST_F(SchemaTest, EveryPolicyNamesServiceRoleOnly) {
  auto open = Must(
      "SELECT schemaname || '.' || tablename || ' ' || policyname FROM pg_policies "
      "WHERE 'public' = ANY (roles)");
  for (const auto& row : open) ADD_FAILURE() << "policy open to PUBLIC: " << detail::Text(row[0]);
  EXPECT_EQ(open.size(), 0u);

  auto policies = Must(
      "SELECT tablename || ' ' || policyname, roles::text FROM pg_policies "
      "WHERE schemaname = 'public'");
  EXPECT_GE(policies.size(), 1u);
  for (const auto& row : policies) {
    EXPECT_EQ(detail::Text(row[1]), "{service_role}") << detail::Text(row[0]);
  }
}

TEST_F(SchemaTest, ApiRolesHaveNoTableOrFunctionPrivileges) {
  // has_table_privilege follows role membership and PUBLIC grants; any hit is a leak.
  auto leaks = Must(
      "SELECT r.role || ' ' || p.privilege || ' ON ' || t.tablename FROM pg_tables t "
      "CROSS JOIN (VALUES ('anon'), ('authenticated')) AS r (role) "
      "CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', "
      "                        'REFERENCES', 'TRIGGER']) AS p (privilege) "
      "WHERE t.schemaname = 'public' "
      "  AND (has_table_privilege(r.role, format('public.%I', t.tablename), p.privilege) "
      "       OR (p.privilege IN ('SELECT', 'INSERT', 'UPDATE') AND has_any_column_privilege("
      "           r.role, format('public.%I', t.tablename), p.privilege)))");
  for (const auto& row : leaks) ADD_FAILURE() << "privilege granted: " << detail::Text(row[0]);
  EXPECT_EQ(leaks.size(), 0u);

  auto grants = Must(
      "SELECT grantee || ' ' || privilege_type || ' ON ' || table_name "
      "FROM information_schema.role_table_grants "
      "WHERE table_schema = 'public' AND grantee IN ('anon', 'authenticated', 'PUBLIC')");
  for (const auto& row : grants) ADD_FAILURE() << "grant: " << detail::Text(row[0]);
  EXPECT_EQ(grants.size(), 0u);

  auto functions = Must(
      "SELECT r.role || ' EXECUTE ' || p.oid::regprocedure::text FROM pg_proc p "
      "JOIN pg_namespace n ON n.oid = p.pronamespace "
      "CROSS JOIN (VALUES ('anon'), ('authenticated')) AS r (role) "
      "WHERE n.nspname = 'public' AND has_function_privilege(r.role, p.oid, 'EXECUTE')");
  for (const auto& row : functions) ADD_FAILURE() << "executable: " << detail::Text(row[0]);
  EXPECT_EQ(functions.size(), 0u);

  // The same checks see service_role's grants: the queries above can find a privilege.
  auto service = Must(
      "SELECT count(*) FILTER (WHERE has_table_privilege('service_role', "
      "                                format('public.%I', tablename), 'SELECT')), count(*) "
      "FROM pg_tables WHERE schemaname = 'public'");
  EXPECT_EQ(detail::Int(service[0][0]), detail::Int(service[0][1]));
  EXPECT_TRUE(detail::Bool(
      Must("SELECT has_function_privilege('service_role', "
           "'public.get_recent_message_count(text, text, integer)', 'EXECUTE')")[0][0]));
}

TEST_F(SchemaTest, ApiRolesReadNothingWhileServiceRoleReadsEverything) {
  const std::string g = NewServer();
  const std::string u = NewUserRow();
  Must("INSERT INTO server_members (server_id, user_id) VALUES ($1, $2)", g, u);
  NewDetection(g, u);

  const auto tables = PublicTables();
  ASSERT_GE(tables.size(), kTables.size());
  for (const std::string role : {"anon", "authenticated"}) {
    for (const auto& table : tables) {
      auto n = CountAs(role, table);
      ASSERT_TRUE(n) << role << " on " << table << ": " << n.error().ToString();
      if (n->has_value()) {
        EXPECT_EQ(**n, 0) << role << " reads " << **n << " rows of " << table;
      }
    }
    auto refused = InsertRefusedFor(role);
    ASSERT_TRUE(refused) << refused.error().ToString();
    EXPECT_TRUE(*refused) << role << " inserted into servers";
  }

  // The same path as service_role sees the rows: the checks above can fail.
  for (const std::string table : {"servers", "users", "server_members", "detection_events"}) {
    auto n = CountAs("service_role", table);
    ASSERT_TRUE(n) << table << ": " << n.error().ToString();
    ASSERT_TRUE(n->has_value()) << "service_role may not read " << table;
    EXPECT_GT(**n, 0) << "service_role reads no rows of " << table;
  }
}

// A privilege error reaches callers as kPermissionDenied (core/result.h), not as kInternal.
TEST_F(SchemaTest, PrivilegeErrorIsPermissionDenied) {
  auto r = sql_->Run("select as anon", [&](Session& s) {
    s.InTransaction([&] {
      s.ExecScript("SET LOCAL ROLE anon");
      s.Exec(Statement{"schema_test_anon_select", "SELECT count(*) FROM servers"});
    });
  });
  ASSERT_FALSE(r) << "anon read servers";
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied) << r.error().ToString();
  EXPECT_THAT(r.error().message, HasSubstr("permission denied"));
}

TEST_F(SchemaTest, MalformedIdsAreRefusedNamingTheConstraint) {
  ExpectConstraintError(Query("INSERT INTO servers (guild_id) VALUES ($1)", "abc"),
                        ErrorCode::kConstraintViolation, "servers_guild_id_snowflake");
  ExpectConstraintError(
      Query("INSERT INTO servers (guild_id) VALUES ($1)", "123456789012345678901"),
      ErrorCode::kConstraintViolation, "servers_guild_id_snowflake");
  // The longest accepted id: 20 digits.
  auto twenty = Query("INSERT INTO servers (guild_id) VALUES ($1)", "12345678901234567890");
  EXPECT_TRUE(twenty) << twenty.error().ToString();

  ExpectConstraintError(Query("INSERT INTO users (discord_id) VALUES ($1)", "x"),
                        ErrorCode::kConstraintViolation, "users_discord_id_snowflake");
}

TEST_F(SchemaTest, NegativeMessageCountIsRefused) {
  const std::string g = NewServer();
  const std::string u = NewUserRow();
  ExpectConstraintError(
      Query("INSERT INTO server_members (server_id, user_id, message_count) VALUES ($1, $2, $3)", g,
            u, -1),
      ErrorCode::kConstraintViolation, "server_members_message_count_nonnegative");
  auto zero =
      Query("INSERT INTO server_members (server_id, user_id, message_count) VALUES ($1, $2, $3)", g,
            u, 0);
  EXPECT_TRUE(zero) << zero.error().ToString();
}

TEST_F(SchemaTest, UnknownVerificationStatusIsInvalidArgument) {
  const std::string g = NewServer();
  const std::string u = NewUserRow();
  auto r = InsertCase(g, u, "approved");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << r.error().ToString();
  EXPECT_THAT(r.error().message, HasSubstr("approved"));
}

TEST_F(SchemaTest, StatusTransitionsAreEnforcedByTheTrigger) {
  const std::string g = NewServer();
  const std::string u = NewUserRow();
  auto created = InsertCase(g, u);
  ASSERT_TRUE(created) << created.error().ToString();
  const std::string id = detail::Text((*created)[0][0]);
  auto status = [&] {
    return detail::Text(
        Must("SELECT status::text FROM verification_events WHERE id = $1", id)[0][0]);
  };
  EXPECT_EQ(status(), "pending");

  auto verified = SetStatus(id, "verified");
  ASSERT_TRUE(verified) << verified.error().ToString();
  EXPECT_EQ(status(), "verified");

  ExpectConstraintError(SetStatus(id, "banned"), ErrorCode::kConstraintViolation,
                        "verification_status_transition");
  EXPECT_EQ(status(), "verified");

  auto reopened = SetStatus(id, "reopened");
  ASSERT_TRUE(reopened) << reopened.error().ToString();
  EXPECT_EQ(status(), "reopened");

  ExpectConstraintError(SetStatus(id, "pending"), ErrorCode::kConstraintViolation,
                        "verification_status_transition");
  EXPECT_EQ(status(), "reopened");
}

TEST_F(SchemaTest, AtMostOneOpenCasePerMember) {
  const std::string g = NewServer();
  const std::string u = NewUserRow();
  auto first = InsertCase(g, u);
  ASSERT_TRUE(first) << first.error().ToString();

  ExpectConstraintError(InsertCase(g, u), ErrorCode::kConflict,
                        "verification_events_one_open_case");
  ExpectConstraintError(InsertCase(g, u, "reopened"), ErrorCode::kConflict,
                        "verification_events_one_open_case");

  // Another member of the same server may have an open case; so may this one once resolved.
  auto other = InsertCase(g, NewUserRow());
  EXPECT_TRUE(other) << other.error().ToString();
  ASSERT_TRUE(SetStatus(detail::Text((*first)[0][0]), "rejected"));
  auto again = InsertCase(g, u);
  EXPECT_TRUE(again) << again.error().ToString();
}

TEST_F(SchemaTest, DeleteRulesCascadeFromServersAndNullDetectionLinks) {
  const std::string g = NewServer();
  const std::string u = NewUserRow();
  Must("INSERT INTO server_members (server_id, user_id) VALUES ($1, $2)", g, u);
  const std::string d = NewDetection(g, u);
  const std::string c =
      detail::Text(Must("INSERT INTO verification_events (server_id, user_id, detection_event_id) "
                        "VALUES ($1, $2, $3) RETURNING id",
                        g, u, d)[0][0]);
  Must(
      "INSERT INTO admin_actions (server_id, user_id, admin_id, verification_event_id, "
      "detection_event_id, action_type) VALUES ($1, $2, $3, $4, $5, 'flag')",
      g, u, NewUser(), c, d);

  // Deleting the detection keeps the case and the audit row, without the link.
  Must("DELETE FROM detection_events WHERE id = $1", d);
  auto link = Must("SELECT detection_event_id FROM verification_events WHERE id = $1", c);
  ASSERT_EQ(link.size(), 1u);
  EXPECT_TRUE(link[0][0].is_null());
  auto audit =
      Must("SELECT detection_event_id FROM admin_actions WHERE verification_event_id = $1", c);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_TRUE(audit[0][0].is_null());

  NewDetection(g, u);
  ASSERT_EQ(Count("SELECT count(*) FROM detection_events WHERE server_id = $1", g), 1);

  // Deleting the server takes everything of the server with it, but not the user.
  Must("DELETE FROM servers WHERE guild_id = $1", g);
  EXPECT_EQ(Count("SELECT count(*) FROM server_members WHERE server_id = $1", g), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM detection_events WHERE server_id = $1", g), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM verification_events WHERE server_id = $1", g), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM admin_actions WHERE server_id = $1", g), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM users WHERE discord_id = $1", u), 1);
}

TEST_F(SchemaTest, RecentMessageCountCountsMessageDetectionsInTheWindow) {
  const std::string g = NewServer();
  const std::string u = NewUserRow();
  const std::string other = NewUserRow();
  NewDetection(g, u);
  NewDetection(g, u);
  NewDetection(g, u, "message", "1 hour");
  NewDetection(g, u, "join");    // not a message
  NewDetection(g, other);        // another user
  NewDetection(NewServer(), u);  // another server

  auto count = [&](int seconds) {
    return detail::Int(Must("SELECT get_recent_message_count($1, $2, $3)", u, g, seconds)[0][0]);
  };
  EXPECT_EQ(count(60), 2);
  EXPECT_EQ(count(7200), 3);
  EXPECT_EQ(detail::Int(Must("SELECT get_recent_message_count($1, $2, 60)", NewUser(), g)[0][0]),
            0);
}

TEST_F(SchemaTest, IndexesOfTheAccessPatternsExist) {
  auto index = [&](const std::string& name) {
    return Must(
        "SELECT t.relname, am.amname, i.indisunique, i.indpred IS NOT NULL, "
        "       pg_get_indexdef(c.oid) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_am am ON am.oid = c.relam JOIN pg_index i ON i.indexrelid = c.oid "
        "JOIN pg_class t ON t.oid = i.indrelid "
        "WHERE n.nspname = 'public' AND c.relkind = 'i' AND c.relname = $1",
        name);
  };

  auto history = index("detection_events_server_user_time_idx");
  ASSERT_EQ(history.size(), 1u) << "missing detection_events_server_user_time_idx";
  EXPECT_EQ(detail::Text(history[0][0]), "detection_events");
  EXPECT_EQ(detail::Text(history[0][1]), "btree");
  EXPECT_THAT(detail::Text(history[0][4]), HasSubstr("(server_id, user_id, detected_at DESC)"));

  auto brin = index("detection_events_detected_at_brin");
  ASSERT_EQ(brin.size(), 1u) << "missing detection_events_detected_at_brin";
  EXPECT_EQ(detail::Text(brin[0][0]), "detection_events");
  EXPECT_EQ(detail::Text(brin[0][1]), "brin");

  auto daily = index("analytics_server_date_unique");
  ASSERT_EQ(daily.size(), 1u) << "missing analytics_server_date_unique";
  EXPECT_EQ(detail::Text(daily[0][0]), "analytics");
  EXPECT_TRUE(detail::Bool(daily[0][2]));
  EXPECT_THAT(detail::Text(daily[0][4]), HasSubstr("(server_id, date)"));

  auto open_case = index("verification_events_one_open_case");
  ASSERT_EQ(open_case.size(), 1u) << "missing verification_events_one_open_case";
  EXPECT_EQ(detail::Text(open_case[0][0]), "verification_events");
  EXPECT_TRUE(detail::Bool(open_case[0][2]));  // unique
  EXPECT_TRUE(detail::Bool(open_case[0][3]));  // partial: open cases only

  // pg_indexes agrees (the view other tools read).
  auto listed = Must(
      "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname IN "
      "('detection_events_server_user_time_idx', 'detection_events_detected_at_brin', "
      " 'analytics_server_date_unique', 'verification_events_one_open_case')");
  EXPECT_EQ(detail::Int(listed[0][0]), 4);
}

}  // namespace
}  // namespace store::pg
