// verification_events: cases opened for flagged users and their lifecycle. Thread-safe.
//
// Status rules (also enforced by a trigger in the schema): a case is born pending; an open case
// (pending, reopened) can be resolved as verified, rejected, banned or kicked; a resolved case
// can only be reopened. At most one case per member is open at a time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/pg/pool.h"
#include "store/records.h"

namespace store::pg {

struct NewCase {
  GuildId server_id;
  UserId user_id;
  std::optional<Uuid> detection_event_id;
  std::optional<ChannelId> thread_id;
  std::optional<MessageId> notification_message_id;
  std::optional<std::string> notes;
};

struct Transition {
  VerificationStatus to = VerificationStatus::kVerified;
  std::optional<UserId> actor;       // becomes resolved_by when resolving
  std::optional<std::string> notes;  // replaces the case notes when set
  // When set, the transition only happens if the case is still in this status: the loser of two
  // admins pressing at once gets kFailedPrecondition naming who resolved it.
  std::optional<VerificationStatus> expected_from;
};

struct TransitionResult {
  VerificationStatus previous = VerificationStatus::kPending;
  VerificationEvent event;
};

class VerificationRepo {
 public:
  explicit VerificationRepo(Pool& pool) : pool_(pool) {}

  // Opens a pending case. A member with an open case already: kConflict
  // (verification_events_one_open_case).
  core::Result<VerificationEvent> Create(const NewCase& c);
  core::Result<std::optional<VerificationEvent>> Find(const Uuid& id);
  // The member's open case (pending or reopened), if any.
  core::Result<std::optional<VerificationEvent>> OpenCase(GuildId server, UserId user);
  // Moves the case to `t.to`, stamping updated_at, and resolved_at/resolved_by when resolving
  // (cleared when reopening). Unknown id: kNotFound. Not allowed from the current status, or the
  // status is not `expected_from`: kFailedPrecondition with subject = the current status.
  core::Result<TransitionResult> Apply(const Uuid& id, const Transition& t);
  // Records the verification thread and the admin notification message of a case.
  core::Result<VerificationEvent> SetDiscordRefs(const Uuid& id, std::optional<ChannelId> thread,
                                                 std::optional<MessageId> notification);
  // Appends a line to the case's notes (a side effect that failed, an outside ban). kNotFound for
  // an unknown id.
  core::Result<void> AppendNote(const Uuid& id, std::string_view note);
  // Cases of a member in a server, newest first.
  core::Result<std::vector<VerificationEvent>> ListForMember(GuildId server, UserId user,
                                                             int limit = 50);

 private:
  Pool& pool_;
};

}  // namespace store::pg
