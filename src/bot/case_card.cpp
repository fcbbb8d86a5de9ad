#include "bot/case_card.h"

#include <fmt/format.h>

#include <chrono>

namespace bot {
namespace {

constexpr std::uint32_t kRed = 0xE03E3E;
constexpr std::uint32_t kOrange = 0xF0A030;
constexpr std::uint32_t kYellow = 0xE8C547;
constexpr std::uint32_t kGreen = 0x3BA55C;
constexpr std::uint32_t kGrey = 0x4F545C;

// At most `max` bytes of `text`, never splitting a UTF-8 sequence; "…" marks a cut.
std::string Cut(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t end = max >= 3 ? max - 3 : 0;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "…";
}

// Text shown as Markdown: user-chosen names must not format or break the embed.
std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '*' || c == '_' || c == '~' || c == '`' || c == '|' || c == '>' || c == '\\' ||
        c == '[' || c == ']') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

std::string_view StatusText(store::VerificationStatus s) {
  switch (s) {
    case store::VerificationStatus::kPending:
      return "Open";
    case store::VerificationStatus::kReopened:
      return "Reopened";
    case store::VerificationStatus::kVerified:
      return "Verified";
    case store::VerificationStatus::kRejected:
      return "Rejected";
    case store::VerificationStatus::kBanned:
      return "Banned";
    case store::VerificationStatus::kKicked:
      return "Kicked";
  }
  return "?";
}

std::uint32_t Colour(const CaseCard& c) {
  switch (c.status) {
    case store::VerificationStatus::kVerified:
      return kGreen;
    case store::VerificationStatus::kBanned:
    case store::VerificationStatus::kKicked:
    case store::VerificationStatus::kRejected:
      return kGrey;
    case store::VerificationStatus::kPending:
    case store::VerificationStatus::kReopened:
      break;
  }
  switch (c.level) {
    case detect::Level::kHigh:
      return kRed;
    case detect::Level::kMedium:
      return kOrange;
    case detect::Level::kLow:
      break;
  }
  return kYellow;
}

discord::Embed EmbedOf(const CaseCard& c) {
  discord::Embed e;
  const bool open = store::IsOpen(c.status);
  e.title = Cut(
      fmt::format("{}: {} ({})", StatusText(c.status), Escape(c.username), c.user.ToString()), 250);
  e.color = Colour(c);
  std::string description = fmt::format("<@{}> · {} risk **{:.0f}%**", c.user.value(),
                                        detect::ToString(c.level), c.risk * 100);
  if (!c.restricted && open) description += " · alert only: nothing applied yet";
  if (!c.excerpt.empty()) {
    std::string excerpt = Cut(c.excerpt, 900);
    for (char& ch : excerpt) {
      if (ch == '`') ch = '\'';
    }
    description += "\n```\n" + excerpt + "\n```";
  }
  e.description = std::move(description);

  e.fields.push_back(
      {"Account created", c.account_created ? RelativeTime(*c.account_created) : "unknown", true});
  e.fields.push_back({"Joined", c.joined_at ? RelativeTime(*c.joined_at) : "unknown", true});
  std::string trigger(detect::ToString(c.trigger));
  if (c.channel && c.message) {
    trigger = fmt::format("[message](https://discord.com/channels/{}/{}/{})", c.guild.value(),
                          c.channel->value(), c.message->value());
  } else if (c.channel) {
    trigger = fmt::format("message in <#{}>", c.channel->value());
  }
  e.fields.push_back({"Trigger", trigger, true});
  std::string reasons;
  for (const auto& r : c.reasons) {
    const std::string line = "• " + Escape(r) + "\n";
    if (reasons.size() + line.size() > 1000) break;
    reasons += line;
  }
  e.fields.push_back({"Reasons", reasons.empty() ? std::string("none recorded") : reasons, false});
  e.fields.push_back(
      {"History",
       fmt::format("{} detection(s) in this case, {} before it", c.detections, c.prior_detections),
       true});
  if (!open) {
    e.fields.push_back(
        {"Outcome",
         c.resolved_by ? fmt::format("{} by <@{}>", StatusText(c.status), c.resolved_by->value())
                       : std::string(StatusText(c.status)),
         true});
  }
  if (!c.notes.empty()) {
    std::string notes;
    for (const auto& n : c.notes) {
      const std::string line = "• " + Escape(n) + "\n";
      if (notes.size() + line.size() > 1000) break;
      notes += line;
    }
    e.fields.push_back({"Notes", notes, false});
  }
  e.footer = Cut("case " + c.case_id, 200);
  return e;
}

std::vector<discord::ActionRow> ButtonsOf(const CaseCard& c) {
  using discord::Button;
  using discord::ButtonStyle;
  discord::ActionRow row;
  if (store::IsOpen(c.status)) {
    row.components.push_back(Button{.style = ButtonStyle::kSuccess,
                                    .label = "Verify",
                                    .custom_id = std::string(kVerifyButton) + c.case_id});
    row.components.push_back(Button{.style = ButtonStyle::kDanger,
                                    .label = "Ban",
                                    .custom_id = std::string(kBanButton) + c.case_id});
    row.components.push_back(Button{.style = ButtonStyle::kSecondary,
                                    .label = "Kick",
                                    .custom_id = std::string(kKickButton) + c.case_id});
  } else {
    row.components.push_back(Button{.style = ButtonStyle::kSecondary,
                                    .label = "Reopen",
                                    .custom_id = std::string(kReopenButton) + c.case_id});
  }
  row.components.push_back(Button{.style = ButtonStyle::kPrimary,
                                  .label = "History",
                                  .custom_id = std::string(kHistoryButton) + c.case_id});
  return {row};
}

}  // namespace

std::string RelativeTime(core::Timestamp t) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch());
  return fmt::format("<t:{}:R>", seconds.count());
}

std::vector<std::string> ReasonLines(const std::vector<detect::Signal>& signals) {
  std::vector<std::string> out;
  out.reserve(signals.size());
  for (const auto& s : signals) {
    std::string line = fmt::format("{} ({:.2f})", detect::Name(s.code), s.weight);
    if (!s.reason.empty()) line += ": " + s.reason;
    out.push_back(Cut(line, 300));
  }
  return out;
}

discord::CreateMessage CaseMessage(const CaseCard& card, std::optional<core::RoleId> notify) {
  discord::CreateMessage m;
  m.embeds.push_back(EmbedOf(card));
  m.components = ButtonsOf(card);
  if (notify) {
    m.content = fmt::format("<@&{}>", notify->value());
    m.allowed_mentions.roles.push_back(*notify);
  }
  return m;
}

discord::EditMessage CaseEdit(const CaseCard& card) {
  discord::EditMessage m;
  m.embeds = std::vector<discord::Embed>{EmbedOf(card)};
  m.components = ButtonsOf(card);
  return m;
}

}  // namespace bot
