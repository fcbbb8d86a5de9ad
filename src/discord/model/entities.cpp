#include "discord/model/entities.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <charconv>

namespace discord {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

core::Error Bad(std::string_view what, std::string_view why) {
  return core::Error{core::ErrorCode::kInvalidArgument,
                     fmt::format("gateway payload: {} {}", what, why), std::string(what)};
}

// A field that may be absent or null: nullopt then; a value of the wrong type is an error.
template <typename T>
core::Result<std::optional<T>> Optional(const object& o, std::string_view key,
                                        std::string_view path) {
  element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return std::optional<T>();
  T v;
  if (e.get(v) != simdjson::SUCCESS) {
    return std::unexpected(Bad(fmt::format("{}.{}", path, key), "has the wrong type"));
  }
  return std::optional<T>(v);
}

template <typename T>
core::Result<T> Required(const object& o, std::string_view key, std::string_view path) {
  auto v = Optional<T>(o, key, path);
  if (!v) return std::unexpected(v.error());
  if (!*v) return std::unexpected(Bad(fmt::format("{}.{}", path, key), "is missing"));
  return **v;
}

template <typename IdT>
core::Result<IdT> RequiredId(const object& o, std::string_view key, std::string_view path) {
  auto text = Required<std::string_view>(o, key, path);
  if (!text) return std::unexpected(text.error());
  auto id = IdT::Parse(*text);
  if (!id) return std::unexpected(Bad(fmt::format("{}.{}", path, key), "is not a snowflake"));
  return *id;
}

template <typename IdT>
core::Result<std::optional<IdT>> OptionalId(const object& o, std::string_view key,
                                            std::string_view path) {
  auto text = Optional<std::string_view>(o, key, path);
  if (!text) return std::unexpected(text.error());
  if (!*text) return std::optional<IdT>();
  auto id = IdT::Parse(**text);
  if (!id) return std::unexpected(Bad(fmt::format("{}.{}", path, key), "is not a snowflake"));
  return std::optional<IdT>(*id);
}

template <typename IdT>
core::Result<std::vector<IdT>> IdArray(const object& o, std::string_view key, std::string_view path,
                                       std::string_view inner_key = {}) {
  std::vector<IdT> out;
  element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return out;
  array a;
  if (e.get(a) != simdjson::SUCCESS) {
    return std::unexpected(Bad(fmt::format("{}.{}", path, key), "is not an array"));
  }
  for (element item : a) {
    std::string_view text;
    if (inner_key.empty()) {
      if (item.get(text) != simdjson::SUCCESS) {
        return std::unexpected(Bad(fmt::format("{}.{}[]", path, key), "is not a string"));
      }
    } else {
      object obj;
      if (item.get(obj) != simdjson::SUCCESS ||
          obj.at_key(inner_key).get(text) != simdjson::SUCCESS) {
        return std::unexpected(
            Bad(fmt::format("{}.{}[].{}", path, key, inner_key), "is missing or not a string"));
      }
    }
    auto id = IdT::Parse(text);
    if (!id) return std::unexpected(Bad(fmt::format("{}.{}[]", path, key), "is not a snowflake"));
    out.push_back(*id);
  }
  return out;
}

int CountArray(const object& o, std::string_view key) {
  array a;
  if (o.at_key(key).get(a) != simdjson::SUCCESS) return 0;
  return static_cast<int>(a.size());
}

core::Result<User> DecodeUser(const object& o, std::string_view path) {
  User u;
  auto id = RequiredId<core::UserId>(o, "id", path);
  if (!id) return std::unexpected(id.error());
  u.id = *id;
  auto name = Optional<std::string_view>(o, "username", path);
  if (!name) return std::unexpected(name.error());
  u.username = std::string(name->value_or(""));
  auto global = Optional<std::string_view>(o, "global_name", path);
  if (!global) return std::unexpected(global.error());
  if (*global) u.global_name = std::string(**global);
  auto bot = Optional<bool>(o, "bot", path);
  if (!bot) return std::unexpected(bot.error());
  u.bot = bot->value_or(false);
  auto avatar = Optional<std::string_view>(o, "avatar", path);
  if (!avatar) return std::unexpected(avatar.error());
  u.has_avatar = avatar->has_value();
  return u;
}

core::Result<std::optional<core::Timestamp>> OptionalTime(const object& o, std::string_view key,
                                                          std::string_view path) {
  auto text = Optional<std::string_view>(o, key, path);
  if (!text) return std::unexpected(text.error());
  if (!*text) return std::optional<core::Timestamp>();
  auto t = ParseTimestamp(**text);
  if (!t) return std::unexpected(Bad(fmt::format("{}.{}", path, key), "is not a timestamp"));
  return std::optional<core::Timestamp>(*t);
}

core::Result<Member> DecodeMember(const object& o, std::string_view path) {
  Member m;
  object user;
  if (o.at_key("user").get(user) == simdjson::SUCCESS) {
    auto u = DecodeUser(user, fmt::format("{}.user", path));
    if (!u) return std::unexpected(u.error());
    m.user = std::move(*u);
  }
  auto roles = IdArray<core::RoleId>(o, "roles", path);
  if (!roles) return std::unexpected(roles.error());
  m.roles = std::move(*roles);
  auto nick = Optional<std::string_view>(o, "nick", path);
  if (!nick) return std::unexpected(nick.error());
  if (*nick) m.nick = std::string(**nick);
  auto joined = OptionalTime(o, "joined_at", path);
  if (!joined) return std::unexpected(joined.error());
  m.joined_at = *joined;
  auto until = OptionalTime(o, "communication_disabled_until", path);
  if (!until) return std::unexpected(until.error());
  m.communication_disabled_until = *until;
  auto pending = Optional<bool>(o, "pending", path);
  if (!pending) return std::unexpected(pending.error());
  m.pending = pending->value_or(false);
  auto flags = Optional<std::uint64_t>(o, "flags", path);
  if (!flags) return std::unexpected(flags.error());
  m.flags = flags->value_or(0);
  return m;
}

core::Result<Message> DecodeMessage(const object& o) {
  constexpr std::string_view path = "MESSAGE_CREATE";
  Message msg;
  auto id = RequiredId<core::MessageId>(o, "id", path);
  if (!id) return std::unexpected(id.error());
  msg.id = *id;
  auto channel = RequiredId<core::ChannelId>(o, "channel_id", path);
  if (!channel) return std::unexpected(channel.error());
  msg.channel_id = *channel;
  auto guild = OptionalId<core::GuildId>(o, "guild_id", path);
  if (!guild) return std::unexpected(guild.error());
  msg.guild_id = *guild;
  object author;
  if (o.at_key("author").get(author) != simdjson::SUCCESS) {
    return std::unexpected(Bad("MESSAGE_CREATE.author", "is missing"));
  }
  auto a = DecodeUser(author, "MESSAGE_CREATE.author");
  if (!a) return std::unexpected(a.error());
  msg.author = std::move(*a);
  object member;
  if (o.at_key("member").get(member) == simdjson::SUCCESS) {
    auto m = DecodeMember(member, "MESSAGE_CREATE.member");
    if (!m) return std::unexpected(m.error());
    msg.member = std::move(*m);
  }
  auto webhook = Optional<std::string_view>(o, "webhook_id", path);
  if (!webhook) return std::unexpected(webhook.error());
  if (*webhook) {
    auto w = core::ParseSnowflake(**webhook, "webhook_id");
    if (!w) return std::unexpected(Bad("MESSAGE_CREATE.webhook_id", "is not a snowflake"));
    msg.webhook_id = *w;
  }
  auto content = Optional<std::string_view>(o, "content", path);
  if (!content) return std::unexpected(content.error());
  msg.content = std::string(content->value_or(""));
  auto mentions = IdArray<core::UserId>(o, "mentions", path, "id");
  if (!mentions) return std::unexpected(mentions.error());
  msg.mentions = std::move(*mentions);
  auto roles = IdArray<core::RoleId>(o, "mention_roles", path);
  if (!roles) return std::unexpected(roles.error());
  msg.mention_roles = std::move(*roles);
  auto everyone = Optional<bool>(o, "mention_everyone", path);
  if (!everyone) return std::unexpected(everyone.error());
  msg.mention_everyone = everyone->value_or(false);
  msg.attachments = CountArray(o, "attachments");
  msg.embeds = CountArray(o, "embeds");
  auto type = Optional<std::int64_t>(o, "type", path);
  if (!type) return std::unexpected(type.error());
  msg.type = static_cast<int>(type->value_or(0));
  auto ts = OptionalTime(o, "timestamp", path);
  if (!ts) return std::unexpected(ts.error());
  if (!*ts) return std::unexpected(Bad("MESSAGE_CREATE.timestamp", "is missing"));
  msg.timestamp = **ts;
  return msg;
}

core::Result<GuildMemberAdd> DecodeMemberAdd(const object& o) {
  GuildMemberAdd add;
  auto guild = RequiredId<core::GuildId>(o, "guild_id", "GUILD_MEMBER_ADD");
  if (!guild) return std::unexpected(guild.error());
  add.guild_id = *guild;
  auto m = DecodeMember(o, "GUILD_MEMBER_ADD");
  if (!m) return std::unexpected(m.error());
  if (!m->user) return std::unexpected(Bad("GUILD_MEMBER_ADD.user", "is missing"));
  add.member = std::move(*m);
  return add;
}

int Digits(std::string_view s, std::size_t at, std::size_t n, bool& ok) {
  int v = 0;
  if (at + n > s.size()) {
    ok = false;
    return 0;
  }
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') ok = false;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

core::Result<core::Timestamp> ParseTimestamp(std::string_view s) {
  auto bad = [&] {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      fmt::format("\"{}\" is not an ISO 8601 timestamp", s.substr(0, 40)),
                      "timestamp");
  };
  bool ok =
      s.size() >= 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':';
  if (!ok) return bad();
  const int year = Digits(s, 0, 4, ok), month = Digits(s, 5, 2, ok), day = Digits(s, 8, 2, ok);
  const int hour = Digits(s, 11, 2, ok), minute = Digits(s, 14, 2, ok),
            second = Digits(s, 17, 2, ok);
  if (!ok) return bad();
  std::size_t i = 19;
  std::int64_t micros = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (digits < 6) micros = micros * 10 + (s[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return bad();
    for (int d = digits; d < 6; ++d) micros *= 10;
  }
  int offset_minutes = 0;
  if (i < s.size() && s[i] == 'Z') {
    ++i;
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    const int oh = Digits(s, i + 1, 2, ok), om = Digits(s, i + 4, 2, ok);
    if (!ok || oh > 23 || om > 59) return bad();
    offset_minutes = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
    i += 6;
  } else {
    return bad();
  }
  if (i != s.size()) return bad();
  const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                                        std::chrono::day(day)};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return bad();
  const auto t = std::chrono::sys_days(ymd) + std::chrono::hours(hour) +
                 std::chrono::minutes(minute - offset_minutes) + std::chrono::seconds(second) +
                 std::chrono::microseconds(micros);
  return core::Timestamp(
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()));
}

