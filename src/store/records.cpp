#include "store/records.h"

#include <array>
#include <string>
#include <utility>

namespace store {
namespace {

// One spelling table per enum; ToString and Parse both read it, so they cannot disagree.
template <class E, std::size_t N>
using Spellings = std::array<std::pair<E, std::string_view>, N>;

constexpr Spellings<VerificationStatus, 6> kVerificationStatus{{
    {VerificationStatus::kPending, "pending"},
    {VerificationStatus::kVerified, "verified"},
    {VerificationStatus::kRejected, "rejected"},
    {VerificationStatus::kReopened, "reopened"},
    {VerificationStatus::kBanned, "banned"},
    {VerificationStatus::kKicked, "kicked"},
}};
constexpr Spellings<DetectionType, 3> kDetectionType{{
    {DetectionType::kMessage, "message"},
    {DetectionType::kJoin, "join"},
    {DetectionType::kManual, "manual"},
}};
constexpr Spellings<DetectionLevel, 3> kDetectionLevel{{
    {DetectionLevel::kLow, "low"},
    {DetectionLevel::kMedium, "medium"},
    {DetectionLevel::kHigh, "high"},
}};
constexpr Spellings<AdminActionType, 11> kAdminActionType{{
    {AdminActionType::kVerify, "verify"},
    {AdminActionType::kReject, "reject"},
    {AdminActionType::kBan, "ban"},
    {AdminActionType::kKick, "kick"},
    {AdminActionType::kReopen, "reopen"},
    {AdminActionType::kCreateThread, "create_thread"},
    {AdminActionType::kRestrict, "restrict"},
    {AdminActionType::kUnrestrict, "unrestrict"},
    {AdminActionType::kTimeout, "timeout"},
    {AdminActionType::kFlag, "flag"},
    {AdminActionType::kLabel, "label"},
}};
constexpr Spellings<TrainingLabel, 3> kTrainingLabel{{
    {TrainingLabel::kSpam, "SPAM"},
    {TrainingLabel::kNotSpam, "NOT_SPAM"},
    {TrainingLabel::kUncertain, "UNCERTAIN"},
}};
constexpr Spellings<RelationshipType, 3> kRelationshipType{{
    {RelationshipType::kTrust, "Trust"},
    {RelationshipType::kDistrust, "Distrust"},
    {RelationshipType::kNeutral, "Neutral"},
}};

template <class E, std::size_t N>
std::string_view Spell(const Spellings<E, N>& table, E value) {
  for (const auto& [e, s] : table) {
    if (e == value) return s;
  }
  return "?";
}

template <class E, std::size_t N>
core::Result<E> Unspell(const Spellings<E, N>& table, std::string_view text, std::string_view what) {
  for (const auto& [e, s] : table) {
    if (s == text) return e;
  }
  return core::Fail(core::ErrorCode::kInvalidArgument,
                    "unknown " + std::string(what) + " '" + std::string(text) + "'",
                    std::string(what));
}

}  // namespace

std::string_view ToString(VerificationStatus v) { return Spell(kVerificationStatus, v); }
std::string_view ToString(DetectionType v) { return Spell(kDetectionType, v); }
std::string_view ToString(DetectionLevel v) { return Spell(kDetectionLevel, v); }
std::string_view ToString(AdminActionType v) { return Spell(kAdminActionType, v); }
std::string_view ToString(TrainingLabel v) { return Spell(kTrainingLabel, v); }
std::string_view ToString(RelationshipType v) { return Spell(kRelationshipType, v); }

core::Result<VerificationStatus> ParseVerificationStatus(std::string_view s) {
  return Unspell(kVerificationStatus, s, "verification_status");
}
core::Result<DetectionType> ParseDetectionType(std::string_view s) {
  return Unspell(kDetectionType, s, "detection_type");
}
core::Result<DetectionLevel> ParseDetectionLevel(std::string_view s) {
  return Unspell(kDetectionLevel, s, "detection_level");
}
core::Result<AdminActionType> ParseAdminActionType(std::string_view s) {
  return Unspell(kAdminActionType, s, "admin_action_type");
}
core::Result<TrainingLabel> ParseTrainingLabel(std::string_view s) {
  return Unspell(kTrainingLabel, s, "label");
}
core::Result<RelationshipType> ParseRelationshipType(std::string_view s) {
  return Unspell(kRelationshipType, s, "relationship_type");
}

bool IsOpen(VerificationStatus s) {
  return s == VerificationStatus::kPending || s == VerificationStatus::kReopened;
}

bool IsAllowedTransition(VerificationStatus from, VerificationStatus to) {
  if (to == VerificationStatus::kPending) return false;  // a case is born pending, never returns
  if (to == VerificationStatus::kReopened) return !IsOpen(from);
  return IsOpen(from);  // resolving: verified, rejected, banned, kicked
}

}  // namespace store
