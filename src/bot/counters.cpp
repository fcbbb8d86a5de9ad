#include "bot/counters.h"

#include <chrono>

namespace bot {

void Counters::Message(core::GuildId guild, core::UserId user, core::Timestamp at) {
  auto [it, inserted] = members_.try_emplace({guild.value(), user.value()});
  auto& d = it->second;
  if (inserted) {
    d.server_id = guild;
    d.user_id = user;
  }
  ++d.count;
  d.last_message_at = std::max(d.last_message_at, at);
  ++stats_.messages_counted;
  Add(guild, Count::kMessage, at);
}

void Counters::Add(core::GuildId guild, Count what, core::Timestamp at, std::int64_t n) {
  const auto day = std::chrono::floor<std::chrono::days>(at);
  auto [it, inserted] =
      days_.try_emplace({guild.value(), static_cast<int>(day.time_since_epoch().count())});
  auto& d = it->second;
  if (inserted) {
    d.server_id = guild;
    d.date = std::chrono::year_month_day(day);
  }
  switch (what) {
    case Count::kMessage:
      d.message_count += n;
      break;
    case Count::kJoin:
      d.join_count += n;
      break;
    case Count::kDetection:
      d.detection_count += n;
      break;
    case Count::kCaseOpened:
      d.verification_count += n;
      break;
    case Count::kBan:
    case Count::kKick:
      // The schema has one column for removals; kicks count there too.
      d.ban_count += n;
      break;
    case Count::kVerify:
      d.verify_count += n;
      break;
    case Count::kFalsePositive:
      d.false_positive_count += n;
      break;
    case Count::kLlmCall:
      d.gpt_call_count += n;
      break;
  }
}

void Counters::LlmCall(store::GptUsage usage) {
  Add(usage.server_id, Count::kLlmCall, usage.timestamp);
  llm_calls_.push_back(std::move(usage));
}

CounterBatch Counters::Take() {
  CounterBatch b;
  b.members.reserve(members_.size());
  for (auto& [k, d] : members_) b.members.push_back(d);
  for (auto& [k, d] : days_) b.days.push_back(d);
  b.llm_calls = std::move(llm_calls_);
  members_.clear();
  days_.clear();
  llm_calls_.clear();
  return b;
}

void Counters::Restore(CounterBatch batch) {
  for (const auto& d : batch.members) {
    auto [it, inserted] = members_.try_emplace({d.server_id.value(), d.user_id.value()}, d);
    if (!inserted) {
      it->second.count += d.count;
      it->second.last_message_at = std::max(it->second.last_message_at, d.last_message_at);
    }
  }
  for (const auto& d : batch.days) {
    const int day = static_cast<int>(std::chrono::sys_days(d.date).time_since_epoch().count());
    auto [it, inserted] = days_.try_emplace({d.server_id.value(), day}, d);
    if (!inserted) {
      auto& t = it->second;
      t.detection_count += d.detection_count;
      t.verification_count += d.verification_count;
      t.ban_count += d.ban_count;
      t.verify_count += d.verify_count;
      t.false_positive_count += d.false_positive_count;
      t.gpt_call_count += d.gpt_call_count;
      t.message_count += d.message_count;
      t.join_count += d.join_count;
    }
  }
  llm_calls_.insert(llm_calls_.begin(), std::make_move_iterator(batch.llm_calls.begin()),
                    std::make_move_iterator(batch.llm_calls.end()));
}

core::Result<int> Counters::Write(CounterBatch& batch, store::pg::CounterWriter& writer) {
  auto written = writer.Write(batch.members, batch.days, batch.llm_calls);
  if (!written) return std::unexpected(written.error());
  batch = CounterBatch{};
  return written->statements;
}

}  // namespace bot
