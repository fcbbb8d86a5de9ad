// The dispatch table: every handled event reaches its handler, decoded from the JSON the
// simulator's World writes (so the simulator's shapes and the client's decoders agree), and
// unknown or unhandled events are counted, not fatal.
#include "discord/gateway/dispatch.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "core/testing/manual_clock.h"
#include "sim/world.h"

namespace discord::gateway {
namespace {

using json = nlohmann::json;

GatewayPayload Decode(const std::string& event, const json& d) {
  auto p = DecodeGatewayPayload(json{{"op", 0}, {"s", 1}, {"t", event}, {"d", d}}.dump());
  EXPECT_TRUE(p.has_value()) << event << ": " << p.error().message;
  return p.value_or(GatewayPayload{});
}

TEST(DispatchTest, TheTableIsSortedAndHasEveryHandledEvent) {
  const auto table = EventTable();
  ASSERT_EQ(table.size(), 13u);
  for (std::size_t i = 1; i < table.size(); ++i) EXPECT_LT(table[i - 1].name, table[i].name);
}

TEST(DispatchTest, EveryEventTheSimulatorWritesReachesItsHandler) {
  core::testing::ManualClock clock;
  sim::World w(clock, core::UserId(1100000000000000000), 1100000000000000000);
  const core::UserId owner = w.AddUser("owner").id;
  sim::Guild& g = w.AddGuild("g", owner);
  const core::RoleId bot_role = w.AddRole(g, "bot", 10, permission::kAdministrator);
  const core::RoleId low = w.AddRole(g, "low", 1, 0);
  g.members[w.bot().value()] = sim::Member{w.bot(), {bot_role}, std::nullopt, {}, {}};
  const core::ChannelId channel = w.AddChannel(g, "general").id;
  const core::UserId user = w.AddUser("user").id;

  std::map<std::string, int> seen;
  EventHandlers h;
  h.ready = [&](const Ready& r) { seen["READY"] += r.session_id == "s" ? 1 : 100; };
  h.resumed = [&](const Resumed&) { ++seen["RESUMED"]; };
  h.guild_create = [&](const GuildCreate& e) { seen["GUILD_CREATE"] += e.guild.id == g.id; };
  h.guild_delete = [&](const GuildDelete& e) { seen["GUILD_DELETE"] += e.unavailable; };
  h.guild_member_add = [&](const GuildMemberAdd& e) {
    seen["GUILD_MEMBER_ADD"] += e.member.user && e.member.user->id == user;
  };
  h.guild_member_update = [&](const GuildMemberUpdate& e) {
    seen["GUILD_MEMBER_UPDATE"] += e.member.roles == std::vector<core::RoleId>{low};
  };
  h.guild_member_remove = [&](const GuildMemberRemove& e) {
    seen["GUILD_MEMBER_REMOVE"] += e.user.id == user;
  };
  h.guild_ban_add = [&](const GuildBanAdd& e) { seen["GUILD_BAN_ADD"] += e.user.id == user; };
  h.message_create = [&](const Message& m) { seen["MESSAGE_CREATE"] += m.channel_id == channel; };
  h.message_update = [&](const MessageUpdate& m) {
    seen["MESSAGE_UPDATE"] += m.message.content == "edited";
  };
  h.message_delete = [&](const MessageDelete& m) {
    seen["MESSAGE_DELETE"] += m.channel_id == channel;
  };
  h.thread_create = [&](const ThreadCreate& t) { seen["THREAD_CREATE"] += t.newly_created; };
  h.interaction_create = [&](const InteractionCreate& i) {
    seen["INTERACTION_CREATE"] += i.interaction.member.has_value();
  };
  Dispatcher dispatcher(h);

  std::vector<sim::Dispatch> out;
  const auto collect = [&](sim::Answer a) {
    EXPECT_LT(a.status, 300) << a.body;
    for (auto& d : a.dispatches) out.push_back(std::move(d));
    return a;
  };
  collect(w.Join(g, user));
  const sim::Answer posted = collect(w.Post(channel, user, "hello"));
  const std::string message = json::parse(posted.body)["id"];
  collect(w.CreateMessage(channel.ToString(), {{"content", "bot says"}}));
  const std::string mine = json::parse(out.back().data.dump())["id"];
  collect(w.EditMessage(channel.ToString(), mine, {{"content", "edited"}}));
  collect(w.AddMemberRole(g.id.ToString(), user.ToString(), low.ToString(), true));
  collect(w.StartThread(channel.ToString(), std::nullopt, {{"name", "verify"}}));
  collect(w.CreateInteraction(channel, user, 3, {{"custom_id", "as:x"}, {"component_type", 2}}));
  collect(w.DeleteMessage(channel.ToString(), message));
  collect(w.Kick(g.id.ToString(), user.ToString()));
  collect(w.CreateBan(g.id.ToString(), user.ToString(), json::object(), "spam"));
  out.push_back({"GUILD_CREATE", w.GuildJson(g), g.id.value()});
  out.push_back({"READY",
                 {{"v", 10},
                  {"user", w.UserJson(*w.FindUser(w.bot().value()))},
                  {"guilds", json::array()},
                  {"session_id", "s"},
                  {"resume_gateway_url", "ws://x"}},
                 0});
  out.push_back({"RESUMED", json::object(), 0});
  out.push_back({"GUILD_DELETE", {{"id", g.id.ToString()}, {"unavailable", true}}, 0});
  for (const auto& d : out) EXPECT_TRUE(dispatcher.Dispatch(Decode(d.event, d.data))) << d.event;

  for (const EventEntry& e : EventTable()) {
    EXPECT_GE(seen[std::string(e.name)], 1) << e.name << " never reached its handler intact";
  }
  EXPECT_EQ(dispatcher.ignored(), 0u);
}

TEST(DispatchTest, UnknownAndUnhandledEventsAreCountedNotFatal) {
  int messages = 0;
  EventHandlers h;
  h.message_create = [&](const Message&) { ++messages; };
  Dispatcher dispatcher(h);
  EXPECT_FALSE(dispatcher.Dispatch(Decode("TYPING_START", {{"channel_id", "1"}})));
  EXPECT_FALSE(dispatcher.Dispatch(Decode("RESUMED", json::object())));  // no handler set
  EXPECT_EQ(dispatcher.ignored(), 2u);
  EXPECT_EQ(dispatcher.handled(), 0u);
  EXPECT_EQ(messages, 0);
}

}  // namespace
}  // namespace discord::gateway
