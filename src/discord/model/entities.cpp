#include "discord/model/entities.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "discord/model/detail/readers.h"

namespace discord {
namespace {

using detail::Bad;
using detail::object;
using detail::Path;
using detail::Reader;

template <class T>
core::Result<T> Done(Reader& r, T value) {
  if (!r.ok()) return std::unexpected(r.TakeError());
  return value;
}

core::Result<GuildMemberAdd> ReadMemberAdd(const object& o, const Path& path) {
  Reader r(o, path);
  GuildMemberAdd add;
  add.guild_id = r.ReqId<core::GuildId>("guild_id");
  if (auto m = r.Take(detail::ReadMember(o, path))) add.member = std::move(*m);
  if (r.ok() && !add.member.user) r.Missing("user");
  return Done(r, std::move(add));
}

core::Result<GuildMemberUpdate> ReadMemberUpdate(const object& o, const Path& path) {
  auto add = ReadMemberAdd(o, path);
  if (!add) return std::unexpected(std::move(add.error()));
  return GuildMemberUpdate{add->guild_id, std::move(add->member)};
}

// GUILD_MEMBER_REMOVE and GUILD_BAN_ADD: {"guild_id","user"}.
template <class T>
core::Result<T> ReadGuildUser(const object& o, const Path& path) {
  Reader r(o, path);
  T event;
  event.guild_id = r.ReqId<core::GuildId>("guild_id");
  if (auto user = r.ReqObject("user")) {
    const Path at(path, "user");
    if (auto u = r.Take(detail::ReadUser(*user, at))) event.user = std::move(*u);
  }
  return Done(r, std::move(event));
}

core::Result<MessageDelete> ReadMessageDelete(const object& o, const Path& path) {
  Reader r(o, path);
  MessageDelete d;
  d.id = r.ReqId<core::MessageId>("id");
  d.channel_id = r.ReqId<core::ChannelId>("channel_id");
  d.guild_id = r.OptId<core::GuildId>("guild_id");
  return Done(r, std::move(d));
}

core::Result<GuildDelete> ReadGuildDelete(const object& o, const Path& path) {
  Reader r(o, path);
  GuildDelete d;
  d.id = r.ReqId<core::GuildId>("id");
  d.unavailable = r.Bool("unavailable");
  return Done(r, std::move(d));
}

core::Result<ThreadCreate> ReadThreadCreate(const object& o, const Path& path) {
  Reader r(o, path);
  ThreadCreate t;
  if (auto c = r.Take(detail::ReadChannel(o, path))) t.thread = std::move(*c);
  t.newly_created = r.Bool("newly_created");
  return Done(r, std::move(t));
}

core::Result<Ready> ReadReady(const object& o, const Path& path) {
  Reader r(o, path);
  Ready ready;
  ready.session_id = r.ReqStr("session_id");
  ready.resume_gateway_url = r.ReqStr("resume_gateway_url");
  if (auto user = r.ReqObject("user")) {
    const Path at(path, "user");
    Reader u(*user, at);
    ready.user = u.ReqId<core::UserId>("id");
    if (!u.ok()) r.Fail(u.TakeError());
  }
  ready.guilds = r.Objects<core::GuildId>("guilds", [](const object& g, const Path& at) {
    Reader gr(g, at);
    const auto id = gr.ReqId<core::GuildId>("id");
    return Done(gr, id);
  });
  if (auto app = r.Opt<object>("application")) {
    const Path at(path, "application");
    Reader a(*app, at);
    ready.application_id = a.OptId<ApplicationId>("id");
    if (!a.ok()) r.Fail(a.TakeError());
  }
  return Done(r, std::move(ready));
}

template <class T, class F>
core::Result<GatewayEvent> Dispatch(bool has_d, const object& d, const Path& path, F&& read) {
  if (!has_d) {
    const Path at(path, "d");
    return std::unexpected(Bad(at, "is not an object"));
  }
  auto v = read(d, path);
  if (!v) return std::unexpected(std::move(v.error()));
  return GatewayEvent(T(std::move(*v)));
}

core::Result<GatewayEvent> DecodeDispatch(std::string_view name, bool has_d, const object& d) {
  const Path path(name);
  // MESSAGE_CREATE first: it is most of the traffic.
  if (name == "MESSAGE_CREATE") {
    return Dispatch<Message>(
        has_d, d, path, [](const object& o, const Path& p) { return detail::ReadMessage(o, p); });
  }
  if (name == "MESSAGE_UPDATE") {
    return Dispatch<MessageUpdate>(has_d, d, path, [](const object& o, const Path& p) {
      auto m = detail::ReadMessage(o, p);
      if (!m) return core::Result<MessageUpdate>(std::unexpected(std::move(m.error())));
      return core::Result<MessageUpdate>(MessageUpdate{std::move(*m)});
    });
  }
  if (name == "MESSAGE_DELETE") return Dispatch<MessageDelete>(has_d, d, path, ReadMessageDelete);
  if (name == "GUILD_MEMBER_ADD") return Dispatch<GuildMemberAdd>(has_d, d, path, ReadMemberAdd);
  if (name == "GUILD_MEMBER_UPDATE") {
    return Dispatch<GuildMemberUpdate>(has_d, d, path, ReadMemberUpdate);
  }
  if (name == "GUILD_MEMBER_REMOVE") {
    return Dispatch<GuildMemberRemove>(has_d, d, path, ReadGuildUser<GuildMemberRemove>);
  }
  if (name == "GUILD_BAN_ADD") {
    return Dispatch<GuildBanAdd>(has_d, d, path, ReadGuildUser<GuildBanAdd>);
  }
  if (name == "INTERACTION_CREATE") {
    return Dispatch<InteractionCreate>(has_d, d, path, [](const object& o, const Path& p) {
      auto i = detail::ReadInteraction(o, p);
      if (!i) return core::Result<InteractionCreate>(std::unexpected(std::move(i.error())));
      return core::Result<InteractionCreate>(InteractionCreate{std::move(*i)});
    });
  }
  if (name == "GUILD_CREATE") {
    return Dispatch<GuildCreate>(has_d, d, path, [](const object& o, const Path& p) {
      auto g = detail::ReadGuild(o, p);
      if (!g) return core::Result<GuildCreate>(std::unexpected(std::move(g.error())));
      return core::Result<GuildCreate>(GuildCreate{std::move(*g)});
    });
  }
  if (name == "GUILD_DELETE") return Dispatch<GuildDelete>(has_d, d, path, ReadGuildDelete);
  if (name == "THREAD_CREATE") return Dispatch<ThreadCreate>(has_d, d, path, ReadThreadCreate);
  if (name == "READY") return Dispatch<Ready>(has_d, d, path, ReadReady);
  if (name == "RESUMED") return GatewayEvent(Resumed{});
  return GatewayEvent(OtherEvent{std::string(name)});
}

}  // namespace

core::Result<GatewayPayload> DecodeGatewayPayload(std::string_view json) {
  auto root = detail::ParseObject(json, "payload");
  if (!root) return std::unexpected(std::move(root.error()));
  const Path path("payload");
  Reader r(*root, path);
  GatewayPayload p;
  p.op = static_cast<int>(r.ReqInt("op", 0, 255));
  p.sequence = r.Opt<std::int64_t>("s");
  if (auto t = r.Opt<std::string_view>("t")) p.event = std::string(*t);
  if (!r.ok()) return std::unexpected(r.TakeError());
  if (p.op == 10) {  // Hello
    auto d = r.Opt<object>("d");
    if (!d) return std::unexpected(Bad(Path("Hello.d"), "is not an object"));
    const Path hello("Hello");
    Reader h(*d, hello);
    const std::int64_t interval = h.ReqInt("heartbeat_interval", 1, 1LL << 40);
    if (!h.ok()) return std::unexpected(h.TakeError());
    p.heartbeat_interval = interval;
    return p;
  }
  if (p.op == 9) {  // Invalid Session: d says whether the session may be resumed
    const Path invalid("InvalidSession");
    Reader s(*root, invalid);
    p.resumable = s.Bool("d");
    if (!s.ok()) return std::unexpected(s.TakeError());
    return p;
  }
  if (p.op != 0) return p;  // heartbeat requests, ACKs and reconnects carry nothing more
  if (p.event.empty()) return std::unexpected(Bad(Path(path, "t"), "is missing on a dispatch"));
  object d;
  const bool has_d = root->at_key("d").get(d) == simdjson::SUCCESS;
  auto event = DecodeDispatch(p.event, has_d, d);
  if (!event) return std::unexpected(std::move(event.error()));
  p.data = std::move(*event);
  return p;
}

namespace {

std::string_view EventName(const GatewayEvent& event) {
  struct Names {
    std::string_view operator()(std::monostate) const { return ""; }
    std::string_view operator()(const Message&) const { return "MESSAGE_CREATE"; }
    std::string_view operator()(const MessageUpdate&) const { return "MESSAGE_UPDATE"; }
    std::string_view operator()(const MessageDelete&) const { return "MESSAGE_DELETE"; }
    std::string_view operator()(const GuildMemberAdd&) const { return "GUILD_MEMBER_ADD"; }
    std::string_view operator()(const GuildMemberUpdate&) const { return "GUILD_MEMBER_UPDATE"; }
    std::string_view operator()(const GuildMemberRemove&) const { return "GUILD_MEMBER_REMOVE"; }
    std::string_view operator()(const GuildBanAdd&) const { return "GUILD_BAN_ADD"; }
    std::string_view operator()(const GuildCreate&) const { return "GUILD_CREATE"; }
    std::string_view operator()(const GuildDelete&) const { return "GUILD_DELETE"; }
    std::string_view operator()(const ThreadCreate&) const { return "THREAD_CREATE"; }
    std::string_view operator()(const InteractionCreate&) const { return "INTERACTION_CREATE"; }
    std::string_view operator()(const Ready&) const { return "READY"; }
    std::string_view operator()(const Resumed&) const { return "RESUMED"; }
    std::string_view operator()(const OtherEvent& e) const { return e.name; }
  };
  return std::visit(Names{}, event);
}

nlohmann::json MemberEvent(core::GuildId guild, const Member& member) {
  nlohmann::json j = ToJson(member);
  j["guild_id"] = guild.ToString();
  return j;
}

nlohmann::json GuildUserEvent(core::GuildId guild, const User& user) {
  return {{"guild_id", guild.ToString()}, {"user", ToJson(user)}};
}

}  // namespace

nlohmann::json ToJson(const GatewayEvent& event) {
  struct Writer {
    nlohmann::json operator()(std::monostate) const { return nlohmann::json::object(); }
    nlohmann::json operator()(const Message& m) const { return ToJson(m); }
    nlohmann::json operator()(const MessageUpdate& e) const { return ToJson(e.message); }
    nlohmann::json operator()(const MessageDelete& e) const {
      nlohmann::json j = {{"id", e.id.ToString()}, {"channel_id", e.channel_id.ToString()}};
      if (e.guild_id) j["guild_id"] = e.guild_id->ToString();
      return j;
    }
    nlohmann::json operator()(const GuildMemberAdd& e) const {
      return MemberEvent(e.guild_id, e.member);
    }
    nlohmann::json operator()(const GuildMemberUpdate& e) const {
      return MemberEvent(e.guild_id, e.member);
    }
    nlohmann::json operator()(const GuildMemberRemove& e) const {
      return GuildUserEvent(e.guild_id, e.user);
    }
    nlohmann::json operator()(const GuildBanAdd& e) const {
      return GuildUserEvent(e.guild_id, e.user);
    }
    nlohmann::json operator()(const GuildCreate& e) const { return ToJson(e.guild); }
    nlohmann::json operator()(const GuildDelete& e) const {
      nlohmann::json j = {{"id", e.id.ToString()}};
      if (e.unavailable) j["unavailable"] = true;
      return j;
    }
    nlohmann::json operator()(const ThreadCreate& e) const {
      nlohmann::json j = ToJson(e.thread);
      if (e.newly_created) j["newly_created"] = true;
      return j;
    }
    nlohmann::json operator()(const InteractionCreate& e) const { return ToJson(e.interaction); }
    nlohmann::json operator()(const Ready& e) const {
      nlohmann::json guilds = nlohmann::json::array();
      for (core::GuildId g : e.guilds) {
        guilds.push_back({{"id", g.ToString()}, {"unavailable", true}});
      }
      nlohmann::json j = {{"v", 10},
                          {"user", ToJson(User{.id = e.user, .bot = true})},
                          {"guilds", std::move(guilds)},
                          {"session_id", e.session_id},
                          {"resume_gateway_url", e.resume_gateway_url}};
      if (e.application_id) {
        j["application"] = {{"id", e.application_id->ToString()}, {"flags", 0}};
      }
      return j;
    }
    nlohmann::json operator()(const Resumed&) const { return nlohmann::json::object(); }
    nlohmann::json operator()(const OtherEvent&) const { return nlohmann::json::object(); }
  };
  return std::visit(Writer{}, event);
}

nlohmann::json ToJson(const GatewayPayload& payload) {
  nlohmann::json j = {{"op", payload.op}, {"d", nullptr}, {"s", nullptr}, {"t", nullptr}};
  if (payload.op == 0) {
    j["d"] = ToJson(payload.data);
    j["t"] = payload.event.empty() ? std::string(EventName(payload.data)) : payload.event;
    if (payload.sequence) j["s"] = *payload.sequence;
  } else if (payload.op == 10) {
    j["d"] = {{"heartbeat_interval", payload.heartbeat_interval.value_or(41250)}};
  } else if (payload.op == 9) {
    j["d"] = payload.resumable.value_or(false);
  }
  return j;
}

}  // namespace discord