core::Result<GatewayPayload> DecodeGatewayPayload(std::string_view json) {
  thread_local simdjson::dom::parser parser;
  element doc;
  if (auto error = parser.parse(json.data(), json.size()).get(doc); error != simdjson::SUCCESS) {
    return std::unexpected(
        Bad("payload", fmt::format("is not JSON ({})", simdjson::error_message(error))));
  }
  object root;
  if (doc.get(root) != simdjson::SUCCESS)
    return std::unexpected(Bad("payload", "is not an object"));
  GatewayPayload p;
  auto op = Required<std::int64_t>(root, "op", "payload");
  if (!op) return std::unexpected(op.error());
  p.op = static_cast<int>(*op);
  auto s = Optional<std::int64_t>(root, "s", "payload");
  if (!s) return std::unexpected(s.error());
  p.sequence = *s;
  auto t = Optional<std::string_view>(root, "t", "payload");
  if (!t) return std::unexpected(t.error());
  if (*t) p.event = std::string(**t);
  if (p.op == 10) {  // Hello
    object d;
    if (root.at_key("d").get(d) != simdjson::SUCCESS) {
      return std::unexpected(Bad("Hello.d", "is not an object"));
    }
    auto interval = Required<std::int64_t>(d, "heartbeat_interval", "Hello");
    if (!interval) return std::unexpected(interval.error());
    if (*interval <= 0) return std::unexpected(Bad("Hello.heartbeat_interval", "is not positive"));
    p.heartbeat_interval = *interval;
    return p;
  }
  if (p.op == 9) {  // Invalid Session: d says whether the session may be resumed
    auto d = Optional<bool>(root, "d", "InvalidSession");
    if (!d) return std::unexpected(d.error());
    p.resumable = d->value_or(false);
    return p;
  }
  if (p.op != 0) return p;  // heartbeat requests, ACKs and reconnects carry nothing more
  if (p.event.empty()) return std::unexpected(Bad("payload.t", "is missing on a dispatch"));
  object d;
  const bool has_d = root.at_key("d").get(d) == simdjson::SUCCESS;
  if (p.event == "MESSAGE_CREATE") {
    if (!has_d) return std::unexpected(Bad("MESSAGE_CREATE.d", "is not an object"));
    auto m = DecodeMessage(d);
    if (!m) return std::unexpected(m.error());
    p.data = std::move(*m);
  } else if (p.event == "GUILD_MEMBER_ADD") {
    if (!has_d) return std::unexpected(Bad("GUILD_MEMBER_ADD.d", "is not an object"));
    auto m = DecodeMemberAdd(d);
    if (!m) return std::unexpected(m.error());
    p.data = std::move(*m);
  } else if (p.event == "READY") {
    if (!has_d) return std::unexpected(Bad("READY.d", "is not an object"));
    Ready r;
    auto session = Required<std::string_view>(d, "session_id", "READY");
    if (!session) return std::unexpected(session.error());
    r.session_id = std::string(*session);
    auto resume = Required<std::string_view>(d, "resume_gateway_url", "READY");
    if (!resume) return std::unexpected(resume.error());
    r.resume_gateway_url = std::string(*resume);
    object user;
    if (d.at_key("user").get(user) != simdjson::SUCCESS) {
      return std::unexpected(Bad("READY.user", "is missing"));
    }
    auto id = RequiredId<core::UserId>(user, "id", "READY.user");
    if (!id) return std::unexpected(id.error());
    r.user = *id;
    p.data = std::move(r);
  } else {
    p.data = OtherEvent{p.event};
  }
  return p;
}

}  // namespace discord
